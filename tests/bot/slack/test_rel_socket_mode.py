"""Socket Mode: the real `faqbot serve` process against a loopback Socket Mode end.

It answers over the WebSocket, reconnects when Slack asks (a `disconnect`
message) and when the connection is closed under it, logs each reconnect,
and keeps the app token and the connection ticket out of its logs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from rel_socket import FakeSocketMode
from serve_process import ROOT
from slack_harness import NOW, STAFF, STAFF_CHANNEL
from slack_support import BOT_TOKEN, event_body, mention

APP_TOKEN = "xapp-1-A0001-test-app-token"


@pytest.fixture
def socket_end():
    fake = FakeSocketMode().start()
    yield fake
    fake.stop()


def envelope(number: int, ts: str) -> dict:
    return {
        "envelope_id": f"env-{number}",
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
        "payload": json.loads(event_body(mention("修理の電話番号は？", ts=ts), f"EvSOCK{number}")),
    }


def socket_env(recorder, tmp_path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": recorder.api_url,
        "FAQBOT_DB": str(tmp_path / "faqbot.db"),
        "FAQBOT_STAFF_CHANNEL": STAFF_CHANNEL,
        "FAQBOT_STAFF_USERS": STAFF,
        "FAQBOT_NOW": NOW,
    }


def serve(env: dict[str, str], tmp_path, log_path) -> subprocess.Popen:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "serve"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def test_rel_socket_mode_answers_reconnects_and_logs_each_reconnect(recorder, socket_end, tmp_path):
    recorder.socket_url = socket_end.url
    log_path = tmp_path / "socket.log"
    process = serve(socket_env(recorder, tmp_path), tmp_path, log_path)
    try:
        socket_end.wait_connections(1, timeout=90)
        socket_end.send(envelope(1, "1600.000001"))
        socket_end.wait_ack("env-1")
        recorder.wait_for("chat.postMessage", 1)

        socket_end.refresh()
        socket_end.wait_connections(2)
        socket_end.close_connection()
        socket_end.wait_connections(3)

        socket_end.send(envelope(2, "1600.000002"))
        socket_end.wait_ack("env-2")
        # Slack redelivers an envelope it saw no ack for: acknowledged again, answered once.
        socket_end.send({**envelope(2, "1600.000002"), "envelope_id": "env-2b", "retry_attempt": 1})
        socket_end.wait_ack("env-2b")
        recorder.wait_for("chat.postMessage", 2)
        process.terminate()
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    answered = [m["thread_ts"] for m in recorder.messages_in("C0001")]
    assert answered == ["1600.000001", "1600.000002"]
    assert len(recorder.of("apps.connections.open")) == 3
    text = log_path.read_text(encoding="utf-8")
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    socket_lines = [e["message"] for e in entries if e["logger"] == "faqbot.socket"]
    assert sum("A new session has been established" in m for m in socket_lines) == 3
    assert any("Reconnecting" in m or "Connecting to a new endpoint" in m for m in socket_lines)
    assert any(e["logger"] == "faqbot.serve" and "connection closed" in e["message"] for e in entries)
    for secret in (APP_TOKEN, BOT_TOKEN, "one-time-ticket-123"):
        assert secret not in text


def test_rel_a_refused_app_token_is_one_line_and_exit_2(recorder, tmp_path):
    recorder.fail("apps.connections.open", error="invalid_auth", times=10)
    log_path = tmp_path / "socket.log"
    process = serve(socket_env(recorder, tmp_path), tmp_path, log_path)
    try:
        assert process.wait(timeout=90) == 2
    finally:
        if process.poll() is None:
            process.kill()
    text = log_path.read_text(encoding="utf-8")
    assert "SLACK_APP_TOKEN" in text and "Traceback" not in text
    assert APP_TOKEN not in text


def test_rel_socket_mode_waits_for_slack_then_connects_and_beats(recorder, socket_end, tmp_path):
    from bot.cli import main as cli

    recorder.socket_url = socket_end.url
    recorder.fail("apps.connections.open", status=503, times=2)
    env = socket_env(recorder, tmp_path)
    process = serve(env, tmp_path, tmp_path / "socket.log")
    try:
        socket_end.wait_connections(1, timeout=90)
        alive = tmp_path / "faqbot.db.alive"
        for _ in range(100):
            if alive.exists():
                break
            time.sleep(0.1)
        assert alive.exists()
        assert len(recorder.of("apps.connections.open")) == 3  # two refusals, then the connection
    finally:
        process.terminate()
        process.wait(timeout=30)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        assert cli.main(["healthcheck"]) == 0
        os.utime(alive, (time.time() - 3600, time.time() - 3600))
        assert cli.main(["healthcheck"]) == 1


@pytest.mark.parametrize("connected", [True, False])
def test_rel_a_session_is_said_established_only_when_it_is(connected, caplog):
    import logging

    from bot.slack.serve import SessionCheck

    class Client:
        def is_connected(self) -> bool:
            return connected

    logger = logging.getLogger("faqbot.socket.test")
    check = SessionCheck(Client())
    logger.addFilter(check)
    try:
        with caplog.at_level(logging.INFO, logger="faqbot.socket.test"):
            logger.info("A new session has been established (session id: s-1)")
    finally:
        logger.removeFilter(check)
    [record] = caplog.records
    assert ("A new session has been established" in record.getMessage()) is connected
    assert record.levelno == (logging.INFO if connected else logging.WARNING)
