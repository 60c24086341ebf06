"""Events API: questions (app_mention, message) and the escalation reaction.

Bolt acknowledges events before these run (in its listener threads), so the
routing and Web API calls here never hold up Slack's 3-second deadline.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.answering import mentions
from bot.case_state import CaseStatus
from bot.services import Services

# Message subtypes that are still a person's new message; every other subtype
# (message_changed, message_deleted, bot_message, channel_join …) is not a question.
QUESTION_SUBTYPES = {None, "thread_broadcast", "file_share"}
# Messages are deduplicated by (channel, ts) when answered, which also merges an
# app_mention with the message event of the same message and lets a retry
# through when the first attempt could not reply; other events by event_id.
DEDUPED_BY_MESSAGE = {"app_mention", "message"}


def _from_a_person(event: dict[str, Any], context: BoltContext) -> bool:
    user = event.get("user")
    return bool(user) and not event.get("bot_id") and user != context.bot_user_id and "edited" not in event


def register(app: App, services: Services) -> None:
    store, clock, settings = services.store, services.clock, services.settings

    @app.middleware
    def skip_retried_events(body: dict, next: Any) -> BoltResponse | None:
        # A retry (X-Slack-Retry-Num) carries the same event_id as the delivery
        # already handled: acknowledge it and do nothing.
        if (
            body.get("type") != "event_callback"
            or (body.get("event") or {}).get("type") in DEDUPED_BY_MESSAGE
        ):
            return next()
        event_id = body.get("event_id")
        if event_id and not store.claim(f"event:{event_id}", clock.now()):
            return BoltResponse(status=200, body="")
        return next()

    def answer(event: dict, client: WebClient, context: BoltContext, via: str) -> None:
        services.answerer.answer_message(
            client,
            channel=event["channel"],
            ts=event["ts"],
            thread_ts=event.get("thread_ts"),
            user=event.get("user"),
            text=event.get("text") or "",
            via=via,
            bot_user_id=context.bot_user_id,
        )

    @app.event("app_mention")
    def on_app_mention(event: dict, client: WebClient, context: BoltContext) -> None:
        if _from_a_person(event, context):
            answer(event, client, context, "mention")

    @app.event("message")
    def on_message(event: dict, client: WebClient, context: BoltContext) -> None:
        if event.get("subtype") not in QUESTION_SUBTYPES or not _from_a_person(event, context):
            return
        thread_ts = event.get("thread_ts")
        if event.get("channel_type") == "im":
            via = "dm"
        elif mentions(event.get("text") or "", context.bot_user_id):
            # The app_mention event for this message answers it if it comes first.
            via = "mention"
        elif (
            thread_ts
            and thread_ts != event.get("ts")
            and follows_up(event["channel"], thread_ts, event.get("user"))
        ):
            via = "thread"
        else:
            return
        answer(event, client, context, via)

    def follows_up(channel: str, thread_ts: str, user: str | None) -> bool:
        """An unmentioned reply is for the bot only in a thread it answered that no staff member has taken."""
        if settings.is_staff(user) or store.thread(channel, thread_ts) is None:
            return False
        case = store.case_for_thread(channel, thread_ts)
        return case is None or case.status is CaseStatus.resolved

    @app.event("reaction_added")
    def on_reaction(event: dict, client: WebClient, context: BoltContext) -> None:
        item = event.get("item") or {}
        user = event.get("user")
        if event.get("reaction") != settings.escalation_emoji or item.get("type") != "message":
            return
        if not user or user == context.bot_user_id:
            return
        channel = item["channel"]
        root, text, author = services.escalations.locate(client, channel, item["ts"])
        escalation = services.escalations.escalate(
            client, channel=channel, thread_ts=root, by=user, via="reaction", question=text, asked_by=author
        )
        services.escalations.tell_escalator(client, escalation, channel=channel, user=user)
