"""The background jobs' scheduler: one run per slot of the injected clock, a thread that stops."""

from __future__ import annotations

import threading
from datetime import datetime

from workbench_support import MovableClock, ask, escalate

from bot.runtime.scheduler import Job, Scheduler, daily, every_minute
from bot.slack.services import bot_jobs
from knowledge.calendar import JST

START = datetime(2026, 11, 24, 10, 0, 5, tzinfo=JST)


def test_wb_jobs_run_once_per_slot():
    clock = MovableClock(START)
    runs: list[str] = []
    jobs = Scheduler(
        clock,
        [
            Job("daily", daily, lambda: runs.append("daily")),
            Job("minute", every_minute, lambda: runs.append("minute")),
        ],
    )
    assert jobs.run_due() == ["daily", "minute"]
    clock.advance(seconds=30)  # same minute
    assert jobs.run_due() == []
    clock.advance(seconds=30)
    assert jobs.run_due() == ["minute"]
    clock.advance(hours=14)  # past midnight JST
    assert jobs.run_due() == ["daily", "minute"]
    assert runs.count("daily") == 2 and runs.count("minute") == 3


def test_wb_a_failing_job_is_logged_and_the_others_still_run(caplog):
    clock = MovableClock(START)
    runs: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    jobs = Scheduler(
        clock, [Job("broken", every_minute, broken), Job("fine", every_minute, lambda: runs.append("ok"))]
    )
    assert jobs.run_due() == ["broken", "fine"]
    assert runs == ["ok"]
    assert "background job broken failed" in caplog.text
    # Not retried within its slot.
    assert jobs.run_due() == []


def test_wb_thread_runs_at_start_and_stops_promptly():
    ran = threading.Event()
    jobs = Scheduler(MovableClock(START), [Job("first", daily, ran.set)], tick_seconds=60).start()
    assert ran.wait(5)
    jobs.stop(timeout=5)
    assert not jobs._thread.is_alive()


def test_wb_bot_jobs_schedule_reminders_and_watch_cases(make_workbench):
    wb = make_workbench(FAQBOT_SLA_MINUTES="5")
    reply = ask(wb.harness, "CSNのIDはどうやって取るの？", ts="600.000001")
    case_id = escalate(wb.harness, reply, ts="600.000001")
    jobs = Scheduler(wb.clock, bot_jobs(wb.services))
    assert jobs.run_due() == ["reminders.schedule_due", "sla.remind"]
    wb.clock.advance(minutes=5)
    assert jobs.run_due() == ["sla.remind"]
    assert any(f"#{case_id}" in (p.get("text") or "") for p in wb.harness.posts("CSTAFF"))
