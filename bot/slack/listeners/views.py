"""Modal submissions: the escalation note from the message shortcut, and teaching an intent."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.desk import controls, teaching, texts
from bot.desk.case_state import TransitionError
from bot.slack.payloads import note_of
from bot.slack.services import Services


def register(app: App, services: Services) -> None:
    @app.view(controls.TEACH_MODAL)
    def on_teach_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        found = teaching.parse_metadata(view.get("private_metadata"))
        intent = teaching.submitted_intent(view)
        try:
            if found is None:
                raise TransitionError(texts.INVALID_BUTTON)
            target, intent = services.teacher.check(user=user, ref=found[0], intent=intent)
        except TransitionError as refusal:
            ack(response_action="errors", errors={controls.TEACH_INTENT_BLOCK: refusal.message})
            return
        # The decision is stored before the modal closes; the rebuild (about half a second) after.
        writes = services.teacher.record(target, intent, user)
        ack()
        services.teacher.apply()
        services.outbox.send(writes)
        if found[1] == "home":
            out_of_scope = intent == teaching.OUT_OF_SCOPE
            question = controls.truncate(target.text, 80)
            notice = texts.taught_notice(question, teaching.intent_title(intent), out_of_scope)
            services.home.publish(client, user, notice)

    @app.view(controls.ESCALATE_MODAL)
    def on_escalate_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        try:
            # The thread is the one stored when this user opened this modal: nothing the
            # submission carries (private_metadata included) decides what is escalated.
            target = services.escalations.modal_target(view.get("id"), user)
        except TransitionError as refusal:
            ack(response_action="errors", errors={controls.ESCALATE_NOTE_BLOCK: refusal.message})
            return
        # Stored before the modal closes (milliseconds); the Slack calls come after.
        escalation = services.escalations.record(
            channel=target.channel,
            thread_ts=target.thread_ts,
            by=user,
            via="shortcut",
            note=note_of(view, controls.ESCALATE_NOTE_BLOCK, controls.ESCALATE_NOTE_ACTION),
            question=target.text,
            asked_by=target.author,
        )
        ack()
        outcome = services.escalations.deliver(escalation)
        services.escalations.tell_escalator(client, escalation.case, outcome, channel=target.channel, user=user)
