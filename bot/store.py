"""The bot's state in SQLite (sqlite-utils): deduplication keys, thread memory,
the question log, feedback, shared command answers and escalation cases.

One connection is shared by Bolt's listener threads behind a lock: the writes
are tiny, and a single writer keeps "claim this event" atomic without
cross-connection retries. WAL lets `sqlite3` or a report read while the bot
writes; busy_timeout covers another process holding the lock briefly.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.case_state import Case, Via
from intents.answer import Answer

# Columns per table. At start a missing table is created and a missing column
# added, so adding a column here is the whole migration (and a no-op once done).
SCHEMA: dict[str, dict[str, Any]] = {
    # Keys already handled: "event:<event_id>" for retries, "message:<channel>:<ts>"
    # so app_mention and message for the same message answer once.
    "seen": {"columns": {"key": str, "at": str}, "pk": "key"},
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
        },
        "pk": "id",
    },
    "feedback": {
        "columns": {"question_id": int, "user": str, "resolved": int, "at": str},
        "pk": ("question_id", "user"),
    },
    # Ephemeral slash-command answers, kept so "チャンネルに共有" can post them.
    "command_answers": {
        "columns": {
            "id": int,
            "user": str,
            "channel": str,
            "command": str,
            "text": str,
            "answer": str,
            "at": str,
        },
        "pk": "id",
    },
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
INDEXES = [
    ("cases", ["channel", "thread_ts"], True),
    ("questions", ["channel", "ts"], False),
    ("questions", ["channel", "reply_ts"], False),
    ("case_events", ["case_id"], False),
]


@dataclass(frozen=True)
class ThreadState:
    channel: str
    thread_ts: str
    asked_by: str | None
    question: str
    last_answer: Answer | None


@dataclass(frozen=True)
class CommandAnswer:
    id: int
    user: str
    channel: str
    command: str
    text: str
    answer: Answer


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=5.0)
        self.db = Database(conn)
        self._lock = threading.RLock()
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            self.db.execute("PRAGMA busy_timeout = 5000")
            if self.path != ":memory:":
                self.db.enable_wal()
                # WAL makes NORMAL durable against application crashes; only an OS
                # crash can lose the last transactions, which Slack would retry.
                self.db.execute("PRAGMA synchronous = NORMAL")
            for name, spec in SCHEMA.items():
                table = self.db.table(name)
                if not table.exists():
                    table.create(spec["columns"], pk=spec["pk"], not_null=_not_null(spec["pk"]))
                    continue
                existing = table.columns_dict
                for column, column_type in spec["columns"].items():
                    if column not in existing:
                        table.add_column(column, column_type)
            for table_name, columns, unique in INDEXES:
                self.db.table(table_name).create_index(columns, unique=unique, if_not_exists=True)

    def ping(self) -> str:
        """ "ok" when the database answers (for /healthz)."""
        with self._lock:
            self.db.execute("SELECT 1").fetchone()
        return "ok"

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # --- deduplication -------------------------------------------------------

    def claim(self, key: str, at: datetime) -> bool:
        """True for the first caller with this key, False for every later one."""
        with self._lock:
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO seen (key, at) VALUES (?, ?)", [key, at.isoformat()]
            )
            return cursor.rowcount == 1

    def forget_seen_before(self, before: datetime) -> int:
        """Drop dedupe keys older than Slack's retry horizon (retries stop within hours)."""
        with self._lock:
            return self.db.execute("DELETE FROM seen WHERE at < ?", [before.isoformat()]).rowcount

    def release(self, key: str) -> None:
        """Forget a claim whose work failed, so Slack's retry of it is answered."""
        with self._lock:
            self.db.execute("DELETE FROM seen WHERE key = ?", [key])

    # --- threads ---------------------------------------------------------------

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
        self, channel: str, thread_ts: str, asked_by: str | None, question: str, answer: Answer, at: datetime
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
            [channel, thread_ts, asked_by, question, answer.model_dump_json(), at.isoformat()],
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
                INSERT INTO questions (channel, ts, thread_ts, user, text, via, kind, intent, confidence, asked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
                ],
            )
            return int(cursor.lastrowid)

    def record_reply(
        self,
        question_id: int,
        reply_ts: str,
        *,
        channel: str,
        thread_ts: str,
        asked_by: str | None,
        question: str,
        answer: Answer,
        at: datetime,
    ) -> None:
        """After a reply is posted: where it went, and the thread's memory for the next turn. One transaction."""
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
            self.db["feedback"].upsert(
                {"question_id": question_id, "user": user, "resolved": int(resolved), "at": at.isoformat()},
                pk=("question_id", "user"),
            )

    # --- slash-command answers ---------------------------------------------------

    def save_command_answer(
        self, *, user: str, channel: str, command: str, text: str, answer: Answer, at: datetime
    ) -> int:
        with self._lock:
            table = self.db["command_answers"].insert(
                {
                    "user": user,
                    "channel": channel,
                    "command": command,
                    "text": text,
                    "answer": answer.model_dump_json(),
                    "at": at.isoformat(),
                }
            )
            return int(table.last_pk)

    def command_answer(self, answer_id: int) -> CommandAnswer | None:
        with self._lock:
            rows = list(self.db["command_answers"].rows_where("id = ?", [answer_id]))
        if not rows:
            return None
        r = rows[0]
        return CommandAnswer(
            r["id"], r["user"], r["channel"], r["command"], r["text"], Answer.model_validate_json(r["answer"])
        )

    # --- cases ---------------------------------------------------------------------

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
            self.db["cases"].update(case.id, row)

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

    def add_case_event(self, case_id: int, actor: str, action: str, at: datetime, detail: str = "") -> None:
        with self._lock:
            self.db["case_events"].insert(
                {"case_id": case_id, "at": at.isoformat(), "actor": actor, "action": action, "detail": detail}
            )


def _not_null(pk: str | tuple[str, ...]) -> set[str]:
    return {pk} if isinstance(pk, str) else set(pk)


def _case(row: dict[str, Any]) -> Case:
    data = {k: v for k, v in row.items() if v is not None}
    if row.get("answer"):
        data["answer"] = json.loads(row["answer"])
    return Case.model_validate(data)
