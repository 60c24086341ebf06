"""Fit the confidence calibration of intents/data/policy.yaml.

Five-fold cross-validation over the training examples (knowledge/data/examples.yaml):
each fold's examples are classified by a matcher built from the other four, and
a logistic regression maps (top score, margin over the runner-up) to the
probability that the top intent is right. The dev set is not used here; it
tunes the thresholds (`faqbot eval` prints the sweep).

    .venv/bin/python scripts/calibrate.py          # print the fitted numbers
    .venv/bin/python scripts/calibrate.py --write  # and store them in policy.yaml
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
from datetime import datetime

import yaml

from intents.policy import POLICY_FILE, load_policy
from intents.router import Pipeline
from knowledge.loader import load_knowledge

FOLDS = 5
NOW = datetime.fromisoformat("2026-11-21T10:00:00+09:00")


def samples() -> list[tuple[float, float, int]]:
    knowledge = load_knowledge()
    pairs = [(intent, text) for intent, texts in knowledge.examples.items() for text in texts]
    random.Random(20181101).shuffle(pairs)
    out = []
    for fold in range(FOLDS):
        held = pairs[fold::FOLDS]
        held_set = set(held)
        train: dict[str, list[str]] = {}
        for intent, text in pairs:
            if (intent, text) not in held_set:
                train.setdefault(intent, []).append(text)
        pipeline = Pipeline.build(dataclasses.replace(knowledge, examples=train))
        for intent, text in held:
            c = pipeline.classify(text, NOW)
            top, second = c.raw
            out.append((top, top - second, int(c.top[0] == intent)))
    return out


def fit(data: list[tuple[float, float, int]], steps: int = 4000, rate: float = 0.5) -> tuple[float, float, float]:
    a = b = c = 0.0
    n = len(data)
    for _ in range(steps):
        ga = gb = gc = 0.0
        for top, margin, y in data:
            p = 1.0 / (1.0 + math.exp(-(a * top + b * margin + c)))
            ga += (p - y) * top
            gb += (p - y) * margin
            gc += p - y
        a -= rate * ga / n
        b -= rate * gb / n
        c -= rate * gc / n
    return a, b, c


def reliability(data, params) -> list[tuple[str, int, float, float]]:
    a, b, c = params
    bins: dict[int, list[tuple[float, int]]] = {}
    for top, margin, y in data:
        p = 1.0 / (1.0 + math.exp(-(a * top + b * margin + c)))
        bins.setdefault(min(9, int(p * 10)), []).append((p, y))
    rows = []
    for k in sorted(bins):
        items = bins[k]
        rows.append((f"{k / 10:.1f}-{(k + 1) / 10:.1f}", len(items), sum(p for p, _ in items) / len(items), sum(y for _, y in items) / len(items)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    data = samples()
    params = fit(data)
    if args.write:
        raw = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
        raw["calibration"] = {"score": round(params[0], 3), "margin": round(params[1], 3), "bias": round(params[2], 3)}
        header = "".join(line for line in POLICY_FILE.read_text(encoding="utf-8").splitlines(True) if line.startswith("#"))
        POLICY_FILE.write_text(header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
        load_policy()  # fails loudly if the file no longer validates
        print(f"written to {POLICY_FILE}")
    accuracy = sum(y for *_, y in data) / len(data)
    print(f"{len(data)} cross-validated examples, top-1 {accuracy:.3f}")
    print(f"calibration: score {params[0]:.3f}, margin {params[1]:.3f}, bias {params[2]:.3f}")
    print("bin        n   mean confidence   accuracy")
    for label, n, conf, acc in reliability(data, params):
        print(f"{label:9s} {n:4d}   {conf:.3f}             {acc:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
