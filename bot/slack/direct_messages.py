"""The bot's direct-message channel with a user (the app's 「メッセージ」 tab)."""

from __future__ import annotations

from bot.desk.ports import WebApi
from bot.slack.web_api import try_call


def open_dm(client: WebApi, user: str) -> str | None:
    """The DM channel's ID (D…), or None when Slack refused; conversations.open returns the existing one."""
    opened = try_call("conversations.open", client.conversations_open, users=user)
    channel = (opened.get("channel") or {}) if opened is not None else {}
    return channel.get("id")
