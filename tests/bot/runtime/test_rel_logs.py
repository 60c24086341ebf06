"""Structured logs: one JSON object a line, a request id per Slack request, no secrets."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from rel_support import make_bot
from slack_support import BOT_TOKEN, SIGNING_SECRET, mention

from bot.runtime import logs
from bot.runtime.settings import from_mapping


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The bot's logging configured onto a buffer, the test runner's restored afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    logs.configure(
        from_mapping({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-1-A0-secret", "SLACK_SIGNING_SECRET": SIGNING_SECRET}),
        stream,
    )
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_rel_every_line_is_one_json_object_without_secrets(captured):
    log = logging.getLogger("faqbot.test")
    log.info("token %s and secret %s", BOT_TOKEN, SIGNING_SECRET)
    log.warning("Authorization: Bearer xoxp-123-456-abc and xapp-1-A0-secret")
    log.info("wss://wss-primary.slack.com/link/?ticket=abcdef-123&app_id=A0 改行\nも一行")
    try:
        raise ValueError(f"failed with {BOT_TOKEN}")
    except ValueError:
        log.exception("oops")
    text = captured.getvalue()
    for secret in (BOT_TOKEN, SIGNING_SECRET, "xoxp-123-456-abc", "xapp-1-A0-secret", "abcdef-123"):
        assert secret not in text
    entries = lines(captured)
    assert len(entries) == 4
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert entries[0]["message"] == "token [REDACTED] and secret [REDACTED]"
    assert entries[2]["message"].endswith("改行\nも一行")
    assert "ValueError: failed with [REDACTED]" in entries[3]["exception"]


def test_rel_bad_log_level_falls_back_to_info(captured):
    root = logging.getLogger()
    logs.configure(from_mapping({"FAQBOT_LOG_LEVEL": "LOUD"}), captured)
    assert root.level == logging.INFO
    assert "FAQBOT_LOG_LEVEL" in lines(captured)[-1]["message"]
    logs.configure(from_mapping({"FAQBOT_LOG_LEVEL": "debug"}), captured)
    assert root.level == logging.DEBUG


def test_rel_request_id_follows_an_event_into_its_listener_and_its_delivery(captured, recorder, tmp_path):
    bot = make_bot(recorder, tmp_path)
    try:
        recorder.fail("chat.postMessage", status=500)
        bot.harness.event(mention("CSNのIDはどうやって取るの？", ts="900.000001"), event_id="EvTRACE1")
        bot.flush()
    finally:
        bot.close()
    entries = [e for e in lines(captured) if e["logger"] == "faqbot.outbox"]
    assert entries, captured.getvalue()
    assert {e.get("request_id") for e in entries} == {"EvTRACE1"}
    assert any("not delivered" in e["message"] for e in entries)
    assert any("delivered reply:1 after" in e["message"] for e in entries)
