"""Escalation cases and their events: the support record of every thread handed
to staff, and what was done to it when.

The case record lives here, not in bot/case_state.py (which holds the moves a
case can make), so the store needs nothing from the workflows built on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from intents.answer import Answer

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.store.lock import StoreLock

# How a thread reached the staff: the 担当者に相談 button, the message
# shortcut, or the escalation emoji reaction.
Via = Literal["button", "shortcut", "reaction"]


class CaseStatus(StrEnum):
    open = "open"
    claimed = "claimed"
    resolved = "resolved"


class Resolution(StrEnum):
    # Staff settled it themselves.
    staff = "staff"
    # Staff confirmed the bot's answer was right (useful for evaluation).
    bot_correct = "bot_correct"


class Case(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    channel: str
    thread_ts: str
    status: CaseStatus = CaseStatus.open
    asked_by: str | None = None
    question: str = ""
    # The bot's last answer in the thread, if it gave one.
    answer: Answer | None = None
    escalated_by: str
    via: Via
    note: str = ""
    permalink: str | None = None
    # Where the staff card is, once posted (None: posting failed, retried on the next escalation).
    staff_channel: str | None = None
    staff_ts: str | None = None
    claimed_by: str | None = None
    resolved_by: str | None = None
    resolution: Resolution | None = None
    escalations: int = 1
    created_at: datetime
    updated_at: datetime


SCHEMA: dict[str, dict[str, Any]] = {
    "cases": {
        "columns": {
            "id": int,
            "channel": str,
            "thread_ts": str,
            "status": str,
            "asked_by": str,
            "question": str,
            "answer": str,
            "escalated_by": str,
            "via": str,
            "note": str,
            "permalink": str,
            "staff_channel": str,
            "staff_ts": str,
            "claimed_by": str,
            "resolved_by": str,
            "resolution": str,
            "escalations": int,
            "created_at": str,
            "updated_at": str,
        },
        "pk": "id",
    },
    "case_events": {
        "columns": {"id": int, "case_id": int, "at": str, "actor": str, "action": str, "detail": str},
        "pk": "id",
    },
}
INDEXES: list[tuple[str, list[str], bool]] = [
    ("cases", ["channel", "thread_ts"], True),
    ("case_events", ["case_id"], False),
]


class CaseTables:
    db: Database
    _lock: StoreLock

    def open_case(
        self,
        *,
        channel: str,
        thread_ts: str,
        escalated_by: str,
        via: Via,
        asked_by: str | None,
        question: str,
        answer: Answer | None,
        note: str,
        at: datetime,
    ) -> tuple[Case, bool]:
        """The thread's case, created if it has none; True when created now."""
        with self._lock:
            cursor = self.db.execute(
                """
                INSERT INTO cases (channel, thread_ts, status, asked_by, question, answer, escalated_by,
                                   via, note, escalations, created_at, updated_at)
                VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, 1, ?, ?)
                ON CONFLICT (channel, thread_ts) DO NOTHING
                """,
                [
                    channel,
                    thread_ts,
                    asked_by,
                    question,
                    answer.model_dump_json() if answer else None,
                    escalated_by,
                    via,
                    note,
                    at.isoformat(),
                    at.isoformat(),
                ],
            )
            created = cursor.rowcount == 1
            case = self.case_for_thread(channel, thread_ts)
            assert case is not None
            return case, created

    def case_for_thread(self, channel: str, thread_ts: str) -> Case | None:
        with self._lock:
            rows = list(self.db["cases"].rows_where("channel = ? AND thread_ts = ?", [channel, thread_ts]))
        return _case(rows[0]) if rows else None

    def case(self, case_id: int) -> Case | None:
        with self._lock:
            rows = list(self.db["cases"].rows_where("id = ?", [case_id]))
        return _case(rows[0]) if rows else None

    def save_case(self, case: Case) -> None:
        row = case.model_dump(mode="json", exclude={"id", "answer"})
        row["answer"] = case.answer.model_dump_json() if case.answer else None
        with self._lock:
            self.db.table("cases").update(case.id, row)

    def change_case(self, case_id: int, change: Callable[[Case], Case]) -> Case | None:
        """Read, change and save a case atomically, so two staff pressing at once
        cannot both claim it; `change` raises to leave the case as it was."""
        with self._lock:
            case = self.case(case_id)
            if case is None:
                return None
            changed = change(case)
            self.save_case(changed)
            return changed

    def add_case_event(self, case_id: int, actor: str, action: str, at: datetime, detail: str = "") -> int:
        with self._lock:
            cursor = self.db.execute(
                "INSERT INTO case_events (case_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
                [case_id, at.isoformat(), actor, action, detail],
            )
            assert cursor.lastrowid is not None  # an INSERT just ran
            return cursor.lastrowid

    def last_case_event_at(self, case_id: int, actions: Iterable[str]) -> datetime | None:
        wanted = list(actions)
        with self._lock:
            row = self.db.execute(
                f"SELECT max(at) FROM case_events WHERE case_id = ? AND action IN ({', '.join('?' * len(wanted))})",
                [case_id, *wanted],
            ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    # --- workbench reads: App Home, stats ------------------------------------------

    def unresolved_cases(self) -> list[Case]:
        """Open and claimed cases, oldest first."""
        with self._lock:
            rows = list(self.db["cases"].rows_where("status != ?", ["resolved"], order_by="created_at, id"))
        return [_case(r) for r in rows]

    def cases_between(self, start: datetime, end: datetime) -> list[Case]:
        with self._lock:
            rows = list(
                self.db["cases"].rows_where(
                    "created_at >= ? AND created_at < ?", [start.isoformat(), end.isoformat()], order_by="id"
                )
            )
        return [_case(r) for r in rows]

    def confirmed_cases(self) -> list[Case]:
        """Cases staff closed with 「ボットの回答で正しい」: decisions that the bot's answer was right."""
        with self._lock:
            rows = list(self.db["cases"].rows_where("resolution = ?", ["bot_correct"], order_by="id"))
        return [_case(r) for r in rows]

    def case_events_of(self, case_ids: Iterable[int]) -> list[dict[str, Any]]:
        ids = list(case_ids)
        if not ids:
            return []
        with self._lock:
            return list(
                self.db.query(
                    f"SELECT * FROM case_events WHERE case_id IN ({', '.join('?' * len(ids))}) ORDER BY at, id",
                    ids,
                )
            )

    def case_events_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        with self._lock:
            return list(
                self.db.query(
                    "SELECT * FROM case_events WHERE at >= ? AND at < ? ORDER BY at, id",
                    [start.isoformat(), end.isoformat()],
                )
            )


def _case(row: dict[str, Any]) -> Case:
    data = {k: v for k, v in row.items() if v is not None}
    if row.get("answer"):
        data["answer"] = json.loads(row["answer"])
    return Case.model_validate(data)
