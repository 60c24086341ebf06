"""The real `faqbot serve --http` process: SIGKILL mid-burst, restart mid-flight, /healthz, its logs."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from rel_server import Server, reaction
from rel_support import keys_posted
from slack_harness import STAFF, STAFF_CHANNEL
from slack_support import (
    BOT_TOKEN,
    SIGNING_SECRET,
    block_actions,
    command_body,
    event_body,
    mention,
    message,
    payload_body,
    signed_headers,
)

from bot.desk import texts

BURST = 40


# Writes whose answer never came are looked for after a second rather than a minute.
SETTLE = {"FAQBOT_SLACK_SETTLE_SECONDS": "1"}


@pytest.fixture
def server(recorder, tmp_path):
    made = Server(recorder, tmp_path, **SETTLE)
    yield made
    made.kill()


def thread_notices(recorder, channel: str) -> Counter:
    return Counter(m["thread_ts"] for m in recorder.messages_in(channel) if m.get("text") == texts.HANDED_OVER)


def test_rel_sigkill_mid_burst_loses_and_doubles_nothing(server, recorder):
    import sqlite3

    # Each Slack write takes a little while, so the kill lands with writes in flight.
    recorder.slow("chat.postMessage", seconds=0.03, times=10_000)
    server.start()
    events = [(reaction("C0100", f"1200.{i:06d}"), f"EvKILL{i:03d}") for i in range(BURST)]
    statuses = server.burst(events, clients=8, kill_after_acks=BURST // 3)
    acked = {event_id for event_id, status in statuses.items() if status == 200}
    assert BURST // 3 <= len(acked) < BURST, statuses

    server.start()
    # Slack resends what was never acknowledged, and (being Slack) some of what was.
    retried = [(e, eid) for e, eid in events if eid not in acked] + [(e, eid) for e, eid in events[:5]]
    for event, event_id in retried:
        assert server.send_event(event, event_id, retry_num=1) == 200
    server.wait_delivered()
    server.stop()

    conn = sqlite3.connect(server.db)
    cases = conn.execute("SELECT thread_ts, escalations, staff_ts FROM cases").fetchall()
    conn.close()
    assert sorted(ts for ts, _, _ in cases) == sorted(e["item"]["ts"] for e, _ in events)
    assert all(escalations == 1 and staff_ts for _, escalations, staff_ts in cases), cases
    cards = Counter(key.split(":")[1] for key in keys_posted(recorder, STAFF_CHANNEL))
    assert len(cards) == BURST and set(cards.values()) == {1}, cards
    assert len(recorder.messages_in(STAFF_CHANNEL)) == BURST
    notices = thread_notices(recorder, "C0100")
    assert len(notices) == BURST and set(notices.values()) == {1}, notices


def test_rel_restart_mid_flight_delivers_every_pending_write_once(server, recorder):
    server.start()
    recorder.outage(600)
    for i in range(10):
        assert server.send_event(mention("修理の電話番号は？", ts=f"1201.{i:06d}"), f"EvMID{i}") == 200
    _, report = server.health()
    pending_before = report["outbox"]["pending"]
    assert server.stop() == 0
    recorder.outage(0)
    server.start()
    server.wait_delivered()
    server.stop()
    answered = Counter(m["thread_ts"] for m in recorder.messages_in("C0001"))
    assert len(answered) == 10 and set(answered.values()) == {1}
    assert pending_before >= 1


def test_rel_healthz_reports_store_slack_and_backlog(server, recorder):
    server.start()
    status, report = server.health()
    assert status == 200
    assert report["status"] == "ok" and report["db"] == "ok" and report["slack"] == "ok"
    assert report["outbox"] == {"pending": 0, "dead": 0, "oldest_pending_seconds": None}


def test_rel_a_whole_session_logs_json_lines_without_secrets(recorder, tmp_path):
    server = Server(recorder, tmp_path, FAQBOT_LOG_LEVEL="DEBUG", SLACK_APP_TOKEN="", **SETTLE)
    server.start()
    try:
        challenge = json.dumps({"type": "url_verification", "token": "legacy", "challenge": "c"})
        server.request("POST", "/slack/events", challenge, signed_headers(challenge, "application/json"))
        server.send_event(mention("CSNのIDはどうやって取るの？", ts="1300.000001"), "EvLOG1")
        server.send_event(message("修理の電話番号は？", channel="D0001", channel_type="im", ts="1300.000002"), "EvLOG2")
        recorder.fail("chat.postMessage", status=500)
        server.send_event(mention("PWPはいつから？", ts="1300.000003"), "EvLOG3")
        recorder.lose_responses("chat.postMessage")
        server.send_event(mention("初期不良の連絡先は？", ts="1300.000004"), "EvLOG4")
        command = command_body("/pwp", "2027-03-31", response_url=recorder.url + "/response/x")
        server.request("POST", "/slack/events", command, signed_headers(command, "application/x-www-form-urlencoded"))
        forged = event_body(mention("x", ts="1300.000005"), "EvLOG5")
        server.request("POST", "/slack/events", forged, signed_headers(forged, "application/json", secret="guess"))
        server.wait_delivered()
        answer = next(m for m in recorder.messages_in("C0001") if m.get("thread_ts") == "1300.000001")
        escalate = next(
            e["value"] for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]
            if e["action_id"] == "escalate"
        )
        server.send_payload(_click("escalate", escalate, "UPARTNER", "C0001", answer["ts"], "1300.000001"))
        server.wait_delivered()
        card = recorder.messages_in(STAFF_CHANNEL)[0]
        case_id = next(e["value"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"])
        server.send_payload(_click("case_claim", case_id, STAFF, STAFF_CHANNEL, card["ts"], None))
        server.wait_delivered()
    finally:
        assert server.stop() == 0
    text = server.log_text()
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in text
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    levels = Counter(e["level"] for e in entries)
    assert levels["DEBUG"] > 0 and levels["INFO"] > 0 and levels["WARNING"] > 0
    # At DEBUG slack_sdk logs every request it sends, headers included: the most there is to leak.
    assert any(e["message"].startswith("Sending a request") and "headers" in e["message"] for e in entries)
    by_event = {e.get("request_id") for e in entries if e["logger"].startswith("faqbot.")}
    assert {"EvLOG3", "EvLOG4"} <= by_event
    assert any(e["logger"] == "faqbot.serve" and e["message"] == "stopped" for e in entries)


def _click(action_id: str, value: str, user: str, channel: str, ts: str, thread_ts: str | None) -> str:
    message = {"type": "message", "ts": ts, "text": "x", **({"thread_ts": thread_ts} if thread_ts else {})}
    surface = {
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "channel": {"id": channel},
        "message": message,
        "response_url": "http://127.0.0.1:9/unused",
    }
    return payload_body(block_actions(action_id, value, user=user, surface=surface))
