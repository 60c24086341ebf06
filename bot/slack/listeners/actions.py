"""Buttons: feedback, did-you-mean choices, 担当者に相談, sharing a command answer, the staff card,
App Home (claim, the FAQ index, teach) and PWP reminders.

Each checks its button's value against where it was pressed (bot/payloads.py),
stores what the press changes, then acknowledges (Slack wants it within 3
seconds; the store takes milliseconds) and then sends the Slack writes the
change needs. A press Slack saw acknowledged is never lost to a crash.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.desk import controls, texts
from bot.desk.case_state import TransitionError
from bot.desk.controls import parse_id
from bot.desk.escalation import StaffAction
from bot.desk.reminder_requests import ReminderRequest
from bot.slack import blocks
from bot.slack.outbox import DEAD, PENDING
from bot.slack.payloads import parse_choice, question_is_here
from bot.slack.services import Services
from bot.slack.web_api import try_call

STAFF_ACTIONS = {
    controls.CASE_CLAIM: StaffAction.claim,
    controls.CASE_RESOLVE: StaffAction.resolve,
    controls.CASE_BOT_CORRECT: StaffAction.bot_correct,
}


def _where(body: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(channel, message ts, thread root ts) of the message holding the button; None where the
    payload does not say (a forged or truncated one)."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = message.get("ts") or container.get("message_ts")
    root = message.get("thread_ts") or container.get("thread_ts") or ts
    return channel, ts, root


def register(app: App, services: Services) -> None:
    store, clock = services.store, services.clock

    def tell(client: WebClient, channel: str | None, user: str, text: str, thread_ts: str | None = None) -> None:
        try_call(
            "chat.postEphemeral",
            client.chat_postEphemeral,
            channel=channel,
            user=user,
            text=text,
            thread_ts=thread_ts,
        )

    def asked_here(body: dict, value: Any) -> int | None:
        """The question id of an answer's button, if it is the question answered where it was pressed."""
        channel, ts, root = _where(body)
        question_id = parse_id(value)
        if question_id is None or not question_is_here(store.question(question_id), channel, root, ts):
            return None
        return question_id

    def feedback(ack: Ack, body: dict, action: dict, client: WebClient, resolved: bool) -> None:
        user = body["user"]["id"]
        channel, _, root = _where(body)
        question_id = asked_here(body, action.get("value"))
        if question_id is not None:
            store.record_feedback(question_id, user, resolved, clock.now())
        ack()
        if question_id is None:
            tell(client, channel, user, texts.FEEDBACK_UNKNOWN_QUESTION, root)
            return
        tell(
            client,
            channel,
            user,
            texts.FEEDBACK_THANKS_RESOLVED if resolved else texts.FEEDBACK_THANKS_UNRESOLVED,
            root,
        )

    @app.action(controls.FEEDBACK_RESOLVED)
    def on_resolved(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        feedback(ack, body, action, client, True)

    @app.action(controls.FEEDBACK_UNRESOLVED)
    def on_unresolved(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        feedback(ack, body, action, client, False)

    @app.action(re.compile("^" + re.escape(controls.CHOOSE_INTENT_PREFIX)))
    def on_choice(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        channel, message_ts, root = _where(body)
        choice = parse_choice(action.get("value"))
        if (
            channel is None
            or root is None
            or choice is None
            or (choice[1] is not None and asked_here(body, str(choice[1])) is None)
        ):
            ack()
            tell(client, channel, user, texts.INVALID_BUTTON, root)
            return
        intent = choice[0]
        title = str((action.get("text") or {}).get("text") or intent)[: blocks.BUTTON_LIMIT]
        writes = services.answerer.answer_choice(
            channel=channel, thread_ts=root, message_ts=message_ts, user=user, intent=intent, title=title
        )
        ack()
        if writes is None or DEAD in services.outbox.send(writes).values():
            tell(client, channel, user, texts.ANSWER_FAILED, root)

    @app.action(controls.ESCALATE)
    def on_escalate(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        channel, _, root = _where(body)
        question_id = asked_here(body, action.get("value"))
        if question_id is None or channel is None or root is None:
            ack()
            tell(client, channel, user, texts.INVALID_BUTTON, root)
            return
        question = store.question(question_id) or {}
        # The question log knows the thread even if the payload's message lacks thread_ts.
        escalation = services.escalations.record(
            channel=channel,
            thread_ts=question.get("thread_ts") or root,
            by=user,
            via="button",
            question=question.get("text") or "",
            asked_by=question.get("user"),
        )
        ack()
        outcome = services.escalations.deliver(escalation)
        services.escalations.tell_escalator(client, escalation.case, outcome, channel=channel, user=user)

    @app.action(controls.FULL_ENTRY)
    def on_full_entry(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        channel, _, root = _where(body)
        question_id = asked_here(body, action.get("value"))
        answer = store.answer_of(question_id) if question_id is not None else None
        if answer is None or not answer.sections:
            tell(client, channel, user, texts.INVALID_BUTTON, root)
            return
        try_call(
            "views.open (全文を見る)",
            client.views_open,
            trigger_id=body["trigger_id"],
            view=blocks.full_entry_modal(answer),
        )

    @app.action(controls.SHARE_ANSWER)
    def on_share(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        answer_id = parse_id(action.get("value"))
        saved = store.command_answer(answer_id) if answer_id is not None else None
        # An ephemeral answer is seen only by whoever ran the command: nobody else can share it.
        if saved is None or saved.user != user or not isinstance(channel, str):
            ack()
            respond(text=texts.SHARE_EXPIRED, replace_original=False)
            return
        writes = services.answerer.share(saved, channel=channel, user=user)
        ack()
        if not writes:
            respond(text=texts.ALREADY_SHARED, replace_original=True)
            return
        state = services.outbox.send(writes)[writes[0]]
        if state == DEAD:
            respond(text=texts.SHARE_FAILED, replace_original=False)
        elif state == PENDING:
            respond(text=texts.SHARE_DELAYED, replace_original=False)
        else:
            respond(text=texts.SHARED, replace_original=True)

    def staff_action(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        channel, ts, _ = _where(body)
        case_id = parse_id(action.get("value"))
        try:
            if case_id is None:
                raise TransitionError(texts.INVALID_BUTTON)
            # Checked here on the server: anyone in the staff channel can press the buttons.
            writes = services.escalations.act(
                case_id=case_id, user=user, action=STAFF_ACTIONS[action["action_id"]], channel=channel, message_ts=ts
            )
        except TransitionError as refusal:
            ack()
            tell(client, channel, user, refusal.message)
            return
        ack()
        services.outbox.send(writes)

    for action_id in STAFF_ACTIONS:
        app.action(action_id)(staff_action)

    # --- the staff's workbench (App Home, teaching) and PWP reminders -------------------------

    def in_home(body: dict) -> bool:
        return (body.get("container") or {}).get("type") == "view"

    @app.action(controls.TEACH_OPEN)
    def on_teach_open(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        # Nothing is stored until the modal is submitted; the trigger expires in 3 seconds.
        ack()
        user = body["user"]["id"]
        channel, ts, _ = _where(body)
        home = in_home(body)
        try:
            services.teacher.open(
                client,
                user=user,
                trigger_id=body["trigger_id"],
                ref=action.get("value"),
                pressed_on=None if home else (channel, ts),
            )
        except TransitionError as refusal:
            if home:
                services.home.publish(client, user, refusal.message)
            else:
                tell(client, channel, user, refusal.message)

    @app.action(controls.HOME_CLAIM)
    def on_home_claim(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        case_id = parse_id(action.get("value"))
        try:
            if case_id is None:
                raise TransitionError(texts.INVALID_BUTTON)
            writes = services.home.claim(case_id=case_id, user=user)
        except TransitionError as refusal:
            ack()
            services.home.publish(client, user, refusal.message)
            return
        ack()
        services.outbox.send(writes)
        services.home.publish(client, user, texts.home_claimed(case_id))

    @app.action(re.compile("^" + re.escape(controls.HOME_ANSWER_PREFIX)))
    def on_home_answer(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        value = action.get("value")
        notice = services.home.send_answer(client, user=user, intent=value if isinstance(value, str) else "")
        services.home.publish(client, user, notice)

    @app.action(controls.REMIND_PWP)
    def on_remind(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        user = body["user"]["id"]
        channel, _, root = _where(body)
        request = ReminderRequest.from_value(action.get("value"))
        if request is None:
            reminder, message = None, texts.INVALID_BUTTON
        else:
            reminder, message = services.reminders.record(user=user, request=request)
        ack()
        if reminder is not None:
            services.reminders.hand_over(client, reminder)
        # Under an ephemeral /pwp answer only response_url reaches the partner.
        if (body.get("container") or {}).get("is_ephemeral"):
            respond(text=message, replace_original=False)
        else:
            tell(client, channel, user, message, root)

    @app.action(controls.REMINDER_CANCEL)
    def on_reminder_cancel(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        reminder_id = parse_id(action.get("value"))
        if reminder_id is None:
            message = texts.INVALID_BUTTON
        else:
            message = services.reminders.cancel(client, user=user, reminder_id=reminder_id)
        listing = services.reminders.listing(user, message)
        respond(blocks=listing, text=message, replace_original=True)
