"""`faqbot serve` as a process: taught examples restored at start, the scheduler thread running
the reminder and SLA jobs, App Home over HTTP, and a bad FAQBOT_SLA_MINUTES refused."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from slack_harness import STAFF, STAFF_CHANNEL
from slack_support import BOT_TOKEN, SIGNING_SECRET, event_body, mention, signed_headers
from workbench_support import PARTNER

from bot import cli
from bot.reminders import Status
from bot.store import Store
from intents.evaluation import predicted_intent
from intents.router import route
from knowledge.calendar import JST

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=JST)
QUESTION = "保守切れの機械に保守を付けたい"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, body: str, content_type: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/slack/events", body=body.encode(), headers=signed_headers(body, content_type))
        return conn.getresponse().status
    finally:
        conn.close()


def env_for(recorder, db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FAQBOT_"))}
    return env | {
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": recorder.api_url,
        "FAQBOT_DB": str(db),
        "FAQBOT_STAFF_CHANNEL": STAFF_CHANNEL,
        "FAQBOT_STAFF_USERS": STAFF,
        "FAQBOT_NOW": NOW.isoformat(),
        **extra,
    }


def started(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError("server did not start:\n" + process.stdout.read().decode(errors="replace"))
        time.sleep(0.1)


def test_wb_serve_restores_teaching_and_runs_the_jobs(recorder, tmp_path):
    db = tmp_path / "server.db"
    right = "Q22" if predicted_intent(route(QUESTION, NOW)) != "Q22" else "Q23"
    store = Store(db)
    # What the last process left: a decision, a reminder now within Slack's range, a case waiting 2 hours.
    store.save_taught(
        text=QUESTION, intent=right, question_id=None, case_id=1, asked_at=NOW, by=STAFF, at=NOW
    )
    store.add_reminder(
        user=PARTNER,
        post_at=datetime(2026, 12, 31, 9, 0, tzinfo=JST),
        coverage_end="2027-03-31",
        years=1,
        window_end="2027-03-31",
        recheck="2027-03-31 1年",
        status=Status.waiting,
        at=NOW - timedelta(days=40),
    )
    case, _ = store.open_case(
        channel="C0001",
        thread_ts="1.000001",
        escalated_by=PARTNER,
        via="button",
        asked_by=PARTNER,
        question="CSNのIDは？",
        answer=None,
        note="",
        at=NOW - timedelta(hours=2),
    )
    store.add_case_event(case.id, PARTNER, "escalated", NOW - timedelta(hours=2), "button")
    store.close()

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env_for(recorder, db),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        started(port, process)
        # The scheduler ran both jobs at start.
        [scheduled] = recorder.wait_for("chat.scheduleMessage")
        assert scheduled.params["channel"] == f"D{PARTNER}"
        reminders = [c for c in recorder.wait_for("chat.postMessage") if c.params["channel"] == STAFF_CHANNEL]
        assert f"#{case.id}" in reminders[0].params["text"]
        # The decision made before the restart answers the question.
        assert post(port, event_body(mention(QUESTION, ts="1100.000001"), "EvWB1"), "application/json") == 200
        deadline = time.monotonic() + 10
        while not [c for c in recorder.of("chat.postMessage") if c.params.get("thread_ts") == "1100.000001"]:
            assert time.monotonic() < deadline, "no answer"
            time.sleep(0.05)
        answer = next(
            c for c in recorder.of("chat.postMessage") if c.params.get("thread_ts") == "1100.000001"
        )
        assert f"出典: {right}" in json.dumps(answer.params["blocks"], ensure_ascii=False)
        # App Home over HTTP.
        home = {
            "type": "app_home_opened",
            "user": STAFF,
            "channel": "DSTAFF",
            "tab": "home",
            "event_ts": "1.1",
        }
        assert post(port, event_body(home, "EvWB2"), "application/json") == 200
        [published] = recorder.wait_for("views.publish")
        assert published.params["user_id"] == STAFF
    finally:
        process.terminate()
        try:
            assert process.wait(timeout=15) == 0
        finally:
            process.kill()


def test_wb_serve_refuses_a_bad_sla_setting(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    for name, value in (
        ("SLACK_BOT_TOKEN", "xoxb-x"),
        ("SLACK_SIGNING_SECRET", "s"),
        ("FAQBOT_SLA_MINUTES", "30分"),
    ):
        monkeypatch.setenv(name, value)
    assert cli.main(["serve", "--http", "--port", "0"]) == 2
    assert "FAQBOT_SLA_MINUTES「30分」" in capsys.readouterr().err

