"""PWP order-window reminders: Slack schedules a message at most 120 days ahead,
so a reminder further out waits here until it can be handed to Slack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.store.lock import StoreLock

SCHEMA: dict[str, dict[str, Any]] = {
    # PWP order-window reminders, kept here until Slack accepts them (120 days ahead at most).
    "reminders": {
        "columns": {
            "id": int,
            "user": str,
            "post_at": str,
            "coverage_end": str,
            "years": int,
            "window_end": str,
            "recheck": str,  # the /pwp arguments that recompute the answer
            "status": str,  # waiting / scheduled / sent / cancelled (bot.reminders.Status)
            "channel": str,  # the DM channel, once opened
            "scheduled_id": str,  # chat.scheduleMessage's scheduled_message_id
            "created_at": str,
            "updated_at": str,
        },
        "pk": "id",
    },
}
INDEXES: list[tuple[str, list[str], bool]] = [
    ("reminders", ["status", "post_at"], False),
    ("reminders", ["user"], False),
]


@dataclass(frozen=True)
class Reminder:
    id: int
    user: str
    post_at: datetime
    coverage_end: str
    years: int
    window_end: str
    recheck: str
    status: str
    channel: str | None
    scheduled_id: str | None
    created_at: datetime


class ReminderTable:
    db: Database
    _lock: StoreLock

    def add_reminder(
        self,
        *,
        user: str,
        post_at: datetime,
        coverage_end: str,
        years: int,
        window_end: str,
        recheck: str,
        status: str,
        at: datetime,
    ) -> Reminder:
        with self._lock:
            table = self.db.table("reminders").insert(
                {
                    "user": user,
                    "post_at": post_at.isoformat(),
                    "coverage_end": coverage_end,
                    "years": years,
                    "window_end": window_end,
                    "recheck": recheck,
                    "status": status,
                    "created_at": at.isoformat(),
                    "updated_at": at.isoformat(),
                }
            )
            assert table.last_pk is not None  # an insert just ran
            reminder = self.reminder(int(table.last_pk))
        assert reminder is not None
        return reminder

    def reminder(self, reminder_id: int) -> Reminder | None:
        with self._lock:
            rows = list(self.db["reminders"].rows_where("id = ?", [reminder_id]))
        return _reminder(rows[0]) if rows else None

    def reminders_of(self, user: str, statuses: Iterable[str], after: datetime) -> list[Reminder]:
        """A user's reminders in one of `statuses` still to come after `after`, soonest first."""
        wanted = list(statuses)
        with self._lock:
            rows = list(
                self.db["reminders"].rows_where(
                    f"user = ? AND post_at > ? AND status IN ({', '.join('?' * len(wanted))})",
                    [user, after.isoformat(), *wanted],
                    order_by="post_at, id",
                )
            )
        return [_reminder(r) for r in rows]

    def reminders_in(self, status: str, until: datetime) -> list[Reminder]:
        """Reminders in `status` due at or before `until`, soonest first."""
        with self._lock:
            rows = list(
                self.db["reminders"].rows_where(
                    "status = ? AND post_at <= ?", [status, until.isoformat()], order_by="post_at, id"
                )
            )
        return [_reminder(r) for r in rows]

    def update_reminder(self, reminder_id: int, at: datetime, **fields: Any) -> Reminder:
        with self._lock:
            self.db.table("reminders").update(reminder_id, {**fields, "updated_at": at.isoformat()})
            reminder = self.reminder(reminder_id)
        assert reminder is not None
        return reminder


def _reminder(row: dict[str, Any]) -> Reminder:
    return Reminder(
        id=row["id"],
        user=row["user"],
        post_at=datetime.fromisoformat(row["post_at"]),
        coverage_end=row["coverage_end"],
        years=row["years"],
        window_end=row["window_end"],
        recheck=row["recheck"] or "",
        status=row["status"],
        channel=row["channel"],
        scheduled_id=row["scheduled_id"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )
