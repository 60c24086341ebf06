"""/healthz's verdicts, and the retention period (FAQBOT_RETENTION_DAYS, `faqbot purge`)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from slack_harness import action_value, count, make_settings
from slack_support import mention

from bot.cli import main as cli
from bot.desk.controls import ESCALATE
from bot.desk.retention import RETENTION_DAYS_DEFAULT, RetentionError, purge, retention_days
from bot.slack.health import Health
from bot.slack.web_api import create_client


def test_rel_health_says_degraded_while_slack_is_unreachable(bot, recorder, tmp_path):
    clock = iter(range(0, 10_000, 100)).__next__
    health = Health(bot.store, create_client(make_settings(recorder, tmp_path), timeout=1, retry=False),
                    mode="http", clock=lambda: float(clock()), slack_check_seconds=50)
    assert health()[1]["status"] == "ok"
    recorder.down()
    try:
        status, report = health()
        assert status == 200 and report["status"] == "degraded" and report["slack"].startswith("unreachable")
    finally:
        recorder.up()
    assert health()[1]["status"] == "ok"


def test_rel_health_reports_the_backlog_and_a_dead_store(bot, recorder, tmp_path):
    recorder.outage(60)
    bot.harness.event(mention("修理の電話番号は？", ts="1400.000001"))
    bot.harness.drain()
    recorder.outage(0)
    health = Health(bot.store, create_client(make_settings(recorder, tmp_path), retry=False), mode="http")
    status, report = health()
    assert status == 200 and report["outbox"]["pending"] == 1 and report["outbox"]["oldest_pending_seconds"] >= 0
    bot.store.db.conn.close()
    status, report = health()
    assert status == 503 and report["status"] == "down" and report["db"].startswith("error")


def test_rel_retention_days_setting():
    assert retention_days(None) == RETENTION_DAYS_DEFAULT
    assert retention_days("30") == 30
    for bad in ("0", "-5", "abc", "1.5", "３０", " "):
        with pytest.raises(RetentionError, match="FAQBOT_RETENTION_DAYS"):
            retention_days(bad)


def test_rel_purge_deletes_old_questions_and_keeps_cases(bot, recorder):
    bot.harness.event(mention("CSNのIDはどうやって取るの？", ts="1401.000001"))
    bot.flush()
    answer = recorder.messages_in("C0001")[0]
    bot.harness.click(ESCALATE, action_value(answer["blocks"], ESCALATE), message_ts=answer["ts"],
                      thread_ts="1401.000001")
    bot.flush()
    clock = bot.services.clock
    assert purge(bot.store, clock, 1) == dict.fromkeys(
        ("questions", "feedback", "command_answers", "threads", "seen", "outbox"), 0
    )
    later = type(clock)(clock.now() + timedelta(days=31))
    # Outbox rows carry real time: make them old too.
    bot.store.db.execute("UPDATE outbox SET created = created - 31 * 86400")
    deleted = purge(bot.store, later, 30)
    assert deleted["questions"] == 1 and deleted["threads"] == 1 and deleted["seen"] == 1 and deleted["outbox"] >= 3
    assert count(bot.store, "questions") == 0 and count(bot.store, "cases") == 1


def test_rel_faqbot_purge_command(tmp_path, monkeypatch, capsys, bot):
    bot.harness.event(mention("CSNのIDはどうやって取るの？", ts="1402.000001"))
    bot.flush()
    db = bot.store.path
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAQBOT_DB", db)
    monkeypatch.setenv("FAQBOT_NOW", "2027-06-01T10:00:00+09:00")
    # Run while the bot still holds the database open: WAL and the busy timeout let both work.
    assert cli.main(["purge", "--days", "90"]) == 0
    out = capsys.readouterr().out
    assert "90日より前の記録を削除しました" in out and "質問 1件" in out
    assert count(bot.store, "questions") == 0
    monkeypatch.setenv("FAQBOT_RETENTION_DAYS", "zero")
    assert cli.main(["purge"]) == 2
    assert "FAQBOT_RETENTION_DAYS" in capsys.readouterr().err


def test_rel_serve_refuses_a_bad_retention_period(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("FAQBOT_RETENTION_DAYS", "-1")
    assert cli.main(["serve", "--http", "--port", "0"]) == 2
    assert "FAQBOT_RETENTION_DAYS" in capsys.readouterr().err


def test_rel_store_is_wal_with_a_busy_timeout(bot):
    conn = sqlite3.connect(bot.store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert bot.store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
