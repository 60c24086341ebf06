"""Accuracy on a labelled question set, `rasa test nlu` style.

A labelled set is JSON lines, in one of two formats:
- {"text", "expect": [acceptable intent ids] or null (out of scope), "facts": [[alternatives], …],
  "style", "now": ISO (optional)} — `facts` are literal strings a right reply states (any string
  of a group counts; every group is required);
- the older {"text", "intent" (id or null), "tags": [...], "expect": {...} (calculator figures),
  "now"}.

Definitions (printed with the report):
- predicted intent: the answer's intent; for a did-you-mean, the first
  suggestion; null when the bot declares the question out of scope;
- top-1 / top-3: over in-scope questions, the gold intent is the predicted one /
  among the first three ranked candidates;
- out-of-scope recall: gold-null questions the bot declined; precision: declined
  questions that were gold-null; false rejections: in-scope questions declined;
- fact in the lead / anywhere: over questions with facts, every group has a string in
  the lead paragraph (the short reply up to its first blank line) / in the short reply.
  Both sides NFKC-normalised, all whitespace removed, case-folded;
- reply length: characters and lines of the short reply (what the first Slack message shows).
"""

from __future__ import annotations

import dataclasses
import json
import re
import statistics
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from intents.answer import Answer
from intents.router import Pipeline

DEFAULT_NOW = "2026-11-21T10:00:00+09:00"
# A long message (a greeting, who is asking, the background, then the question).
LONG_MESSAGE = 80


@dataclass(frozen=True)
class Labelled:
    text: str
    intent: str | None  # the first acceptable intent (per-intent tables); None = out of scope
    tags: tuple[str, ...] = ()
    expect: dict | None = None  # calculator figures (older format)
    now: str | None = None
    accepted: tuple[str, ...] = ()  # every acceptable intent (default: `intent`); empty = out of scope
    facts: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        if not self.accepted and self.intent is not None:
            object.__setattr__(self, "accepted", (self.intent,))

    def accepts(self, intent: str | None) -> bool:
        return intent in self.accepted if self.accepted else intent is None


def _labelled(raw: dict) -> Labelled:
    if "intent" in raw:
        intent = raw["intent"]
        return Labelled(raw["text"], intent, tuple(raw.get("tags", ())), raw.get("expect"), raw.get("now"))
    accepted = tuple(raw["expect"] or ())
    style = raw.get("style")
    return Labelled(
        raw["text"], accepted[0] if accepted else None, (style,) if style else (), None, raw.get("now"), accepted,
        tuple(tuple(group) for group in raw.get("facts") or ()),
    )


def load_labelled(path: Path) -> list[Labelled]:
    items = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                items.append(_labelled(json.loads(line)))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path.name}:{number}: not a labelled question ({exc})") from None
    return items


def fact_key(text: str) -> str:
    """How facts and replies are compared: NFKC, no whitespace at all, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def states_facts(facts: tuple[tuple[str, ...], ...], text: str) -> bool:
    """Every group of `facts` has a string that `text` contains."""
    key = fact_key(text)
    return all(any(fact_key(f) in key for f in group) for group in facts)


def lead_paragraph(reply: str) -> str:
    return reply.split("\n\n", 1)[0]


def predicted_intent(answer: Answer) -> str | None:
    if answer.kind == "did_you_mean" and answer.alternatives:
        return answer.alternatives[0].intent
    if answer.kind == "out_of_scope":
        return None
    return answer.intent


@dataclass
class Outcome:
    item: Labelled
    answer: Answer
    predicted: str | None
    candidates: list[str]
    top_confidence: float
    top_intent: str
    ranked: list[tuple[str, float]]
    on_topic: bool
    other_vendor: bool
    latency_ms: float
    calc_errors: list[str] = field(default_factory=list)

    @property
    def right(self) -> bool:
        return self.item.accepts(self.predicted)

    @property
    def reply(self) -> str:
        return self.answer.as_text()


def check_expectations(expect: dict, answer: Answer) -> list[str]:
    """Calculator figures the answer must carry (dates, phone numbers, open/closed)."""
    errors = []
    result = (answer.calculation or {}).get("result", {})
    text = answer.as_text()
    for key, want in expect.items():
        if key == "phones_include":
            errors += [f"phone {p} missing" for p in want if p not in text]
        elif result.get(key) != want:
            errors.append(f"{key}: expected {want}, got {result.get(key)}")
    return errors


def evaluate(pipeline: Pipeline, items: list[Labelled]) -> list[Outcome]:
    outcomes = []
    for item in items:
        now = datetime.fromisoformat(item.now or DEFAULT_NOW)
        started = time.perf_counter()
        answer = pipeline.route(item.text, now)
        latency = (time.perf_counter() - started) * 1000
        if predicted_intent(answer) in item.accepted:  # any acceptable intent is the gold one
            item = dataclasses.replace(item, intent=predicted_intent(answer))
        c = pipeline.classify(item.text, now)
        candidates = [i for i, _ in c.ranked[:3]]
        outcome = Outcome(
            item=item,
            answer=answer,
            predicted=predicted_intent(answer),
            candidates=candidates,
            top_confidence=c.ranked[0][1],
            top_intent=c.ranked[0][0],
            ranked=c.ranked,
            on_topic=c.on_topic,
            other_vendor=c.other_vendor,
            latency_ms=latency,
        )
        if item.expect:
            outcome.calc_errors = check_expectations(item.expect, answer)
        outcomes.append(outcome)
    return outcomes


@dataclass
class Summary:
    n: int
    in_scope: int
    out_of_scope: int
    top1: float
    top3: float
    answered_right: float
    did_you_mean: float
    oos_recall: float
    oos_precision: float
    false_rejection: float
    calc_checked: int
    calc_wrong: int
    facts_checked: int
    fact_in_lead: float
    fact_anywhere: float
    chars_median: float
    chars_p90: float
    lines_median: float
    lines_p90: float
    # Did-you-mean on in-scope questions, all and those of LONG_MESSAGE characters or more.
    did_you_mean_in_scope: float = 0.0
    did_you_mean_long: float = 0.0
    long_in_scope: int = 0


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def summarize(outcomes: list[Outcome]) -> Summary:
    ins = [o for o in outcomes if o.item.intent is not None]
    oos = [o for o in outcomes if o.item.intent is None]
    declined = [o for o in outcomes if o.answer.kind == "out_of_scope"]
    calc = [o for o in outcomes if o.item.expect]
    with_facts = [o for o in outcomes if o.item.facts]
    chars = [len(o.reply) for o in outcomes]
    lines = [o.reply.count("\n") + 1 for o in outcomes]
    long = [o for o in ins if len(o.item.text) >= LONG_MESSAGE]
    return Summary(
        n=len(outcomes),
        in_scope=len(ins),
        out_of_scope=len(oos),
        top1=_ratio(sum(o.right for o in ins), len(ins)),
        top3=_ratio(sum(any(i in o.candidates for i in o.item.accepted) for o in ins), len(ins)),
        answered_right=_ratio(sum(o.answer.kind != "did_you_mean" and o.right for o in ins), len(ins)),
        did_you_mean=_ratio(sum(o.answer.kind == "did_you_mean" for o in outcomes), len(outcomes)),
        oos_recall=_ratio(sum(o.answer.kind == "out_of_scope" for o in oos), len(oos)),
        oos_precision=_ratio(sum(o.item.intent is None for o in declined), len(declined)),
        false_rejection=_ratio(sum(o.answer.kind == "out_of_scope" for o in ins), len(ins)),
        calc_checked=len(calc),
        calc_wrong=sum(bool(o.calc_errors) for o in calc),
        facts_checked=len(with_facts),
        fact_in_lead=_ratio(sum(states_facts(o.item.facts, lead_paragraph(o.reply)) for o in with_facts), len(with_facts)),
        fact_anywhere=_ratio(sum(states_facts(o.item.facts, o.reply) for o in with_facts), len(with_facts)),
        chars_median=statistics.median(chars) if chars else 0.0,
        chars_p90=_percentile(chars, 0.9),
        lines_median=statistics.median(lines) if lines else 0.0,
        lines_p90=_percentile(lines, 0.9),
        did_you_mean_in_scope=_ratio(sum(o.answer.kind == "did_you_mean" for o in ins), len(ins)),
        did_you_mean_long=_ratio(sum(o.answer.kind == "did_you_mean" for o in long), len(long)),
        long_in_scope=len(long),
    )


def _percentile(values: list[int], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))])


def per_intent(outcomes: list[Outcome]) -> list[tuple[str, int, float, float]]:
    """(intent, support, precision, recall); null is the out-of-scope class."""
    tp: Counter = Counter()
    pred: Counter = Counter()
    gold: Counter = Counter()
    for o in outcomes:
        g, p = o.item.intent or "null", o.predicted or "null"
        gold[g] += 1
        pred[p] += 1
        if g == p:
            tp[g] += 1
    rows = []
    for intent in sorted(set(gold) | set(pred), key=_intent_order):
        rows.append((intent, gold[intent], _ratio(tp[intent], pred[intent]), _ratio(tp[intent], gold[intent])))
    return rows


def _intent_order(intent: str) -> tuple[int, str]:
    if intent.startswith("Q") and intent[1:].isdigit():
        return (0, f"{int(intent[1:]):02d}")
    return (1, intent)


def sweep(outcomes: list[Outcome], pipeline: Pipeline) -> list[tuple[float, float, float, float, float]]:
    """(suggest floor, OOS recall, false rejections, did-you-mean rate, answered right) per floor.

    Replays the policy's decision on the recorded confidences with another
    floor, everything else unchanged.
    """
    policy = pipeline.policy
    rows = []
    ins = [o for o in outcomes if o.item.intent is not None]
    oos = [o for o in outcomes if o.item.intent is None]
    for step in range(10, 75, 5):
        floor = step / 100
        trial = policy.model_copy(update={"suggest_threshold": floor, "answer_threshold": max(floor, policy.answer_threshold)})

        def decision(o: Outcome, trial=trial) -> str:
            return trial.decide(o.ranked, o.on_topic, o.other_vendor)

        rows.append(
            (
                floor,
                _ratio(sum(decision(o) == "out_of_scope" for o in oos), len(oos)),
                _ratio(sum(decision(o) == "out_of_scope" for o in ins), len(ins)),
                _ratio(sum(decision(o) == "did_you_mean" for o in outcomes), len(outcomes)),
                _ratio(sum(decision(o) == "answer" and o.item.accepts(o.top_intent) for o in ins), len(ins)),
            )
        )
    return rows


def latency(outcomes: list[Outcome]) -> tuple[float, float]:
    values = sorted(o.latency_ms for o in outcomes)
    if not values:
        return 0.0, 0.0
    p99 = values[min(len(values) - 1, int(round(0.99 * (len(values) - 1))))]
    return statistics.median(values), p99


def by_tag(outcomes: list[Outcome]) -> dict[str, tuple[int, float]]:
    """Per tag: (count, share answered as labelled — the predicted intent equals the gold one)."""
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        for tag in o.item.tags:
            groups[tag].append(o)
    return {tag: (len(g), _ratio(sum(o.right for o in g), len(g))) for tag, g in sorted(groups.items())}
