"""What the question log, the feedback and the cases say about a period:
today's numbers in the staff's App Home, and `faqbot stats` for the weekly
review (bot/stats_html.py draws the same report as a page with charts).

Periods are whole JST calendar days ending today.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.desk import teaching, texts
from bot.desk.sla import ServiceLevel
from bot.store import Store
from intents.replies import Replies
from knowledge.calendar import JST, to_jst
from knowledge.loader import load_knowledge

# Logged answers the partner picked (a did-you-mean candidate, a shared
# command answer, the App Home FAQ index) rather than questions they typed.
PICKED = frozenset({"choice", "share", "home"})
ANSWERED_KINDS = ("answer", "calculation")
ABSTAINED_KINDS = ("did_you_mean", "out_of_scope")
ESCALATING_EVENTS = ("escalated", "reopened")
CLAIMING_EVENTS = ("claim", "resolve", "bot_correct")  # resolving an unclaimed case claims it
RESOLVING_EVENTS = ("resolve", "bot_correct")
REASON_LABELS = {"did_you_mean": "候補の提示", "out_of_scope": "対象外", "unhelpful": "👎"}


@dataclass(frozen=True)
class Numbers:
    questions: int = 0
    answered: int = 0
    did_you_mean: int = 0
    out_of_scope: int = 0
    smalltalk: int = 0
    escalated: int = 0
    helpful: int = 0
    unhelpful: int = 0


@dataclass(frozen=True)
class Abstained:
    """Questions the bot did not settle, grouped by their normalised wording."""

    text: str  # the latest wording
    count: int  # questions (and 👎) in the group
    question_id: int  # the latest of them: teaching it teaches the wording
    reasons: tuple[str, ...]  # keys of REASON_LABELS
    last_at: datetime
    decided: bool  # staff already taught this wording or confirmed the bot's answer


@dataclass(frozen=True)
class IntentRow:
    intent: str
    title: str
    count: int
    helpful: int
    unhelpful: int


@dataclass(frozen=True)
class CaseTimes:
    cases: int = 0
    claimed: int = 0
    resolved: int = 0
    to_claim: list[float] = field(default_factory=list)  # minutes, per claimed case
    to_resolve: list[float] = field(default_factory=list)  # minutes, per resolved case
    sla_breaches: int = 0  # waited longer than the service level (business minutes) before a claim


@dataclass(frozen=True)
class Report:
    first_day: date
    last_day: date
    generated_at: datetime
    totals: Numbers
    days: list[tuple[date, Numbers]]
    intents: list[IntentRow]
    abstained: list[Abstained]
    cases: CaseTimes
    sla_minutes: int
    taught_in_period: int
    taught_total: int


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), JST)


def period(now: datetime, days: int) -> tuple[datetime, datetime]:
    """[start, end) of the `days` calendar days ending today (JST)."""
    today = to_jst(now).date()
    return day_start(today - timedelta(days=days - 1)), day_start(today + timedelta(days=1))


def asked(row: dict[str, Any]) -> bool:
    return row["via"] not in PICKED


def count(questions: Iterable[dict], feedback: Iterable[dict], events: Iterable[dict]) -> Numbers:
    kinds = Counter(q["kind"] for q in questions if asked(q))
    votes = Counter(bool(f["resolved"]) for f in feedback)
    return Numbers(
        questions=sum(kinds.values()),
        answered=sum(kinds[k] for k in ANSWERED_KINDS),
        did_you_mean=kinds["did_you_mean"],
        out_of_scope=kinds["out_of_scope"],
        smalltalk=kinds["smalltalk"],
        escalated=sum(e["action"] in ESCALATING_EVENTS for e in events),
        helpful=votes[True],
        unhelpful=votes[False],
    )


def numbers(store: Store, start: datetime, end: datetime) -> Numbers:
    return count(
        store.questions_between(start, end),
        store.feedback_between(start, end),
        store.case_events_between(start, end),
    )


def abstained(store: Store, start: datetime, end: datetime, decided: set[str]) -> list[Abstained]:
    """Unsettled questions of the period, most frequent first: declined, did-you-mean, or 👎."""
    groups: dict[str, dict[str, Any]] = {}

    def add(text: str, question_id: int, reason: str, at: str) -> None:
        key = teaching.wording_key(text)
        group = groups.setdefault(key, {"ids": set(), "reasons": set(), "latest": None})
        group["ids"].add((question_id, reason))
        group["reasons"].add(reason)
        if group["latest"] is None or at >= group["latest"][0]:
            group["latest"] = (at, text, question_id)

    for q in store.questions_between(start, end):
        if asked(q) and q["kind"] in ABSTAINED_KINDS:
            add(q["text"], q["id"], q["kind"], q["asked_at"])
    for f in store.feedback_between(start, end):
        if not f["resolved"] and f["text"]:
            add(f["text"], f["question_id"], "unhelpful", f["at"])
    found = [
        Abstained(
            text=g["latest"][1],
            count=len(g["ids"]),
            question_id=g["latest"][2],
            reasons=tuple(r for r in REASON_LABELS if r in g["reasons"]),
            last_at=datetime.fromisoformat(g["latest"][0]),
            decided=key in decided,
        )
        for key, g in groups.items()
    ]
    return sorted(found, key=lambda a: (-a.count, -a.last_at.timestamp()))


def case_times(store: Store, start: datetime, end: datetime, now: datetime, level: ServiceLevel) -> CaseTimes:
    cases = store.cases_between(start, end)
    events: dict[int, list[dict]] = defaultdict(list)
    for event in store.case_events_of(c.id for c in cases):
        events[event["case_id"]].append(event)
    to_claim, to_resolve, breaches = [], [], 0
    for case in cases:
        claimed = _first(events[case.id], CLAIMING_EVENTS)
        resolved = _first(events[case.id], RESOLVING_EVENTS)
        if claimed is not None:
            to_claim.append(_minutes(case.created_at, claimed))
        if resolved is not None:
            to_resolve.append(_minutes(case.created_at, resolved))
        if level.overdue(case.created_at, claimed or now):
            breaches += 1
    return CaseTimes(
        cases=len(cases),
        claimed=len(to_claim),
        resolved=len(to_resolve),
        to_claim=to_claim,
        to_resolve=to_resolve,
        sla_breaches=breaches,
    )


def _first(events: list[dict], actions: tuple[str, ...]) -> datetime | None:
    times = [datetime.fromisoformat(e["at"]) for e in events if e["action"] in actions]
    return min(times) if times else None


def _minutes(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 60)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: list[float]) -> float | None:
    """The nearest-rank 90th percentile: the smallest value at or above 90% of them."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def report(store: Store, now: datetime, days: int, level: ServiceLevel) -> Report:
    start, end = period(now, days)
    questions = store.questions_between(start, end)
    feedback = store.feedback_between(start, end)
    events = store.case_events_between(start, end)

    def on(day: date, rows: list[dict], key: str) -> list[dict]:
        return [r for r in rows if to_jst(datetime.fromisoformat(r[key])).date() == day]

    first_day = start.date()
    per_day = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        per_day.append(
            (day, count(on(day, questions, "asked_at"), on(day, feedback, "at"), on(day, events, "at")))
        )

    replies = Replies(load_knowledge())
    answered = Counter(
        q["intent"] for q in questions if asked(q) and q["intent"] and q["kind"] not in ABSTAINED_KINDS
    )
    votes: dict[str, Counter] = defaultdict(Counter)
    for f in feedback:
        if f["intent"]:
            votes[f["intent"]][bool(f["resolved"])] += 1
    intents = [
        IntentRow(intent, replies.title(intent), n, votes[intent][True], votes[intent][False])
        for intent, n in answered.most_common()
    ]
    taught = store.taught_examples()
    return Report(
        first_day=first_day,
        last_day=end.date() - timedelta(days=1),
        generated_at=now,
        totals=count(questions, feedback, events),
        days=per_day,
        intents=intents,
        abstained=abstained(store, start, end, teaching.decided_keys(store)),
        cases=case_times(store, start, end, now, level),
        sla_minutes=level.minutes,
        taught_in_period=sum(start <= t.taught_at < end for t in taught),
        taught_total=len(taught),
    )


# --- the text report -----------------------------------------------------------------------

ABSTAINED_SHOWN = 15


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def minutes_text(value: float | None) -> str:
    return texts.duration(value) if value is not None else "-"


def render_text(r: Report) -> str:
    t = r.totals
    lines = [
        f"# faqbot 利用状況 {r.first_day.isoformat()}〜{r.last_day.isoformat()}（{len(r.days)}日間）",
        "",
        "## 質問と回答",
        f"質問                {t.questions:5d}",
        f"  回答              {t.answered:5d}  ({share(t.answered, t.questions)})",
        f"  候補の提示        {t.did_you_mean:5d}  ({share(t.did_you_mean, t.questions)})",
        f"  対象外            {t.out_of_scope:5d}  ({share(t.out_of_scope, t.questions)})",
        f"  雑談              {t.smalltalk:5d}  ({share(t.smalltalk, t.questions)})",
        f"エスカレーション    {t.escalated:5d}",
        f"フィードバック      👍 {t.helpful} / 👎 {t.unhelpful}（👍の割合 {share(t.helpful, t.helpful + t.unhelpful)}）",
        f"教えた例文          {r.taught_in_period:5d}（累計 {r.taught_total}）",
        "",
        "## 日別（質問 / 回答 / 候補 / 対象外 / 雑談 / エスカレーション / 👍 / 👎）",
    ]
    for day, n in r.days:
        lines.append(
            f"{day.isoformat()}  {n.questions:4d} {n.answered:4d} {n.did_you_mean:4d} {n.out_of_scope:4d} "
            f"{n.smalltalk:4d} {n.escalated:4d} {n.helpful:4d} {n.unhelpful:4d}"
        )
    lines += ["", "## インテント別（回答した質問、👍 / 👎）"]
    lines += [f"{row.count:5d}  👍{row.helpful} 👎{row.unhelpful}  {row.title}" for row in r.intents] or [
        "（なし）"
    ]
    lines += ["", "## 回答できなかった質問（多い順。✓ は担当者が判断済み）"]
    for a in r.abstained[:ABSTAINED_SHOWN]:
        reasons = "・".join(REASON_LABELS[x] for x in a.reasons)
        lines.append(f"{a.count:5d}  {'✓' if a.decided else ' '} {reasons}  {a.text}")
    if not r.abstained:
        lines.append("（なし）")
    c = r.cases
    lines += [
        "",
        "## 案件の対応時間",
        f"案件 {c.cases}（担当決定 {c.claimed}、解決 {c.resolved}）",
        f"担当までの時間      中央値 {minutes_text(median(c.to_claim))}、90%点 {minutes_text(p90(c.to_claim))}",
        f"解決までの時間      中央値 {minutes_text(median(c.to_resolve))}、90%点 {minutes_text(p90(c.to_resolve))}",
        f"目標（営業時間内 {r.sla_minutes}分以内に担当決定）を超えた案件  {c.sla_breaches}",
    ]
    return "\n".join(lines) + "\n"
