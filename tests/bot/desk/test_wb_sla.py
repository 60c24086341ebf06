"""Service level: waiting time in staff business hours, and the reminders in the staff channel."""

from __future__ import annotations

from datetime import datetime

import pytest
from slack_harness import STAFF, STAFF_CHANNEL
from workbench_support import ask, escalate

from bot.desk.escalation import StaffAction
from bot.desk.sla import (
    REMINDER_EVENT,
    ServiceLevel,
    SlaError,
    in_staff_hours,
    reminder_due,
    staff_minutes_between,
)
from knowledge.calendar import JST


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)


def test_wb_staff_hours_are_business_days_from_nine_to_half_past_five():
    assert in_staff_hours(jst(2026, 11, 24, 9, 0))  # Tuesday
    assert in_staff_hours(jst(2026, 11, 24, 17, 29))
    assert not in_staff_hours(jst(2026, 11, 24, 17, 30))
    assert not in_staff_hours(jst(2026, 11, 24, 8, 59))
    assert not in_staff_hours(jst(2026, 11, 23, 10, 0))  # 勤労感謝の日
    assert not in_staff_hours(jst(2026, 11, 28, 10, 0))  # Saturday
    assert not in_staff_hours(jst(2026, 12, 30, 10, 0))  # year-end closure
    # Another zone's clock reading is taken in JST.
    assert in_staff_hours(datetime.fromisoformat("2026-11-24T01:00:00+00:00"))


def test_wb_staff_minutes_count_only_business_hours():
    assert staff_minutes_between(jst(2026, 11, 24, 10, 0), jst(2026, 11, 24, 10, 45)) == 45
    # Friday evening to Monday morning: 17:00-17:30, then 9:00-9:15 (the weekend does not count).
    assert staff_minutes_between(jst(2026, 11, 27, 17, 0), jst(2026, 11, 30, 9, 15)) == 45
    # Escalated at night: the wait starts at 9:00.
    assert staff_minutes_between(jst(2026, 11, 24, 22, 0), jst(2026, 11, 25, 9, 20)) == 20
    # Across the public holiday on Monday 11/23.
    assert staff_minutes_between(jst(2026, 11, 20, 17, 0), jst(2026, 11, 24, 9, 0)) == 30
    assert staff_minutes_between(jst(2026, 11, 24, 12, 0), jst(2026, 11, 24, 11, 0)) == 0
    assert staff_minutes_between(jst(2026, 11, 24, 9, 0), jst(2026, 11, 25, 9, 0)) == 8.5 * 60


def test_wb_reminder_first_after_the_service_level_then_hourly():
    level = ServiceLevel(30)
    opened = jst(2026, 11, 27, 17, 0)  # Friday
    assert not reminder_due(level, opened, None, jst(2026, 11, 27, 17, 29))
    # 30 business minutes are up at 17:30 sharp, but staff hours are over: Monday morning it is.
    assert not reminder_due(level, opened, None, jst(2026, 11, 27, 17, 30))
    assert not reminder_due(level, opened, None, jst(2026, 11, 28, 10, 0))
    assert reminder_due(level, opened, None, jst(2026, 11, 30, 9, 0))
    sent = jst(2026, 11, 30, 9, 0)
    assert not reminder_due(level, opened, sent, jst(2026, 11, 30, 9, 59))
    assert reminder_due(level, opened, sent, jst(2026, 11, 30, 10, 0))


@pytest.mark.parametrize("raw", ["0", "-5", "30分", "1.5", " "])
def test_wb_sla_setting_must_be_whole_minutes(raw):
    with pytest.raises(SlaError, match="FAQBOT_SLA_MINUTES"):
        ServiceLevel.from_setting(raw)


def test_wb_sla_setting_default_and_value():
    assert ServiceLevel.from_setting(None).minutes == 30
    assert ServiceLevel.from_setting("45").minutes == 45


def sla_posts(harness) -> list[dict]:
    return [p for p in harness.posts(STAFF_CHANNEL) if "担当者未定" in (p.get("text") or "")]


def test_wb_unclaimed_case_gets_one_reminder_then_one_per_hour(make_workbench):
    wb = make_workbench(FAQBOT_SLA_MINUTES="20")
    reply = ask(wb.harness, "CSNのIDはどうやって取るの？", ts="500.000001")
    case_id = escalate(wb.harness, reply, ts="500.000001")
    sla = wb.services.sla

    wb.clock.advance(minutes=19)
    assert sla.remind() == []
    wb.clock.advance(minutes=1)
    assert sla.remind() == [case_id]
    assert sla.remind() == []  # once, not once per tick
    [post] = sla_posts(wb.harness)
    assert f"#{case_id}" in post["text"] and "20分" in post["text"] and "CSNのID" in post["text"]
    assert post.get("thread_ts") is None  # in the channel, where everyone sees it

    wb.clock.advance(minutes=59)
    assert sla.remind() == []
    wb.clock.advance(minutes=1)
    assert sla.remind() == [case_id]
    assert len(sla_posts(wb.harness)) == 2
    assert wb.store.last_case_event_at(case_id, [REMINDER_EVENT]) == wb.clock.now()


def test_wb_claimed_case_and_after_hours_get_no_reminder(make_workbench):
    wb = make_workbench(FAQBOT_SLA_MINUTES="10", FAQBOT_NOW="2026-11-24T17:20:00+09:00")
    reply = ask(wb.harness, "CSNのIDはどうやって取るの？", ts="501.000001")
    case_id = escalate(wb.harness, reply, ts="501.000001")
    wb.clock.advance(minutes=30)  # 17:50: ten business minutes are up, but it is after hours
    assert wb.services.sla.remind() == []
    wb.clock.at = datetime(2026, 11, 25, 9, 0, tzinfo=JST)
    assert wb.services.sla.remind() == [case_id]
    # Claimed: no more reminders, however long it takes.
    card = wb.store.case(case_id)
    writes = wb.services.escalations.act(
        case_id=case_id,
        user=STAFF,
        action=StaffAction.claim,
        channel=card.staff_channel,
        message_ts=card.staff_ts,
    )
    wb.services.outbox.send(writes)
    wb.clock.advance(hours=3)
    assert wb.services.sla.remind() == []


def test_wb_reopened_case_waits_from_its_reopening(make_workbench):
    wb = make_workbench(FAQBOT_SLA_MINUTES="15")
    reply = ask(wb.harness, "CSNのIDはどうやって取るの？", ts="502.000001")
    case_id = escalate(wb.harness, reply, ts="502.000001")
    wb.clock.advance(minutes=15)
    assert wb.services.sla.remind() == [case_id]
    # Resolved, and escalated again two hours later.
    card = wb.store.case(case_id)
    wb.services.outbox.send(
        wb.services.escalations.act(
            case_id=case_id,
            user=STAFF,
            action=StaffAction.resolve,
            channel=card.staff_channel,
            message_ts=card.staff_ts,
        )
    )
    wb.clock.advance(hours=2)
    escalate(wb.harness, reply, ts="502.000001")
    assert wb.store.case(case_id).status == "open"
    wb.clock.advance(minutes=14)
    assert wb.services.sla.remind() == []
    wb.clock.advance(minutes=1)
    assert wb.services.sla.remind() == [case_id]


def test_wb_no_staff_channel_no_reminder(make_workbench):
    wb = make_workbench(FAQBOT_STAFF_CHANNEL="", FAQBOT_SLA_MINUTES="1")
    reply = ask(wb.harness, "CSNのIDはどうやって取るの？", ts="503.000001")
    escalate(wb.harness, reply, ts="503.000001")
    wb.clock.advance(minutes=5)
    assert wb.services.sla.remind() == []
    assert wb.store.last_case_event_at(1, [REMINDER_EVENT]) is None
