"""Requests Slack sends for App Home and modals, and readers of what the bot published."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from slack_harness import STAFF, STAFF_CHANNEL, action_value
from slack_support import block_actions, mention

from bot.desk.controls import ESCALATE, TEACH_INTENT_ACTION, TEACH_INTENT_BLOCK, TEACH_MODAL
from bot.runtime.clock import Clock

PARTNER = "UPARTNER"


class MovableClock(Clock):
    """A clock the test moves forward."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at)
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def open_home(harness, user: str, tab: str = "home") -> None:
    harness.event(
        {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": tab, "event_ts": "1.000001"}
    )
    harness.drain()


def published(harness, user: str) -> dict[str, Any]:
    """The last App Home view published for `user`."""
    calls = [c for c in harness.recorder.of("views.publish") if c.params.get("user_id") == user]
    assert calls, f"no views.publish for {user}"
    return calls[-1].params["view"]


def text_of(view_or_blocks: Any) -> str:
    return json.dumps(view_or_blocks, ensure_ascii=False)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every button of the blocks: in actions blocks and as section accessories."""
    found = []
    for block in blocks:
        if block["type"] == "actions":
            found += [e for e in block["elements"] if e["type"] == "button"]
        accessory = block.get("accessory")
        if accessory and accessory["type"] == "button":
            found.append(accessory)
    return found


def button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    matches = [b for b in buttons(blocks) if b["action_id"] == action_id]
    assert matches, f"no {action_id} button in {text_of(blocks)[:400]}"
    return matches[0]


def home_click(harness, user: str, action_id: str, value: str) -> None:
    """A button pressed in App Home: the container is the view, there is no channel or message."""
    surface = {"container": {"type": "view", "view_id": "VHOME"}, "view": {"id": "VHOME", "type": "home", "blocks": []}}
    harness.payload(block_actions(action_id, value, user=user, surface=surface))
    harness.drain()


def submit_teach(harness, intent: str | None, user: str = STAFF, metadata: str | None = None):
    """Submit the last teach modal opened, with `intent` selected; Slack's response to the submission."""
    view = harness.recorder.of("views.open")[-1].params["view"]
    assert view["callback_id"] == TEACH_MODAL
    selected = {"type": "static_select", "selected_option": {"value": intent} if intent else None}
    response = harness.submit_view(
        TEACH_MODAL,
        metadata if metadata is not None else view["private_metadata"],
        {TEACH_INTENT_BLOCK: {TEACH_INTENT_ACTION: selected}},
        user=user,
    )
    harness.drain()
    return response


def ask(harness, text: str, ts: str, user: str = PARTNER, channel: str = "C0001") -> dict[str, Any]:
    """A partner's question in a channel; the bot's reply."""
    harness.event(mention(text, ts=ts, user=user, channel=channel))
    harness.drain()
    return harness.replies_in(channel, ts)[-1]


def escalate(harness, reply: dict[str, Any], ts: str, user: str = PARTNER) -> int:
    """Press 担当者に相談 under a reply; the case id."""
    question_id = action_value(reply["blocks"], ESCALATE)
    reply_ts = harness.store.question(int(question_id))["reply_ts"]
    harness.click(ESCALATE, question_id, user=user, message_ts=reply_ts, thread_ts=ts)
    harness.drain()
    case = harness.store.case_for_thread("C0001", ts)
    assert case is not None
    return case.id


def staff_cards(harness) -> list[dict[str, Any]]:
    return harness.posts(STAFF_CHANNEL)
