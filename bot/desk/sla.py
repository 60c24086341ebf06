"""How long an escalated case may wait for a staff member, and the reminders
in the staff channel when it waits longer.

Waiting time counts only the staff's business hours: 9:00-17:30 JST on
business days (knowledge.calendar: no weekends, public holidays or the
12/30-1/3 closure). The hours are those of HPE's own desk for support
contracts in the handbook (Q23: 9:00-12:00 and 13:00-17:30); the lunch hour is
counted, since a partner waiting through it is still waiting. A case
escalated on Friday evening is therefore due on Monday morning.

An open case (nobody claimed it) gets one reminder once it has waited
FAQBOT_SLA_MINUTES, then one per business hour while it stays open.
Reminders are case events, so they survive a restart and are counted again
from a reopening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.desk import texts
from bot.desk.case_state import Case, CaseStatus
from bot.desk.controls import escape, truncate
from bot.desk.ports import SlackPort
from bot.runtime.clock import Clock
from bot.runtime.settings import Settings
from bot.store import Store
from knowledge.calendar import JST, is_business_day, to_jst

STAFF_OPENS = time(9, 0)
STAFF_CLOSES = time(17, 30)
SLA_MINUTES_DEFAULT = 30
# After the first reminder, one per business hour.
REPEAT_MINUTES = 60
REMINDER_EVENT = "sla_reminder"
# The events that start a case's wait: its escalation, or its reopening.
OPENING_EVENTS = ("escalated", "reopened")
# The case event's actor for what the bot does by itself.
BOT_ACTOR = "faqbot"


class SlaError(ValueError):
    pass


@dataclass(frozen=True)
class ServiceLevel:
    minutes: int = SLA_MINUTES_DEFAULT

    @classmethod
    def from_setting(cls, raw: str | None) -> ServiceLevel:
        """FAQBOT_SLA_MINUTES: whole minutes, 1 or more; unset means the default."""
        if raw is None:
            return cls()
        if not raw.isdigit() or int(raw) < 1:
            raise SlaError(
                f"FAQBOT_SLA_MINUTES「{raw}」は分数（1以上の整数）で指定してください。例: FAQBOT_SLA_MINUTES=30"
            )
        return cls(int(raw))

    def overdue(self, opened_at: datetime, now: datetime) -> bool:
        return staff_minutes_between(opened_at, now) >= self.minutes


def in_staff_hours(moment: datetime) -> bool:
    local = to_jst(moment)
    return is_business_day(local.date()) and STAFF_OPENS <= local.time() < STAFF_CLOSES


def staff_minutes_between(start: datetime, end: datetime) -> float:
    """Minutes of staff business hours in [start, end)."""
    start, end = to_jst(start), to_jst(end)
    total = 0.0
    day = start.date()
    while day <= end.date():
        if is_business_day(day):
            opens = datetime.combine(day, STAFF_OPENS, JST)
            closes = datetime.combine(day, STAFF_CLOSES, JST)
            span = min(end, closes) - max(start, opens)
            if span > timedelta(0):
                total += span.total_seconds() / 60
        day += timedelta(days=1)
    return total


def opened_at(store: Store, case: Case) -> datetime:
    """When the case's current wait began: its escalation, or its latest reopening."""
    return store.last_case_event_at(case.id, OPENING_EVENTS) or case.created_at


def reminder_due(
    level: ServiceLevel, opened_at: datetime, last_reminder: datetime | None, now: datetime
) -> bool:
    """Whether an open case needs a reminder now; `last_reminder` is the last one since it opened."""
    if not in_staff_hours(now):
        return False
    if last_reminder is None:
        return level.overdue(opened_at, now)
    return staff_minutes_between(last_reminder, now) >= REPEAT_MINUTES


class SlaWatch:
    def __init__(
        self, settings: Settings, store: Store, clock: Clock, level: ServiceLevel, outbox: SlackPort
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.level = level
        self.outbox = outbox

    def remind(self) -> list[int]:
        """Post the reminders due now in the staff channel; the ids of the cases reminded."""
        now = self.clock.now()
        channel = self.settings.staff_channel
        if not in_staff_hours(now) or not channel:
            return []
        reminded, writes = [], []
        for case in self.store.unresolved_cases():
            if case.status is not CaseStatus.open:
                continue
            opened = opened_at(self.store, case)
            last = self.store.last_case_event_at(case.id, [REMINDER_EVENT])
            if not reminder_due(self.level, opened, last if last and last >= opened else None, now):
                continue
            waited = staff_minutes_between(opened, now)
            question = escape(truncate(case.question or "（本文なし）", 200))
            text = texts.sla_reminder(case.id, waited, self.level.minutes, question, case.permalink)
            # The reminder is a case event, recorded with its message: neither without the other.
            with self.store.transaction():
                event_id = self.store.add_case_event(case.id, BOT_ACTOR, REMINDER_EVENT, now, f"{waited:.0f}")
                writes.append(
                    self.outbox.add_message(
                        key=f"sla:{case.id}:{event_id}", channel=channel, thread_ts=None, text=text
                    )
                )
            reminded.append(case.id)
        self.outbox.send(writes)
        return reminded
