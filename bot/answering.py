"""Answering a question in Slack: deduplicate, route with the thread's context,
post in the thread, remember the thread.

Slack delivers one message up to three times (app_mention, the channel's
message event, and retries of either); the message key (channel, ts) is
claimed before any work so exactly one of them answers.
"""

from __future__ import annotations

import logging
import re

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot import texts
from bot.blocks import answer_blocks, fallback_text
from bot.clock import Clock
from bot.slack_api import try_call
from bot.store import Store
from intents.answer import Answer, RouteContext
from intents.router import answer_intent, route

log = logging.getLogger("faqbot.answering")

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def message_key(channel: str, ts: str) -> str:
    return f"message:{channel}:{ts}"


def mentions(text: str, user_id: str | None) -> bool:
    return bool(user_id) and any(m.group(1) == user_id for m in _MENTION.finditer(text or ""))


def question_text(text: str, bot_user_id: str | None) -> str:
    """The question without the bot's own mention (other mentions are left for the matcher to ignore)."""
    if bot_user_id:
        text = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else m.group(0), text)
    return text.strip()


class Answerer:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def answer_message(
        self,
        client: WebClient,
        *,
        channel: str,
        ts: str,
        thread_ts: str | None,
        user: str | None,
        text: str,
        via: str,
        bot_user_id: str | None,
    ) -> None:
        """Answer a partner's message in its thread, once per message however often it is delivered."""
        now = self.clock.now()
        key = message_key(channel, ts)
        if not self.store.claim(key, now):
            return
        root = thread_ts or ts
        question = question_text(text, bot_user_id)
        if not question or len(question) > texts.MAX_QUESTION_CHARS:
            notice = texts.EMPTY_QUESTION if not question else texts.TOO_LONG_QUESTION
            try_call(
                "chat.postMessage (question notice)",
                client.chat_postMessage,
                channel=channel,
                thread_ts=root,
                text=notice,
            )
            return
        # A top-level message starts its thread: there is nothing to remember yet.
        state = self.store.thread(channel, root) if thread_ts else None
        context = RouteContext(last=state.last_answer) if state and state.last_answer else None
        try:
            answer = route(question, now, context)
        except Exception:
            log.exception("route() failed for a question in %s/%s", channel, ts)
            try_call(
                "chat.postMessage (error notice)",
                client.chat_postMessage,
                channel=channel,
                thread_ts=root,
                text=texts.INTERNAL_ERROR,
            )
            return
        question_id = self.store.log_question(
            channel=channel, ts=ts, thread_ts=root, user=user, text=question, via=via, answer=answer, at=now
        )
        reply_ts = self.post_answer(
            client, channel=channel, thread_ts=root, answer=answer, question_id=question_id
        )
        if reply_ts is None:
            # Nothing reached the partner: let Slack's retry of this event try again.
            self.store.release(key)
            return
        self.store.record_reply(
            question_id,
            reply_ts,
            channel=channel,
            thread_ts=root,
            asked_by=user,
            question=question,
            answer=answer,
            at=now,
        )

    def answer_choice(
        self, client: WebClient, *, channel: str, thread_ts: str, user: str, intent: str, title: str
    ) -> bool:
        """A did-you-mean button: answer the chosen entry in the same thread."""
        now = self.clock.now()
        try:
            answer = answer_intent(intent, now)
        except Exception:
            # A stale or forged button value, or a router bug: the caller tells the partner.
            log.exception("answer_intent(%r) failed in %s/%s", intent, channel, thread_ts)
            return False
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
        reply_ts = self.post_answer(
            client, channel=channel, thread_ts=thread_ts, answer=answer, question_id=question_id
        )
        if reply_ts is None:
            return False
        self.store.record_reply(
            question_id,
            reply_ts,
            channel=channel,
            thread_ts=thread_ts,
            asked_by=user,
            question=title,
            answer=answer,
            at=now,
        )
        return True

    def post_answer(
        self,
        client: WebClient,
        *,
        channel: str,
        thread_ts: str | None,
        answer: Answer,
        question_id: int,
        blocks: list[Block] | None = None,
    ) -> str | None:
        """Post an answer; if Slack refuses the blocks, post the plain text instead. The reply's ts, or None."""
        posted = try_call(
            "chat.postMessage (answer)",
            client.chat_postMessage,
            channel=channel,
            thread_ts=thread_ts,
            blocks=blocks if blocks is not None else answer_blocks(answer, question_id),
            text=fallback_text(answer),
            unfurl_links=False,
        )
        if posted is None:
            posted = try_call(
                "chat.postMessage (plain answer)",
                client.chat_postMessage,
                channel=channel,
                thread_ts=thread_ts,
                text=answer.as_text()[:3900],
                unfurl_links=False,
            )
        return posted["ts"] if posted is not None else None
