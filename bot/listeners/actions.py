"""Buttons: feedback, did-you-mean choices, 担当者に相談, sharing a command answer, and the staff card.

Each acknowledges first (Slack wants it within 3 seconds) and then works.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import blocks, texts
from bot.case_state import TransitionError
from bot.escalation import StaffAction
from bot.services import Services
from bot.slack_api import try_call

STAFF_ACTIONS = {
    blocks.CASE_CLAIM: StaffAction.claim,
    blocks.CASE_RESOLVE: StaffAction.resolve,
    blocks.CASE_BOT_CORRECT: StaffAction.bot_correct,
}


def _where(body: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(channel, message ts, thread root ts) of the message holding the button."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = message.get("ts") or container.get("message_ts")
    root = message.get("thread_ts") or container.get("thread_ts") or ts
    return channel, ts, root


def register(app: App, services: Services) -> None:
    store, clock = services.store, services.clock

    def tell(client: WebClient, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        try_call(
            "chat.postEphemeral",
            client.chat_postEphemeral,
            channel=channel,
            user=user,
            text=text,
            thread_ts=thread_ts,
        )

    def feedback(ack: Ack, body: dict, action: dict, client: WebClient, resolved: bool) -> None:
        ack()
        user = body["user"]["id"]
        channel, _, root = _where(body)
        question_id = int(action["value"])
        if store.question(question_id) is None:
            tell(client, channel, user, texts.FEEDBACK_UNKNOWN_QUESTION, root)
            return
        store.record_feedback(question_id, user, resolved, clock.now())
        tell(
            client,
            channel,
            user,
            texts.FEEDBACK_THANKS_RESOLVED if resolved else texts.FEEDBACK_THANKS_UNRESOLVED,
            root,
        )

    @app.action(blocks.FEEDBACK_RESOLVED)
    def on_resolved(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        feedback(ack, body, action, client, True)

    @app.action(blocks.FEEDBACK_UNRESOLVED)
    def on_unresolved(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        feedback(ack, body, action, client, False)

    @app.action(re.compile("^" + re.escape(blocks.CHOOSE_INTENT_PREFIX)))
    def on_choice(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        channel, _, root = _where(body)
        intent, _question_id = blocks.parse_choice_value(action["value"])
        title = action.get("text", {}).get("text") or intent
        if not services.answerer.answer_choice(
            client, channel=channel, thread_ts=root, user=user, intent=intent, title=title
        ):
            tell(client, channel, user, texts.ANSWER_FAILED, root)

    @app.action(blocks.ESCALATE)
    def on_escalate(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        channel, _, root = _where(body)
        question = store.question(int(action["value"])) or {}
        # The question log knows the thread even if the payload's message lacks thread_ts.
        thread_ts = question.get("thread_ts") or root
        escalation = services.escalations.escalate(
            client,
            channel=channel,
            thread_ts=thread_ts,
            by=user,
            via="button",
            question=question.get("text") or "",
            asked_by=question.get("user"),
        )
        services.escalations.tell_escalator(client, escalation, channel=channel, user=user)

    @app.action(blocks.SHARE_ANSWER)
    def on_share(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        saved = store.command_answer(int(action["value"]))
        if saved is None:
            respond(text=texts.SHARE_EXPIRED, replace_original=False)
            return
        now = clock.now()
        question_id = store.log_question(
            channel=channel,
            ts=None,
            thread_ts=None,
            user=user,
            text=saved.text,
            via="share",
            answer=saved.answer,
            at=now,
        )
        shared = blocks.shared_answer_blocks(
            saved.answer, question_id, user, f"{saved.command} {saved.text}".strip()
        )
        reply_ts = services.answerer.post_answer(
            client,
            channel=channel,
            thread_ts=None,
            answer=saved.answer,
            question_id=question_id,
            blocks=shared,
        )
        if reply_ts is None:
            respond(text=texts.SHARE_FAILED, replace_original=False)
            return
        # The shared message starts a thread the bot answered: follow-ups there work.
        store.record_reply(
            question_id,
            reply_ts,
            channel=channel,
            thread_ts=reply_ts,
            asked_by=user,
            question=saved.text,
            answer=saved.answer,
            at=now,
        )
        respond(text=texts.SHARED, replace_original=True)

    def staff_action(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        channel, _, _ = _where(body)
        try:
            services.escalations.act(
                client, case_id=int(action["value"]), user=user, action=STAFF_ACTIONS[action["action_id"]]
            )
        except TransitionError as refusal:
            # Checked here on the server: anyone in the staff channel can press the buttons.
            tell(client, channel, user, refusal.message)

    for action_id in STAFF_ACTIONS:
        app.action(action_id)(staff_action)
