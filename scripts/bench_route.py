"""Speed and memory of the question pipeline, printed (never asserted in tests).

- route() latency over every dev-set question, repeated, after warm-up: p50/p90/p99/max;
- `faqbot ask` from process start to printed answer (a fresh interpreter each run);
- resident memory (peak RSS) of a process that has built the pipeline and answered.

    .venv/bin/python scripts/bench_route.py [--rounds N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "dev.jsonl"
NOW = "2026-11-21T10:00:00+09:00"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_route(rounds: int) -> None:
    from intents.router import default_pipeline

    started = time.perf_counter()
    pipeline = default_pipeline()
    built = time.perf_counter() - started
    now = datetime.fromisoformat(NOW)
    questions = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    for q in questions:
        pipeline.route(q, now)
    samples = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            pipeline.route(q, now)
            samples.append((time.perf_counter() - t) * 1000)
    print(f"pipeline build: {built * 1000:.0f} ms")
    print(
        f"route() over {len(questions)} questions x {rounds}: p50 {statistics.median(samples):.2f} ms, "
        f"p90 {percentile(samples, 0.90):.2f} ms, p99 {percentile(samples, 0.99):.2f} ms, max {max(samples):.2f} ms"
    )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak resident memory (this process, pipeline built): {peak_kib / 1024:.0f} MB")


def bench_ask(runs: int) -> None:
    faqbot = Path(sys.executable).with_name("faqbot")
    command = [str(faqbot)] if faqbot.exists() else [sys.executable, "-m", "bot.cli.main"]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([*command, "ask", "ポストワランティはいつまで買える？", "--now", NOW], check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        f"faqbot ask, process start to answer, {runs} runs: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s; peak RSS {peak_kib / 1024:.0f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bench_ask(args.runs)
    bench_route(args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
