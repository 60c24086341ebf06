"""Modal submissions: the escalation note from the message shortcut."""

from __future__ import annotations

import json

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import blocks
from bot.services import Services


def register(app: App, services: Services) -> None:
    @app.view(blocks.ESCALATE_MODAL)
    def on_escalate_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        # Closing the modal first: the escalation's Web API calls may take longer than Slack waits.
        ack()
        user = body["user"]["id"]
        where = json.loads(view["private_metadata"])
        channel = where["channel"]
        note_state = view.get("state", {}).get("values", {}).get(blocks.ESCALATE_NOTE_BLOCK, {})
        note = (note_state.get(blocks.ESCALATE_NOTE_ACTION) or {}).get("value") or ""
        escalation = services.escalations.escalate(
            client,
            channel=channel,
            thread_ts=where["thread_ts"],
            by=user,
            via="shortcut",
            note=note,
            question=where.get("text") or "",
            asked_by=where.get("author"),
        )
        services.escalations.tell_escalator(client, escalation, channel=channel, user=user)
