"""The message shortcut 「担当者へエスカレーション」: staff escalate any message's thread.

It opens a modal for an optional note; the submission (views.py) escalates.
"""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.desk import controls
from bot.slack import blocks
from bot.slack.payloads import is_channel, is_ts
from bot.slack.services import Services
from bot.slack.web_api import try_call


def register(app: App, services: Services) -> None:
    @app.shortcut(controls.ESCALATE_SHORTCUT)
    def on_escalate_shortcut(ack: Ack, shortcut: dict, client: WebClient) -> None:
        ack()
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id")
        root = message.get("thread_ts") or message.get("ts")
        if not (is_channel(channel) and is_ts(root)):
            # Not a message Slack would send: there is no thread to escalate.
            return
        view = blocks.escalate_modal(channel, root, message.get("text") or "", message.get("user"))
        try_call(
            "views.open (escalation modal)", client.views_open, trigger_id=shortcut["trigger_id"], view=view
        )
