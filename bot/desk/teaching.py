"""Teaching the matcher from real traffic.

On a staff card, or in App Home for the questions the bot did not settle,
staff say what a question was: one of the intents, or out of scope. The
question becomes an example of that intent at once: the decision is stored
(taught_examples), merged with the YAML examples whenever the matcher is
built (intents.router.rebuild, here and at start-up), and the new matcher is
swapped in without a restart.

The decisions are also the raw material of review and measurement:
`faqbot examples export` writes them as YAML to merge into knowledge/data, and
`faqbot eval --from-log` replays them, with the answers staff confirmed right,
as a regression set. A taught question is an example afterwards, so that set
shows that fixes stay fixed; the labelled sets in tests/data stay the measure
of accuracy.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import yaml

from bot.desk import texts
from bot.desk.case_state import Case, TransitionError, require_staff
from bot.desk.controls import KIND_LABELS, TEACH_INTENT_ACTION, TEACH_INTENT_BLOCK, parse_id
from bot.desk.ports import Json, SlackPort, WebApi
from bot.runtime.clock import Clock
from bot.store import Store, TaughtExample
from intents.evaluation import Labelled
from intents.normalize import fuzzy_key, normalize
from intents.replies import Replies
from intents.router import rebuild
from knowledge.loader import Knowledge, load_knowledge

log = logging.getLogger("faqbot.teaching")

OUT_OF_SCOPE = "null"
ORIGINS = ("home", "card")
OUT_OF_SCOPE_LABEL = "対象外（ハンドブックの範囲外: 回答せず担当者を案内）"
# One store-and-rebuild at a time, so the pipeline swapped in last holds every decision.
_rebuild_lock = threading.Lock()
# The store's taught_signature() when this process's pipeline was last built.
_applied: tuple[tuple[int, str], ...] = ()
# How soon a worker of `faqbot serve --http --workers N` answers with what staff taught through another.
SYNC_SECONDS = 2.0


@dataclass(frozen=True)
class Target:
    """The question being taught, and where it came from."""

    ref: str  # "case:<id>" or "question:<id>" (bot.slack.blocks.teach_value)
    text: str
    question_id: int | None
    case: Case | None
    asked_at: datetime
    bot_did: str  # what the bot answered, shown in the modal


def wording_key(text: str) -> str:
    """Questions that differ only in width, case, spacing, punctuation, small kana or Slack markup
    are one wording."""
    return fuzzy_key(normalize(text)) or text


def intent_title(intent: str, knowledge: Knowledge | None = None) -> str:
    if intent == OUT_OF_SCOPE:
        return OUT_OF_SCOPE_LABEL
    return Replies(knowledge or load_knowledge()).title(intent)


def intent_choices(knowledge: Knowledge) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every intent staff can pick, grouped as the handbook's index: (group label, [(intent, title)])."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for entry in knowledge.faq.values():
        groups[entry.section].append((entry.id, intent_title(entry.id, knowledge)))
    for intent in knowledge.examples:
        if intent in knowledge.faq or intent == OUT_OF_SCOPE:
            continue
        group = "雑談" if intent.startswith("smalltalk.") else "計算・窓口・資料"
        groups[group].append((intent, intent_title(intent, knowledge)))
    groups["対象外"].append((OUT_OF_SCOPE, OUT_OF_SCOPE_LABEL))
    return list(groups.items())


def taught_mapping(examples: list[TaughtExample]) -> dict[str, list[str]]:
    """The decisions as rebuild() takes them; an intent no longer in the YAML is skipped, loudly."""
    known = load_knowledge().examples
    mapping: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        if example.intent in known:
            mapping[example.intent].append(example.text)
        else:
            log.warning("taught example #%s names unknown intent %r: skipped", example.id, example.intent)
    return dict(mapping)


def restore(store: Store) -> int:
    """At start-up: serve what staff taught before the restart. The number of examples restored."""
    with _rebuild_lock:
        taught = _apply(store.taught_examples())
    return sum(len(examples) for examples in taught.values())


def sync(store: Store) -> bool:
    """Rebuild if the store holds decisions this process's pipeline lacks (taught through
    another worker process); whether it did."""
    if store.taught_signature() == _applied:
        return False
    with _rebuild_lock:
        _apply(store.taught_examples())
    return True


def _apply(examples: list[TaughtExample]) -> dict[str, list[str]]:
    """Rebuild with `examples` (under _rebuild_lock); nothing to do when none was ever taught."""
    global _applied
    taught = taught_mapping(examples)
    if taught or _applied:
        rebuild(taught)
    _applied = tuple((e.id, e.intent) for e in examples)
    return taught


def decided_keys(store: Store) -> set[str]:
    """Wordings staff already decided: taught, or the bot's answer confirmed right."""
    keys = {wording_key(t.text) for t in store.taught_examples()}
    keys |= {wording_key(c.question) for c in store.confirmed_cases() if c.question}
    return keys


def regression_set(store: Store) -> list[Labelled]:
    """The logged questions with a staff decision, labelled as staff decided, at the moment they were asked.

    A confirmed case counts only when its thread holds one typed question: with
    follow-ups, "the bot's answer was right" does not say which answer. A later
    teaching of the same wording overrides a confirmation.
    """
    taught = store.taught_examples()
    items = [
        Labelled(
            t.text, None if t.intent == OUT_OF_SCOPE else t.intent, ("taught",), None, t.asked_at.isoformat()
        )
        for t in taught
    ]
    seen = {wording_key(t.text) for t in taught}
    for case in store.confirmed_cases():
        typed = [q for q in store.questions_in_thread(case.channel, case.thread_ts) if q["via"] != "choice"]
        if len(typed) != 1 or typed[0]["kind"] == "did_you_mean" or wording_key(typed[0]["text"]) in seen:
            continue
        question = typed[0]
        gold = None if question["kind"] == "out_of_scope" else question["intent"]
        seen.add(wording_key(question["text"]))
        items.append(Labelled(question["text"], gold, ("confirmed",), None, question["asked_at"]))
    return items


def export_yaml(examples: list[TaughtExample], generated_at: datetime) -> str:
    """The decisions in knowledge/data/examples.yaml's shape, one comment per example saying where it came from."""
    by_intent: dict[str, list[TaughtExample]] = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example)
    order = {intent: i for i, intent in enumerate(load_knowledge().examples)}
    lines = [
        f"# Examples taught by support staff (faqbot examples export, {generated_at.isoformat(timespec='minutes')}).",
        "# Review each one, then move it under the same intent in knowledge/data/examples.yaml",
        "# (keep it only if it is a realistic partner question for that intent, and never copy",
        "# questions from tests/data); then run `faqbot knowledge check` and `faqbot eval`.",
        "# Taught examples stay in the bot's database: merging them only makes them reviewed data.",
    ]
    for intent in sorted(by_intent, key=lambda i: (order.get(i, len(order)), i)):
        lines += ["", f"- intent: {_yaml_scalar(intent)}", "  examples:"]
        for example in by_intent[intent]:
            where = f"question #{example.question_id}" if example.question_id else f"case #{example.case_id}"
            taught_on = example.taught_at.date().isoformat()
            lines.append(f"    - {_yaml_scalar(example.text)}  # {example.taught_by} {taught_on}, {where}")
    return "\n".join(lines) + "\n"


def _yaml_scalar(text: str) -> str:
    # A double-quoted YAML scalar: every character survives, line breaks included.
    return (
        yaml.safe_dump(text, allow_unicode=True, default_style='"', width=10**9)
        .removesuffix("\n...\n")
        .strip()
    )


def parse_ref(value: object) -> tuple[str, int] | None:
    """A teach button's value (bot.slack.blocks.teach_value): ("case" | "question", id)."""
    if not isinstance(value, str):
        return None
    kind, _, raw_id = value.partition(":")
    item_id = parse_id(raw_id)
    return (kind, item_id) if kind in ("case", "question") and item_id is not None else None


def parse_metadata(value: object) -> tuple[str, str] | None:
    """The teach modal's private_metadata: (reference, where it was opened: "home" or "card")."""
    try:
        data = json.loads(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or parse_ref(data.get("ref")) is None or data.get("origin") not in ORIGINS:
        return None
    return data["ref"], data["origin"]


class TeachViews(Protocol):
    """The teach modal as Slack shows it (bot/slack/views.py)."""

    def teach_modal(self, target: Target, origin: str) -> Json: ...


class Teacher:
    def __init__(
        self, store: Store, clock: Clock, staff: Container[str], outbox: SlackPort, views: TeachViews
    ) -> None:
        self.store = store
        self.clock = clock
        self.staff = staff
        self.outbox = outbox
        self.views = views

    def target(self, ref: str) -> Target | None:
        parsed = parse_ref(ref)
        if parsed is None:
            return None
        kind, item_id = parsed
        if kind == "question":
            question = self.store.question(item_id)
            if question is None:
                return None
            return Target(
                ref=ref,
                text=question["text"],
                question_id=question["id"],
                case=None,
                asked_at=datetime.fromisoformat(question["asked_at"]),
                bot_did=_logged_judgement(question),
            )
        case = self.store.case(item_id)
        if case is None or not case.question:
            return None
        logged = [
            q
            for q in self.store.questions_in_thread(case.channel, case.thread_ts)
            if q["text"] == case.question
        ]
        return Target(
            ref=ref,
            text=case.question,
            question_id=logged[0]["id"] if logged else None,
            case=case,
            asked_at=datetime.fromisoformat(logged[0]["asked_at"]) if logged else case.created_at,
            bot_did=_case_judgement(case),
        )

    def open(
        self,
        client: WebApi,
        *,
        user: str,
        trigger_id: str,
        ref: object,
        pressed_on: tuple[str | None, str | None] | None,
    ) -> None:
        """Open the teach modal. `pressed_on` is the (channel, ts) of the staff card pressed, None in
        App Home. Raises TransitionError (Japanese message) to refuse."""
        require_staff(user, self.staff)
        target = self.target(ref) if isinstance(ref, str) else None
        if target is None:
            raise TransitionError(texts.TEACH_QUESTION_GONE)
        # A card's button teaches that card's case: a forged id cannot reach another one.
        if pressed_on is not None and (
            target.case is None or (target.case.staff_channel, target.case.staff_ts) != pressed_on
        ):
            raise TransitionError(texts.INVALID_BUTTON)
        origin = "home" if pressed_on is None else "card"
        self.outbox.call(
            "views.open (teach modal)",
            client.views_open,
            trigger_id=trigger_id,
            view=self.views.teach_modal(target, origin),
        )

    def check(self, *, user: str, ref: str, intent: str | None) -> tuple[Target, str]:
        """A submission's target and intent, checked before the modal closes. Raises TransitionError to refuse."""
        require_staff(user, self.staff)
        if intent is None or intent not in load_knowledge().examples:
            raise TransitionError(texts.TEACH_UNKNOWN_INTENT)
        target = self.target(ref)
        if target is None:
            raise TransitionError(texts.TEACH_QUESTION_GONE)
        return target, intent

    def record(self, target: Target, intent: str, user: str) -> list[int]:
        """Store the decision, and the note on the case's card saying so; the writes to send."""
        now = self.clock.now()
        case = target.case
        with self.store.transaction():
            self.store.save_taught(
                text=target.text,
                intent=intent,
                question_id=target.question_id,
                case_id=case.id if case else None,
                asked_at=target.asked_at,
                by=user,
                at=now,
            )
            if case is None:
                return []
            event_id = self.store.add_case_event(case.id, user, "taught", now, intent)
            if not (case.staff_channel and case.staff_ts):
                return []
            return [
                self.outbox.add_message(
                    key=f"taught:{case.id}:{event_id}",
                    channel=case.staff_channel,
                    thread_ts=case.staff_ts,
                    text=texts.taught(user, intent_title(intent), intent == OUT_OF_SCOPE),
                )
            ]

    def apply(self) -> None:
        """Swap in a matcher built with every decision stored so far (about half a second)."""
        with _rebuild_lock:
            _apply(self.store.taught_examples())


def _logged_judgement(question: dict) -> str:
    kind = KIND_LABELS.get(question["kind"], question["kind"])
    return f"{kind}（{question['intent'] or '該当なし'} / 確信度 {question['confidence'] or 0:.0%}）"


def _case_judgement(case: Case) -> str:
    answer = case.answer
    if answer is None:
        return "このスレッドにボットは回答していません"
    kind = KIND_LABELS.get(answer.kind, answer.kind)
    shown = f"{kind}（{answer.intent or '該当なし'} / 確信度 {answer.confidence:.0%}）"
    candidates = " / ".join(f"{c.intent} {c.score:.2f}" for c in answer.alternatives[:3])
    return f"{shown}　候補: {candidates}" if candidates else shown


def submitted_intent(view: dict) -> str | None:
    values = view.get("state", {}).get("values", {}).get(TEACH_INTENT_BLOCK, {})
    return ((values.get(TEACH_INTENT_ACTION) or {}).get("selected_option") or {}).get("value")
