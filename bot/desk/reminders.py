"""PWP order-window reminders: 「発注開始日にリマインド」 and `/pwp reminders`.

After a PWP answer whose order window has not opened, a partner can ask to be
reminded on the window's first day. The reminder is stored first, then handed
to Slack with chat.scheduleMessage once its moment is within Slack's limit
(120 days ahead); a daily job hands over those that come into range. It
arrives as a direct message from the bot at 9:00 JST, when HPE's desks open
(Q23), so the partner can order that morning. `/pwp reminders` lists one's own
reminders, each with a button to cancel it.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol

from bot.desk import texts
from bot.desk.ports import Json, SlackPort, WebApi
from bot.desk.reminder_requests import ReminderRequest
from bot.runtime.clock import Clock
from bot.store import Reminder, Store
from knowledge.calendar import JST

log = logging.getLogger("faqbot.reminders")

REMIND_AT = time(9, 0)
SLACK_SCHEDULE_LIMIT = timedelta(days=120)
# A day short of Slack's limit, so that a clock a little ahead of ours never
# answers time_too_far.
SCHEDULE_HORIZON = SLACK_SCHEDULE_LIMIT - timedelta(days=1)
# Slack's answer when the scheduled message was already posted or deleted.
ALREADY_GONE = "invalid_scheduled_message_id"
SUBCOMMAND_WORDS = ("reminders", "reminder", "リマインド", "リマインダー")


class Status(StrEnum):
    waiting = "waiting"  # stored; beyond Slack's limit, or Slack was unreachable
    scheduled = "scheduled"  # Slack holds it (scheduled_id)
    sent = "sent"  # its moment came before it could be scheduled: posted directly
    cancelled = "cancelled"


UPCOMING = (Status.waiting, Status.scheduled)


def is_list_request(command_text: str) -> bool:
    """`/pwp reminders` (or リマインド) rather than a date to compute from."""
    return unicodedata.normalize("NFKC", command_text).strip().lower() in SUBCOMMAND_WORDS


class ReminderViews(Protocol):
    """`/pwp reminders` as Slack shows it (bot/slack/views.py)."""

    def reminder_listing(self, reminders: list[Reminder], notice: str | None) -> list[Json]: ...


class Reminders:
    def __init__(self, store: Store, clock: Clock, outbox: SlackPort, views: ReminderViews) -> None:
        self.store = store
        self.clock = clock
        self.outbox = outbox
        self.views = views

    def record(self, *, user: str, request: ReminderRequest) -> tuple[Reminder | None, str]:
        """Store a reminder for `user`: (the new reminder or None, what to tell them)."""
        now = self.clock.now()
        post_at = datetime.combine(request.window_start, REMIND_AT, JST)
        if post_at <= now:
            return None, texts.reminder_window_open(request.window_start)
        for existing in self.store.reminders_of(user, UPCOMING, now):
            if existing.post_at == post_at and existing.recheck == request.recheck:
                return None, texts.reminder_exists(post_at)
        reminder = self.store.add_reminder(
            user=user,
            post_at=post_at,
            coverage_end=request.coverage_end.isoformat(),
            years=request.years,
            window_end=request.window_end.isoformat(),
            recheck=request.recheck,
            status=Status.waiting,
            at=now,
        )
        return reminder, texts.reminder_registered(post_at)

    def hand_over(self, client: WebApi, reminder: Reminder) -> Reminder:
        """Give Slack a stored reminder if it is within Slack's limit; it stays waiting if Slack cannot
        take it now (the daily job tries again)."""
        now = self.clock.now()
        if reminder.post_at - now > SCHEDULE_HORIZON:
            return reminder
        channel = reminder.channel or self.outbox.open_dm(client, reminder.user)
        if channel is None:
            return reminder
        text = texts.pwp_reminder(
            date.fromisoformat(reminder.coverage_end),
            reminder.years,
            reminder.post_at.date(),
            date.fromisoformat(reminder.window_end),
            reminder.recheck,
        )
        if reminder.post_at <= now:
            # Its morning passed while Slack was unreachable or the bot was down: late beats never.
            with self.store.transaction():
                self.store.update_reminder(reminder.id, now, channel=channel, status=Status.sent)
                write = self.outbox.add_message(
                    key=f"reminder:{reminder.id}", channel=channel, thread_ts=None, text=text
                )
            self.outbox.send([write])
            return self.store.reminder(reminder.id) or reminder
        scheduled = self.outbox.call(
            f"chat.scheduleMessage (reminder #{reminder.id})",
            client.chat_scheduleMessage,
            channel=channel,
            post_at=int(reminder.post_at.timestamp()),
            text=text,
        )
        if scheduled is None:
            return self.store.update_reminder(reminder.id, now, channel=channel)
        return self.store.update_reminder(
            reminder.id,
            now,
            channel=channel,
            status=Status.scheduled,
            scheduled_id=scheduled["scheduled_message_id"],
        )

    def schedule_due(self, client: WebApi) -> int:
        """The daily job: hand Slack the stored reminders that came within its limit; how many it took."""
        due = self.store.reminders_in(Status.waiting, self.clock.now() + SCHEDULE_HORIZON)
        return sum(self.hand_over(client, reminder).status != Status.waiting for reminder in due)

    def upcoming(self, user: str) -> list[Reminder]:
        return self.store.reminders_of(user, UPCOMING, self.clock.now())

    def cancel(self, client: WebApi, *, user: str, reminder_id: int) -> str:
        """Cancel one of the user's upcoming reminders; what to tell them."""
        reminder = self.store.reminder(reminder_id)
        if (
            reminder is None
            or reminder.user != user
            or reminder.status not in UPCOMING
            or reminder.post_at <= self.clock.now()
        ):
            return texts.REMINDER_NOT_FOUND
        if reminder.status == Status.scheduled and not self._unschedule(client, reminder):
            return texts.REMINDER_CANCEL_FAILED
        self.store.update_reminder(reminder.id, self.clock.now(), status=Status.cancelled)
        return texts.reminder_cancelled(reminder.post_at)

    def listing(self, user: str, notice: str | None = None) -> list[Json]:
        """`/pwp reminders`: the user's upcoming reminders, each with a cancel button."""
        return self.views.reminder_listing(self.upcoming(user), notice)

    def _unschedule(self, client: WebApi, reminder: Reminder) -> bool:
        """Delete the message Slack holds; True when nothing of it is left there."""
        try:
            client.chat_deleteScheduledMessage(
                channel=reminder.channel, scheduled_message_id=reminder.scheduled_id
            )
        except Exception as error:
            if not self.outbox.failed(error):
                raise
            if self.outbox.refusal(error) == ALREADY_GONE:
                return True
            log.error(
                "chat.deleteScheduledMessage (reminder #%s) failed: %s", reminder.id, self.outbox.describe(error)
            )
            return False
        return True
