"""`faqbot serve` starting while Slack is down, slow or about to refuse the token: it serves anyway
(events journalled and acknowledged, answered once Slack is back, /healthz degraded), it listens
before it replays what the last run left, and a refused token is still a one-line exit."""

from __future__ import annotations

import subprocess
import time
from collections import Counter

from rel_server import Server, reaction
from serve_process import free_port, serve_argv, serve_env, start
from slack_harness import NOW, STAFF_CHANNEL
from slack_support import mention

from bot.store import Store
from knowledge.dates import parse_moment

# Writes whose answer never came are looked for after a second rather than a minute.
SETTLE = {"FAQBOT_SLACK_SETTLE_SECONDS": "1"}
QUESTION = "修理の電話番号は？"


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_rel_starts_while_slack_answers_503_and_answers_once_it_is_back(recorder, tmp_path):
    recorder.outage(600, status=503)
    server = Server(recorder, tmp_path, **SETTLE).start()
    try:
        status, report = server.health()
        assert (status, report["status"]) == (200, "degraded")
        for i in range(5):
            assert server.send_event(mention(QUESTION, ts=f"1400.{i:06d}"), f"EvDOWN{i}") == 200
        assert not recorder.messages_in("C0001")
        recorder.outage(0)
        server.wait_delivered(90)
        # The bot learns who it is in the background once Slack answers again.
        wait_until(lambda: "connected as faqbot" in server.log_text(), 60, "auth.test never asked again")
    finally:
        assert server.stop() == 0
    answered = Counter(m["thread_ts"] for m in recorder.messages_in("C0001"))
    assert answered == {f"1400.{i:06d}": 1 for i in range(5)}


def test_rel_a_token_refused_once_slack_is_back_stops_the_bot_with_one_line(recorder, tmp_path):
    recorder.outage(8, status=503)
    # Once the outage is over, Slack says the token was revoked meanwhile.
    recorder.fail("auth.test", error="token_revoked", times=1000)
    port = free_port()
    log = tmp_path / "server.log"
    process = start(
        serve_argv(port), port, serve_env(recorder.api_url, tmp_path / "faqbot.db"), tmp_path, log, ready=(200, 503)
    )
    try:
        assert process.wait(timeout=90) == 2
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    refusals = [line for line in log.read_text().splitlines() if "token_revoked" in line]
    assert len(refusals) == 1 and "SLACK_BOT_TOKEN" in refusals[0], log.read_text()[-3000:]
    assert "Traceback" not in log.read_text()


def test_rel_a_restart_listens_before_it_replays_what_the_last_run_left(recorder, tmp_path):
    server = Server(recorder, tmp_path, **SETTLE)
    # What a run killed mid-burst leaves: escalations acknowledged (journalled) and never done.
    jobs = 3
    store = Store(server.db)
    for i in range(jobs):
        item = reaction("C0100", f"1401.{i:06d}")["item"]
        job = {"kind": "reaction", "channel": item["channel"], "ts": item["ts"], "user": "UPARTNER"}
        assert store.claim(f"event:EvLEFT{i}", parse_moment(NOW), job)
    store.close()
    # Slack takes 2 s for each call the escalations make.
    for method in ("conversations.replies", "chat.postMessage", "chat.postEphemeral"):
        recorder.slow(method, seconds=2.0, times=1000)
    server.start()
    try:
        # Listening, with the backlog (about 6 s of Slack per escalation) still being worked off.
        assert len(recorder.messages_in(STAFF_CHANNEL)) < jobs
        assert server.send_event(mention(QUESTION, ts="1402.000001"), "EvNEW") == 200
        wait_until(lambda: len(recorder.messages_in(STAFF_CHANNEL)) == jobs, 120, "backlog not replayed")
        server.wait_delivered(60)
    finally:
        assert server.stop() == 0
    cards = Counter(m["metadata"]["event_payload"]["key"].split(":")[1] for m in recorder.messages_in(STAFF_CHANNEL))
    assert len(cards) == jobs and set(cards.values()) == {1}, cards
    assert [m["thread_ts"] for m in recorder.messages_in("C0001")] == ["1402.000001"]
