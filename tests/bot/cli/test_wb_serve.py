"""`faqbot serve` as a process: taught examples restored at start, the scheduler thread running
the reminder and SLA jobs, App Home over HTTP, and a bad FAQBOT_SLA_MINUTES or
FAQBOT_SLACK_SETTLE_SECONDS refused."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

from serve_process import free_port, request, serve_argv, serve_env, start, stop
from slack_harness import STAFF, STAFF_CHANNEL
from slack_support import event_body, mention, signed_headers
from workbench_support import PARTNER

from bot.cli import main as cli
from bot.desk.reminders import Status
from bot.store import Store
from intents.evaluation import predicted_intent
from intents.router import route
from knowledge.calendar import JST

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=JST)
QUESTION = "保守切れの機械に保守を付けたい"


def post(port: int, body: str, content_type: str) -> int:
    return request(port, "POST", "/slack/events", body, signed_headers(body, content_type))[0]


def test_wb_serve_restores_teaching_and_runs_the_jobs(workbench_recorder, tmp_path):
    recorder = workbench_recorder
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
    process = start(serve_argv(port), port, serve_env(recorder.api_url, db), tmp_path, tmp_path / "server.log")
    try:
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
        exit_code = stop(process, timeout=15)
    assert exit_code == 0


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



def test_wb_serve_refuses_a_bad_settle_setting(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    for name, value in (
        ("SLACK_BOT_TOKEN", "xoxb-x"),
        ("SLACK_SIGNING_SECRET", "s"),
        ("FAQBOT_SLACK_SETTLE_SECONDS", "0"),
    ):
        monkeypatch.setenv(name, value)
    assert cli.main(["serve", "--http", "--port", "0"]) == 2
    assert "FAQBOT_SLACK_SETTLE_SECONDS" in capsys.readouterr().err
