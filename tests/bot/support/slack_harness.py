"""The real Bolt app driven by signed requests, and helpers to read what it did."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_support import (
    BOT_TOKEN,
    BOT_USER,
    SIGNING_SECRET,
    Recorder,
    TrackingExecutor,
    block_actions,
    command_body,
    event_body,
    payload_body,
    signed_headers,
)

from bot.runtime.settings import Settings, from_mapping
from bot.store import Store

STAFF_CHANNEL = "CSTAFF"
STAFF = "USTAFF1"
OTHER_STAFF = "USTAFF2"
# A Tuesday morning: every weekday desk is open.
NOW = "2026-11-24T10:00:00+09:00"


def make_settings(recorder: Recorder, tmp_path, **overrides: str) -> Settings:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": recorder.api_url,
        "FAQBOT_DB": str(tmp_path / "faqbot.db"),
        "FAQBOT_STAFF_CHANNEL": STAFF_CHANNEL,
        "FAQBOT_STAFF_USERS": f"{STAFF},{OTHER_STAFF}",
        "FAQBOT_NOW": NOW,
    }
    env.update(overrides)
    return from_mapping(env)


class Harness:
    """The real Bolt app, driven by signed requests as Slack sends them."""

    def __init__(self, app: App, recorder: Recorder, store: Store, executor: TrackingExecutor) -> None:
        self.app = app
        self.recorder = recorder
        self.store = store
        self.executor = executor

    def send(self, body: str, content_type: str, extra_headers: dict[str, str] | None = None) -> BoltResponse:
        headers = signed_headers(body, content_type) | (extra_headers or {})
        response = self.app.dispatch(BoltRequest(body=body, headers=headers))
        return response

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None
    ) -> BoltResponse:
        extra = (
            {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
            if retry_num
            else None
        )
        return self.send(event_body(event, event_id), "application/json", extra)

    def command(
        self, name: str, text: str = "", *, user: str = "UPARTNER", channel: str = "C0001"
    ) -> BoltResponse:
        body = command_body(
            name, text, user=user, channel=channel, response_url=self.recorder.url + "/response/command"
        )
        return self.send(body, "application/x-www-form-urlencoded")

    def payload(self, payload: dict[str, Any]) -> BoltResponse:
        return self.send(payload_body(payload), "application/x-www-form-urlencoded")

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "UPARTNER",
        channel: str = "C0001",
        message_ts: str,
        thread_ts: str | None = None,
        ephemeral: bool = False,
        text: str = "",
    ) -> BoltResponse:
        message = {"type": "message", "ts": message_ts, "user": BOT_USER, "text": "answer"}
        if thread_ts:
            message["thread_ts"] = thread_ts
        container = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        }
        if thread_ts:
            container["thread_ts"] = thread_ts
        surface: dict[str, Any] = {
            "container": container,
            "channel": {"id": channel},
            "response_url": self.recorder.url + "/response/action",
        }
        if not ephemeral:
            surface["message"] = message
        return self.payload(block_actions(action_id, value, user=user, surface=surface, text=text))

    def submit_view(
        self, callback_id: str, private_metadata: str, values: dict[str, Any], *, user: str
    ) -> BoltResponse:
        """A modal's view_submission, as Slack sends it when the user presses its submit button."""
        return self.payload(
            {
                "type": "view_submission",
                "team": {"id": "T0001"},
                "user": {"id": user},
                "api_app_id": "A0001",
                "token": "legacy",
                "trigger_id": "trigger.view",
                "view": {
                    "id": "V0001",
                    "type": "modal",
                    "callback_id": callback_id,
                    "private_metadata": private_metadata,
                    "hash": "h",
                    "state": {"values": values},
                },
            }
        )

    def drain(self) -> None:
        self.executor.drain()

    # --- reading what the bot did ---------------------------------------------------------

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [
            c.params
            for c in self.recorder.of("chat.postMessage")
            if channel is None or c.params.get("channel") == channel
        ]

    def replies_in(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return [p for p in self.posts(channel) if p.get("thread_ts") == thread_ts]


def count(store: Store, table: str) -> int:
    return store.db.table(table).count


def rows(store: Store, table: str, where: str, params: list[Any]) -> list[dict[str, Any]]:
    return list(store.db.table(table).rows_where(where, params, order_by="rowid"))


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def action_value(blocks: list[dict[str, Any]], action_id: str) -> str:
    for b in blocks:
        for e in b.get("elements", []) if b["type"] == "actions" else []:
            if e["action_id"] == action_id:
                return e["value"]
    raise AssertionError(f"no {action_id} button in {json.dumps(blocks, ensure_ascii=False)[:500]}")
