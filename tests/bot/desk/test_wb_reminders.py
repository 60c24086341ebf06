"""「発注開始日にリマインド」: offered under PWP answers whose window has not opened, stored,
scheduled with chat.scheduleMessage within Slack's 120 days, listed and cancelled with /pwp reminders."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from slack_harness import action_ids
from workbench_support import PARTNER, ask, button, text_of

from bot.desk import texts
from bot.desk.controls import REMIND_PWP, REMINDER_CANCEL, SHARE_ANSWER
from bot.desk.reminder_requests import ReminderRequest, reminder_request
from bot.desk.reminders import Status, is_list_request
from intents import calculations
from knowledge.calendar import JST

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=JST)


def pwp(end: str, now: datetime = NOW, **inputs):
    return calculations.pwp_answer(
        {"coverage_end": end, "years": 1, "care_level": None, "pwp_end": None, "pwp_status": None} | inputs,
        now,
        1.0,
        [],
    )


def test_wb_reminder_offered_only_before_the_window_opens():
    request = reminder_request(pwp("2027-06-30"))
    assert request is not None
    assert (request.window_start.isoformat(), request.window_end.isoformat()) == ("2027-04-01", "2027-06-30")
    assert request.recheck == "2027-06-30 1年"
    assert reminder_request(pwp("2027-01-31")) is None  # window open today
    assert reminder_request(pwp("2026-10-31")) is None  # window closed
    # A term that cannot be bought (the product's PWP end is fixed too close) offers nothing.
    assert reminder_request(pwp("2027-06-30", pwp_end="2027-12-31", pwp_status="fixed")) is None


def test_wb_reminder_request_keeps_every_input_of_the_recheck():
    request = reminder_request(
        pwp("2027-06-30", years=2, pwp_end="2030-03-31", pwp_status="planned", care_level="foundation")
    )
    assert request is not None
    assert request.recheck == "2027-06-30 2年 終了日=2030-03-31 予定 ファウンデーションケア"
    assert ReminderRequest.from_value(request.to_value()) == request


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "[]",
        "{}",
        '{"start": "2027-04-01", "end": "2027-06-30", "coverage": "2027-06-30", "years": 3, "recheck": "2027-06-30"}',
        '{"start": "2027-07-01", "end": "2027-06-30", "coverage": "2027-06-30", "years": 1, "recheck": "2027-06-30"}',
        '{"start": "2027-04-01", "end": "2027-06-30", "coverage": "2027-06-30", "years": 1, "recheck": "<!channel>"}',
        '{"start": "2027-04-31", "end": "2027-06-30", "coverage": "2027-06-30", "years": 1, "recheck": "x"}',
    ],
)
def test_wb_forged_reminder_values_are_refused(value):
    assert ReminderRequest.from_value(value) is None


def test_wb_list_subcommand_words():
    assert (
        is_list_request("reminders")
        and is_list_request(" ＲＥＭＩＮＤＥＲＳ ")
        and is_list_request("リマインド")
    )
    assert not is_list_request("2027-03-31")


def ack_body(response) -> dict:
    assert response.status == 200
    return json.loads(response.body)


def press_on_command_answer(harness, value: str, user: str = PARTNER) -> None:
    harness.click(REMIND_PWP, value, user=user, message_ts="1.000001", ephemeral=True)
    harness.drain()


def responses(harness) -> list[dict]:
    return [c.params for c in harness.recorder.of("response_url")]


def test_wb_far_reminder_is_stored_then_scheduled_by_the_daily_job_then_cancelled(workbench):
    wb, h = workbench, workbench.harness
    body = ack_body(h.command("/pwp", "2027-06-30"))
    assert action_ids(body["blocks"]) == [SHARE_ANSWER, REMIND_PWP]
    press_on_command_answer(h, button(body["blocks"], REMIND_PWP)["value"])
    # 2027-04-01 9:00 is 128 days away: stored, not yet given to Slack.
    assert responses(h)[-1]["text"] == texts.reminder_registered(datetime(2027, 4, 1, 9, 0, tzinfo=JST))
    assert h.recorder.of("chat.scheduleMessage") == []
    [reminder] = wb.services.reminders.upcoming(PARTNER)
    assert reminder.status == Status.waiting

    listing = ack_body(h.command("/pwp", "reminders"))
    assert "2027年4月1日（木）9:00" in text_of(listing["blocks"]) and "/pwp 2027-06-30 1年" in text_of(
        listing["blocks"]
    )
    cancel = button(listing["blocks"], REMINDER_CANCEL)

    wb.clock.advance(days=8)  # 120 days before: still a day short of the horizon
    assert wb.services.reminders.schedule_due(wb.services.outbox.client) == 0
    wb.clock.advance(days=1)
    assert wb.services.reminders.schedule_due(wb.services.outbox.client) == 1
    [scheduled] = h.recorder.of("chat.scheduleMessage")
    assert int(scheduled.params["post_at"]) == int(datetime(2027, 4, 1, 9, 0, tzinfo=JST).timestamp())
    assert scheduled.params["channel"] == f"D{PARTNER}"
    assert "2027年4月1日（木） から発注できます" in scheduled.params["text"]
    assert "`/pwp 2027-06-30 1年`" in scheduled.params["text"]
    assert wb.services.reminders.upcoming(PARTNER)[0].status == Status.scheduled

    h.click(REMINDER_CANCEL, cancel["value"], user=PARTNER, message_ts="1.000002", ephemeral=True)
    h.drain()
    [deleted] = h.recorder.of("chat.deleteScheduledMessage")
    assert (deleted.params["channel"], deleted.params["scheduled_message_id"]) == (f"D{PARTNER}", "Q00000001")
    replaced = responses(h)[-1]
    assert replaced["replace_original"] in (True, "true")
    assert "取り消しました" in replaced["text"] and texts.REMINDERS_NONE in text_of(replaced["blocks"])
    assert wb.services.reminders.upcoming(PARTNER) == []


def test_wb_near_reminder_from_a_thread_answer_is_scheduled_at_once(workbench):
    h = workbench.harness
    reply = ask(h, "保証終了日が2027年3月31日ですが、PWPはいつから発注できますか", ts="700.000001")
    remind = button(reply["blocks"], REMIND_PWP)
    h.click(REMIND_PWP, remind["value"], user=PARTNER, message_ts="1.000003", thread_ts="700.000001")
    h.drain()
    [scheduled] = h.recorder.of("chat.scheduleMessage")
    assert int(scheduled.params["post_at"]) == int(datetime(2026, 12, 31, 9, 0, tzinfo=JST).timestamp())
    told = h.recorder.of("chat.postEphemeral")[-1].params
    assert told["user"] == PARTNER and told["thread_ts"] == "700.000001" and "9:00" in told["text"]
    # The same press again: told it exists, nothing scheduled twice.
    h.click(REMIND_PWP, remind["value"], user=PARTNER, message_ts="1.000003", thread_ts="700.000001")
    h.drain()
    assert "すでに登録" in h.recorder.of("chat.postEphemeral")[-1].params["text"]
    assert len(h.recorder.of("chat.scheduleMessage")) == 1
    # Someone else in the thread may want it too: a reminder of their own.
    h.click(REMIND_PWP, remind["value"], user="UOTHER", message_ts="1.000003", thread_ts="700.000001")
    h.drain()
    assert [c.params["channel"] for c in h.recorder.of("chat.scheduleMessage")] == [f"D{PARTNER}", "DUOTHER"]


def test_wb_no_reminder_button_once_the_window_is_open(workbench):
    body = ack_body(workbench.harness.command("/pwp", "2027-01-31"))
    assert REMIND_PWP not in action_ids(body["blocks"])


def test_wb_forged_reminder_press_is_refused(workbench):
    h = workbench.harness
    press_on_command_answer(h, '{"start": "2027-04-01"}')
    assert responses(h)[-1]["text"] == texts.INVALID_BUTTON
    assert workbench.store.reminders_in(Status.waiting, datetime(2100, 1, 1, tzinfo=JST)) == []


def test_wb_slack_refusing_keeps_it_waiting_and_a_late_one_is_posted(workbench):
    wb, h = workbench, workbench.harness
    body = ack_body(h.command("/pwp", "2027-03-31"))
    h.recorder.fail("chat.scheduleMessage", times=2)
    press_on_command_answer(h, button(body["blocks"], REMIND_PWP)["value"])
    [reminder] = wb.services.reminders.upcoming(PARTNER)
    assert reminder.status == Status.waiting  # kept: the daily job tries again
    assert wb.services.reminders.schedule_due(wb.services.outbox.client) == 0
    # Slack was unreachable until after the window's morning: the reminder is posted late, once.
    wb.clock.at = datetime(2026, 12, 31, 11, 0, tzinfo=JST)
    assert wb.services.reminders.schedule_due(wb.services.outbox.client) == 1
    late = [p for p in h.posts(f"D{PARTNER}") if "リマインド" in p["text"]]
    assert len(late) == 1
    assert wb.store.reminder(reminder.id).status == Status.sent
    assert wb.services.reminders.schedule_due(wb.services.outbox.client) == 0


def test_wb_cancel_only_ones_own_and_a_message_slack_already_sent_counts_as_cancelled(workbench):
    wb, h = workbench, workbench.harness
    body = ack_body(h.command("/pwp", "2027-03-31"))
    press_on_command_answer(h, button(body["blocks"], REMIND_PWP)["value"])
    [reminder] = wb.services.reminders.upcoming(PARTNER)
    client = wb.services.outbox.client
    assert (
        wb.services.reminders.cancel(client, user="UOTHER", reminder_id=reminder.id)
        == texts.REMINDER_NOT_FOUND
    )
    h.recorder.fail("chat.deleteScheduledMessage", error="internal_error")
    assert (
        wb.services.reminders.cancel(client, user=PARTNER, reminder_id=reminder.id)
        == texts.REMINDER_CANCEL_FAILED
    )
    assert wb.store.reminder(reminder.id).status == Status.scheduled
    h.recorder.fail("chat.deleteScheduledMessage", error="invalid_scheduled_message_id")
    assert "取り消しました" in wb.services.reminders.cancel(client, user=PARTNER, reminder_id=reminder.id)
    assert wb.store.reminder(reminder.id).status == Status.cancelled
    assert (
        wb.services.reminders.cancel(client, user=PARTNER, reminder_id=reminder.id)
        == texts.REMINDER_NOT_FOUND
    )
