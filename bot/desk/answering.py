"""Answering a question in Slack: route with the thread's context, record the
answer in the outbox, remember the thread once Slack has the reply.

Each method records and returns outbox ids; the caller sends them, after
acknowledging Slack where there is something to acknowledge. Deduplication of
Slack's deliveries happens before (bot/intake.py): a journalled question's
entry is settled in the same transaction that records its answer, so a
restart in between answers it once, not twice or never.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.desk import texts
from bot.desk.controls import escape
from bot.desk.ports import Json, SlackPort
from bot.runtime.clock import Clock
from bot.store import CommandAnswer, Store
from intents.answer import Answer, RouteContext
from intents.router import answer_intent, route

log = logging.getLogger("faqbot.answering")

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
# Slack's limit for a message's text is 40,000 characters; plain answers are far shorter.
PLAIN_ANSWER_LIMIT = 3900
RECORD_REPLY = "record_reply"


def message_key(channel: str, ts: str) -> str:
    return f"message:{channel}:{ts}"


def mentions(text: str, user_id: str | None) -> bool:
    return bool(user_id) and any(m.group(1) == user_id for m in _MENTION.finditer(text or ""))


def question_text(text: str, bot_user_id: str | None) -> str:
    """The question without the bot's own mention (other mentions are left for the matcher to ignore)."""
    if bot_user_id:
        text = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else m.group(0), text)
    return text.strip()


class AnswerViews(Protocol):
    """An answer as Slack shows it (bot/slack/views.py)."""

    def answer_body(self, answer: Answer) -> list[Json]: ...

    def answer_actions(self, answer: Answer, question_id: int) -> list[Json]: ...

    def fallback_text(self, answer: Answer) -> str: ...

    def shared_answer(self, answer: Answer, question_id: int, user: str, command: str) -> list[Json]: ...


@dataclass(frozen=True)
class _Draft:
    """An answer made ready for the outbox before the store's lock is taken (every worker
    shares that lock, so it is held for writes only): all of it but what needs the question id."""

    answer: Answer
    body: list[dict]  # the answer's blocks, without the buttons that carry the question id
    text: str  # the message's notification text
    plain: str  # the whole answer as text, should Slack refuse the blocks
    recorded: dict[str, Any]  # the answer as JSON, for the thread's memory once the reply is posted

    @classmethod
    def of(cls, answer: Answer, views: AnswerViews) -> _Draft:
        return cls(
            answer=answer,
            body=views.answer_body(answer),
            text=views.fallback_text(answer),
            plain=escape(answer.as_text()[:PLAIN_ANSWER_LIMIT]),
            recorded=answer.model_dump(mode="json"),
        )


class Answerer:
    def __init__(self, store: Store, clock: Clock, outbox: SlackPort, views: AnswerViews) -> None:
        self.store = store
        self.clock = clock
        self.outbox = outbox
        self.views = views
        outbox.on_sent(RECORD_REPLY, self._record_reply)

    def answer_message(
        self,
        *,
        channel: str,
        ts: str,
        thread_ts: str | None,
        user: str | None,
        text: str,
        via: str,
        bot_user_id: str | None,
        settles: str | None = None,
    ) -> list[int]:
        """A partner's message: its reply recorded (and the journal entry `settles` settled)."""
        now = self.clock.now()
        root = thread_ts or ts
        question = question_text(text, bot_user_id)
        answer: Answer | None = None
        if not question:
            notice = texts.EMPTY_QUESTION
        elif len(question) > texts.MAX_QUESTION_CHARS:
            notice = texts.TOO_LONG_QUESTION
        else:
            # A top-level message starts its thread: there is nothing to remember yet.
            state = self.store.thread(channel, root) if thread_ts else None
            context = RouteContext(last=state.last_answer) if state and state.last_answer else None
            try:
                answer = route(question, now, context)
            except Exception:
                log.exception("route() failed for a question in %s/%s", channel, ts)
                notice = texts.INTERNAL_ERROR
        draft = _Draft.of(answer, self.views) if answer is not None else None
        with self.store.transaction():
            if settles:
                self.store.settle(settles)
            if draft is None:
                key = f"notice:{message_key(channel, ts)}"
                return [self.outbox.add_message(key=key, channel=channel, thread_ts=root, text=notice)]
            question_id = self.store.log_question(
                channel=channel, ts=ts, thread_ts=root, user=user, text=question, via=via, answer=draft.answer, at=now
            )
            return [self._reply(channel, root, user, question, draft, question_id, now)]

    def answer_choice(
        self, *, channel: str, thread_ts: str, message_ts: str | None, user: str, intent: str, title: str
    ) -> list[int] | None:
        """A did-you-mean button on the message at `message_ts`: the chosen entry answered in the same
        thread, once however often it is pressed ([] for a press already answered); None for an
        unknown intent."""
        now = self.clock.now()
        try:
            answer = answer_intent(intent, now)
        except Exception:
            # A stale or forged button value, or a router bug: the caller tells the partner.
            log.exception("answer_intent(%r) failed in %s/%s", intent, channel, thread_ts)
            return None
        draft = _Draft.of(answer, self.views)
        with self.store.transaction():
            if not self.store.claim(f"choice:{channel}:{message_ts or thread_ts}:{intent}", now):
                return []
            question_id = self.store.log_question(
                channel=channel,
                ts=None,
                thread_ts=thread_ts,
                user=user,
                text=title,
                via="choice",
                answer=answer,
                at=now,
            )
            return [self._reply(channel, thread_ts, user, title, draft, question_id, now)]

    def share(self, saved: CommandAnswer, *, channel: str, user: str) -> list[int]:
        """A slash-command answer posted for everyone; its message starts a thread the bot follows.
        Once per answer, however often 「チャンネルに共有」 is pressed ([] for a later press)."""
        command = f"{saved.command} {saved.text}".strip()
        return self.answer_top_level(
            channel=channel,
            user=user,
            question=saved.text,
            answer=saved.answer,
            via="share",
            blocks=lambda question_id: self.views.shared_answer(saved.answer, question_id, user, command),
            once=f"share:{saved.id}",
        )

    def answer_top_level(
        self,
        *,
        channel: str,
        user: str,
        question: str,
        answer: Answer,
        via: str,
        blocks: Callable[[int], list[Json]] | None = None,
        once: str | None = None,
    ) -> list[int]:
        """An answer posted as a new message (a channel, a DM); it starts a thread the bot follows.
        `blocks` renders it for its question id (default: the usual answer); with `once`, a dedupe
        key, only the first call posts ([] after)."""
        now = self.clock.now()
        draft = _Draft.of(answer, self.views)
        with self.store.transaction():
            if once is not None and not self.store.claim(once, now):
                return []
            question_id = self.store.log_question(
                channel=channel, ts=None, thread_ts=None, user=user, text=question, via=via, answer=answer, at=now
            )
            rendered = blocks(question_id) if blocks is not None else None
            return [self._reply(channel, None, user, question, draft, question_id, now, rendered)]

    def _reply(
        self,
        channel: str,
        thread_ts: str | None,
        asked_by: str | None,
        question: str,
        draft: _Draft,
        question_id: int,
        at: datetime,
        blocks: list[dict] | None = None,
    ) -> int:
        """The reply's outbox write; `blocks` replace the usual answer with its buttons."""
        if blocks is None:
            blocks = draft.body + self.views.answer_actions(draft.answer, question_id)
        record = {
            "question_id": question_id,
            "channel": channel,
            "thread_ts": thread_ts,
            "asked_by": asked_by,
            "question": question,
            "answer": draft.recorded,
            "at": at.isoformat(),
        }
        return self.outbox.add_message(
            key=f"reply:{question_id}",
            channel=channel,
            thread_ts=thread_ts,
            text=draft.text,
            blocks=blocks,
            fallback=draft.plain,
            after=(RECORD_REPLY, record),
        )

    def _record_reply(self, record: dict, reply_ts: str) -> None:
        """Once Slack has the reply: where it went, and the thread's memory for the next turn."""
        self.store.record_reply(
            record["question_id"],
            reply_ts,
            channel=record["channel"],
            # A top-level reply (a shared answer) starts its own thread.
            thread_ts=record["thread_ts"] or reply_ts,
            asked_by=record["asked_by"],
            question=record["question"],
            answer=record["answer"],
            at=datetime.fromisoformat(record["at"]),
        )
