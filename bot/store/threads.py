"""Thread memory, the question log and feedback: what each thread was asked and
answered (the context of its next turn), every question with where its reply
went, and whether partners found the answer resolved their question.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from intents.answer import Answer

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.store.lock import StoreLock

SCHEMA: dict[str, dict[str, Any]] = {
    "threads": {
        "columns": {
            "channel": str,
            "thread_ts": str,
            "asked_by": str,
            "question": str,
            "last_answer": str,  # Answer JSON, the RouteContext of the next turn
            "answered_at": str,
        },
        "pk": ("channel", "thread_ts"),
    },
    "questions": {
        "columns": {
            "id": int,
            "channel": str,
            "ts": str,
            "thread_ts": str,
            "user": str,
            "text": str,
            "via": str,  # mention / dm / thread / faq / pwp / contact / choice
            "kind": str,
            "intent": str,
            "confidence": float,
            "reply_ts": str,
            "asked_at": str,
            # The answer as JSON: what 「全文を見る」 opens, however the thread went on since.
            "answer": str,
        },
        "pk": "id",
    },
    "feedback": {
        "columns": {"question_id": int, "user": str, "resolved": int, "at": str},
        "pk": ("question_id", "user"),
    },
}
INDEXES: list[tuple[str, list[str], bool]] = [
    ("questions", ["channel", "ts"], False),
    ("questions", ["channel", "reply_ts"], False),
    ("questions", ["asked_at"], False),
]


@dataclass(frozen=True)
class ThreadState:
    channel: str
    thread_ts: str
    asked_by: str | None
    question: str
    last_answer: Answer | None


class ThreadTables:
    db: Database
    _lock: StoreLock

    # The answering path below runs once per question: each method is one SQL
    # statement, without sqlite-utils' per-call table introspection.

    def thread(self, channel: str, thread_ts: str) -> ThreadState | None:
        with self._lock:
            row = self.db.execute(
                "SELECT asked_by, question, last_answer FROM threads WHERE channel = ? AND thread_ts = ?",
                [channel, thread_ts],
            ).fetchone()
        if row is None:
            return None
        asked_by, question, last_answer = row
        last = Answer.model_validate_json(last_answer) if last_answer else None
        return ThreadState(channel, thread_ts, asked_by, question or "", last)

    def _save_thread(
        self, channel: str, thread_ts: str, asked_by: str | None, question: str, answer: dict[str, Any], at: datetime
    ) -> None:
        # The thread's asker and first question stay those of its root; the answer is the latest.
        self.db.execute(
            """
            INSERT INTO threads (channel, thread_ts, asked_by, question, last_answer, answered_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (channel, thread_ts) DO UPDATE SET
                asked_by = COALESCE(threads.asked_by, excluded.asked_by),
                question = COALESCE(NULLIF(threads.question, ''), excluded.question),
                last_answer = excluded.last_answer,
                answered_at = excluded.answered_at
            """,
            [channel, thread_ts, asked_by, question, json.dumps(answer, ensure_ascii=False), at.isoformat()],
        )

    def log_question(
        self,
        *,
        channel: str,
        ts: str | None,
        thread_ts: str | None,
        user: str | None,
        text: str,
        via: str,
        answer: Answer,
        at: datetime,
    ) -> int:
        with self._lock:
            cursor = self.db.execute(
                """
                INSERT INTO questions
                    (channel, ts, thread_ts, user, text, via, kind, intent, confidence, asked_at, answer)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    channel,
                    ts,
                    thread_ts,
                    user,
                    text,
                    via,
                    answer.kind,
                    answer.intent,
                    answer.confidence,
                    at.isoformat(),
                    answer.model_dump_json(),
                ],
            )
            assert cursor.lastrowid is not None  # an INSERT just ran
            return cursor.lastrowid

    def record_reply(
        self,
        question_id: int,
        reply_ts: str,
        *,
        channel: str,
        thread_ts: str,
        asked_by: str | None,
        question: str,
        answer: dict[str, Any],
        at: datetime,
    ) -> None:
        """After a reply is posted: where it went, and the thread's memory for the next turn. One transaction.

        `answer` is the answer as JSON (`model_dump(mode="json")`, made before the lock is taken)."""
        with self._lock, self.db.atomic():
            self.db.execute(
                "UPDATE questions SET reply_ts = ?, thread_ts = COALESCE(thread_ts, ?) WHERE id = ?",
                [reply_ts, thread_ts, question_id],
            )
            self._save_thread(channel, thread_ts, asked_by, question, answer, at)

    def question(self, question_id: int) -> dict[str, Any] | None:
        with self._lock:
            rows = list(self.db["questions"].rows_where("id = ?", [question_id]))
        return rows[0] if rows else None

    def answer_of(self, question_id: int) -> Answer | None:
        """The answer the question was given, as it was given."""
        question = self.question(question_id)
        return Answer.model_validate_json(question["answer"]) if question and question.get("answer") else None

    def thread_of_message(self, channel: str, ts: str) -> str | None:
        """The thread root of a message the bot saw or sent, if it knows the message."""
        with self._lock:
            rows = list(
                self.db.query(
                    "SELECT thread_ts FROM questions WHERE channel = ? AND (ts = ? OR reply_ts = ?) LIMIT 1",
                    [channel, ts, ts],
                )
            )
        return rows[0]["thread_ts"] if rows else None

    def record_feedback(self, question_id: int, user: str, resolved: bool, at: datetime) -> None:
        # The latest press counts: a partner may change their mind.
        with self._lock:
            self.db.table("feedback").upsert(
                {"question_id": question_id, "user": user, "resolved": int(resolved), "at": at.isoformat()},
                pk=("question_id", "user"),
            )

    # --- workbench reads: App Home, stats ------------------------------------------

    def questions_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        with self._lock:
            return list(
                self.db.query(
                    "SELECT * FROM questions WHERE asked_at >= ? AND asked_at < ? ORDER BY id",
                    [start.isoformat(), end.isoformat()],
                )
            )

    def feedback_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Feedback given in [start, end), with the intent and text of the answered question."""
        with self._lock:
            return list(
                self.db.query(
                    """
                    SELECT f.question_id, f.user, f.resolved, f.at, q.intent, q.text, q.kind
                    FROM feedback f LEFT JOIN questions q ON q.id = f.question_id
                    WHERE f.at >= ? AND f.at < ? ORDER BY f.at
                    """,
                    [start.isoformat(), end.isoformat()],
                )
            )

    def questions_in_thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(
                self.db.query(
                    "SELECT * FROM questions WHERE channel = ? AND thread_ts = ? ORDER BY id",
                    [channel, thread_ts],
                )
            )
