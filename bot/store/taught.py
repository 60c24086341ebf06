"""Taught examples: staff decisions that teach the matcher, read back at start
and whenever the set of decisions changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.store.lock import StoreLock

SCHEMA: dict[str, dict[str, Any]] = {
    # Staff decisions that teach the matcher: the question becomes an example of
    # `intent` ("null": out of scope). One decision per question text, the latest wins.
    "taught_examples": {
        "columns": {
            "id": int,
            "text": str,
            "intent": str,
            "question_id": int,  # the logged question, when taught from one
            "case_id": int,  # the case, when taught on its staff card
            "asked_at": str,  # when the partner asked: `faqbot eval --from-log` replays it at that moment
            "taught_by": str,
            "taught_at": str,
        },
        "pk": "id",
    },
}
INDEXES: list[tuple[str, list[str], bool]] = [
    ("taught_examples", ["text"], True),
]


@dataclass(frozen=True)
class TaughtExample:
    id: int
    text: str
    intent: str
    question_id: int | None
    case_id: int | None
    asked_at: datetime
    taught_by: str
    taught_at: datetime


class TaughtTable:
    db: Database
    _lock: StoreLock

    def save_taught(
        self,
        *,
        text: str,
        intent: str,
        question_id: int | None,
        case_id: int | None,
        asked_at: datetime,
        by: str,
        at: datetime,
    ) -> None:
        """Record a staff decision; teaching the same text again replaces the earlier decision."""
        with self._lock:
            self.db.execute(
                """
                INSERT INTO taught_examples (text, intent, question_id, case_id, asked_at, taught_by, taught_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (text) DO UPDATE SET
                    intent = excluded.intent,
                    question_id = COALESCE(excluded.question_id, taught_examples.question_id),
                    case_id = COALESCE(excluded.case_id, taught_examples.case_id),
                    taught_by = excluded.taught_by,
                    taught_at = excluded.taught_at
                """,
                [text, intent, question_id, case_id, asked_at.isoformat(), by, at.isoformat()],
            )

    def taught_examples(self) -> list[TaughtExample]:
        with self._lock:
            rows = list(self.db.query("SELECT * FROM taught_examples ORDER BY id"))
        return [
            TaughtExample(
                id=r["id"],
                text=r["text"],
                intent=r["intent"],
                question_id=r["question_id"],
                case_id=r["case_id"],
                asked_at=datetime.fromisoformat(r["asked_at"]),
                taught_by=r["taught_by"],
                taught_at=datetime.fromisoformat(r["taught_at"]),
            )
            for r in rows
        ]

    def taught_signature(self) -> tuple[tuple[int, str], ...]:
        """(id, intent) of every taught example: it changes with every decision, re-teaching included."""
        with self._lock:
            return tuple(self.db.execute("SELECT id, intent FROM taught_examples ORDER BY id").fetchall())
