"""The message shortcut 「担当者へエスカレーション」: staff escalate any message's thread.

Staff only: anyone else is told so and no modal opens. The modal asks for an optional note;
the thread it escalates is stored under the modal's view id (bot/store/modals.py) and the
submission (views.py) escalates that thread, whatever the submission itself carries.
"""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.desk import controls
from bot.desk.case_state import NotStaff, require_staff
from bot.desk.controls import truncate
from bot.slack import blocks
from bot.slack.payloads import is_channel, is_ts
from bot.slack.services import Services
from bot.slack.web_api import try_call

# The message's text as the case's question when the bot never answered in the thread.
ESCALATED_TEXT_LIMIT = 1000


def register(app: App, services: Services) -> None:
    @app.shortcut(controls.ESCALATE_SHORTCUT)
    def on_escalate_shortcut(ack: Ack, shortcut: dict, client: WebClient) -> None:
        ack()
        user = (shortcut.get("user") or {}).get("id") or ""
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id")
        root = message.get("thread_ts") or message.get("ts")
        if not (is_channel(channel) and is_ts(root)):
            # Not a message Slack would send: there is no thread to escalate.
            return
        try:
            require_staff(user, services.staff)
        except NotStaff as refusal:
            try_call("chat.postEphemeral", client.chat_postEphemeral, channel=channel, user=user, text=refusal.message)
            return
        text, author = message.get("text") or "", message.get("user")
        opened = try_call(
            "views.open (escalation modal)",
            client.views_open,
            trigger_id=shortcut["trigger_id"],
            view=blocks.escalate_modal(text),
        )
        view_id = (opened.get("view") or {}).get("id") if opened is not None else None
        if isinstance(view_id, str):
            services.escalations.remember_modal(
                view_id,
                user=user,
                channel=channel,
                thread_ts=root,
                text=truncate(text, ESCALATED_TEXT_LIMIT),
                author=author if isinstance(author, str) else None,
            )
