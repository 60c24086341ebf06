"""The bot's state in SQLite (sqlite-utils): deduplication keys and the event
journal, thread memory, the question log, feedback, shared command answers,
escalation cases, the outbox of Slack writes, the examples staff taught and
PWP reminders.

One connection is shared by Bolt's listener threads behind a lock: the writes
are tiny, and a single writer keeps "claim this event" atomic without
cross-connection retries. WAL lets `sqlite3` or a report read while the bot
writes; busy_timeout covers another process holding the lock briefly.
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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
    # so app_mention and message for the same message answer once. A key with a
    # job is the event journal (bot/intake.py): written before Slack gets its ack,
    # `state` "received" until the job's effect is stored ("done", or NULL for a
    # plain claim), replayed at start if the process died in between.
    "seen": {
        "columns": {"key": str, "at": str, "state": str, "job": str, "replays": int},
        "pk": "key",
    },
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
    },    # Slack writes that matter, recorded before they are sent (bot/outbox.py).
    "outbox": {
        "columns": {
            "id": int,
            "key": str,  # what the write is, once: a resend with the same key is the same message
            "lane": str,  # writes in one lane (a thread, a staff card) go out in id order
            "kind": str,  # message / card
            "payload": str,  # JSON, read by the kind's sender: the call's arguments, what to record after
            "state": str,  # pending / sending / sent / dead
            "attempts": int,
            "maybe_sent": int,  # 1 after a failure Slack may have acted on: look before resending
            "next_at": float,  # epoch seconds (real time even when FAQBOT_NOW freezes the clock)
            "created": float,
            "sent_at": float,
            "result_ts": str,
            "error": str,
            "request_id": str,  # the request that caused it, for the logs
        },
        "pk": "id",
    },
}
INDEXES = [
    ("outbox", ["key"], True),
    ("outbox", ["state", "next_at"], False),
    ("outbox", ["lane", "state"], False),
    ("cases", ["channel", "thread_ts"], True),
    ("questions", ["channel", "ts"], False),
    ("questions", ["channel", "reply_ts"], False),
    ("case_events", ["case_id"], False),
    ("questions", ["asked_at"], False),
    ("taught_examples", ["text"], True),
    ("reminders", ["status", "post_at"], False),
    ("reminders", ["user"], False),
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


class _StoreLock:
    """The connection's lock: one thread of this process at a time, and, for a database
    file, one process at a time (an flock on `<db>.lock`).

    Without the file lock, processes sharing the database (the workers of `faqbot
    serve --http --workers N`, `faqbot purge`) would meet in SQLite's busy handler,
    which sleeps 1, 2, 5, 10 … ms between tries: under load most of a worker's time
    went to those sleeps. A waiter on an flock is woken as soon as it is released.
    Reentrant, as the store's methods call one another inside transactions.
    """

    def __init__(self, path: Path | None) -> None:
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._file = path.open("a") if path is not None else None

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        self._depth += 1
        if self._depth == 1 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._thread_lock.release()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=5.0)
        self.db = Database(conn)
        self._lock = _StoreLock(None if self.path == ":memory:" else Path(self.path + ".lock"))
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
        self._lock.close()

    # --- deduplication -------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Several of the methods below as one transaction (nested: a savepoint).

        BEGIN IMMEDIATE takes the write lock up front: a transaction that read first
        and wrote later could find another connection's commit in between (`faqbot
        purge`, a report) and fail at once with "database is locked", without the
        busy timeout ever applying.
        """
        with self._lock:
            conn = self.db.conn
            if conn.in_transaction:
                with self.db.atomic():
                    yield
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def claim(self, key: str, at: datetime, job: dict[str, Any] | None = None) -> bool:
        """True for the first caller with this key, False for every later one.

        With a job, the key is an event journal entry: "received" until `settle`.
        """
        with self._lock:
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO seen (key, at, state, job, replays) VALUES (?, ?, ?, ?, 0)",
                [key, at.isoformat(), "received" if job else "done", json.dumps(job) if job else None],
            )
            return cursor.rowcount == 1

    def settle(self, key: str) -> None:
        """The job's effect is stored: its text need not be kept here any longer."""
        with self._lock:
            self.db.execute("UPDATE seen SET state = 'done', job = NULL WHERE key = ?", [key])

    def unsettled(self) -> list[tuple[str, dict[str, Any], int]]:
        """Journal entries whose job never finished: (key, job, times replayed), oldest first."""
        with self._lock:
            rows = self.db.execute(
                "SELECT key, job, replays FROM seen WHERE state = 'received' ORDER BY at, rowid"
            ).fetchall()
        return [(key, json.loads(job), replays or 0) for key, job, replays in rows]

    def count_replay(self, key: str) -> None:
        with self._lock:
            self.db.execute("UPDATE seen SET replays = COALESCE(replays, 0) + 1 WHERE key = ?", [key])

    def forget_seen_before(self, before: datetime) -> int:
        """Drop dedupe keys older than Slack's retry horizon (retries stop within hours)."""
        with self._lock:
            return self.db.execute(
                "DELETE FROM seen WHERE at < ? AND state IS NOT 'received'", [before.isoformat()]
            ).rowcount

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

    def add_case_event(self, case_id: int, actor: str, action: str, at: datetime, detail: str = "") -> int:
        with self._lock:
            cursor = self.db.execute(
                "INSERT INTO case_events (case_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
                [case_id, at.isoformat(), actor, action, detail],
            )
            return int(cursor.lastrowid)

    def last_case_event_at(self, case_id: int, actions: Iterable[str]) -> datetime | None:
        wanted = list(actions)
        with self._lock:
            row = self.db.execute(
                f"SELECT max(at) FROM case_events WHERE case_id = ? AND action IN ({', '.join('?' * len(wanted))})",
                [case_id, *wanted],
            ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

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

    # --- teaching ------------------------------------------------------------------------

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

    # --- reminders -----------------------------------------------------------------------

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
            table = self.db["reminders"].insert(
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
            self.db["reminders"].update(reminder_id, {**fields, "updated_at": at.isoformat()})
            reminder = self.reminder(reminder_id)
        assert reminder is not None
        return reminder

    # --- outbox (bot/outbox.py) ------------------------------------------------------------

    def outbox_add(
        self,
        *,
        key: str,
        lane: str,
        kind: str,
        payload: dict[str, Any],
        at: float,
        request_id: str | None,
    ) -> int:
        """Record a write; the same key again is the same write (a dead one is revived). Its id."""
        encoded = json.dumps(payload)
        with self._lock:
            _, added = self._returning(
                """
                INSERT INTO outbox (key, lane, kind, payload, state, attempts, maybe_sent,
                                    next_at, created, request_id)
                VALUES (?, ?, ?, ?, 'pending', 0, 0, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET state = 'pending', attempts = 0, next_at = excluded.next_at,
                    error = NULL
                WHERE outbox.state = 'dead'
                RETURNING id
                """,
                [key, lane, kind, encoded, at, at, request_id],
            )
            if not added:  # the same write, recorded before and not given up
                added = self.db.execute("SELECT id FROM outbox WHERE key = ?", [key]).fetchall()
        return int(added[0][0])

    def outbox_take(self, outbox_id: int, now: float) -> dict[str, Any] | None:
        """Mark a due write as being sent, unless an earlier write in its lane is still unsent. The row."""
        with self._lock:
            columns, taken = self._returning(
                """
                UPDATE outbox SET state = 'sending', attempts = attempts + 1
                WHERE id = ? AND state = 'pending' AND next_at <= ? AND NOT EXISTS (
                    SELECT 1 FROM outbox AS earlier
                    WHERE earlier.lane = outbox.lane AND earlier.id < outbox.id
                      AND earlier.state IN ('pending', 'sending'))
                RETURNING *
                """,
                [outbox_id, now],
            )
        return _outbox_row(columns, taken[0]) if taken else None

    def outbox_row(self, outbox_id: int) -> dict[str, Any] | None:
        with self._lock:
            cursor = self.db.execute("SELECT * FROM outbox WHERE id = ?", [outbox_id])
            row = cursor.fetchone()
        return _outbox_row(cursor.description, row) if row is not None else None

    def outbox_due(self, now: float, limit: int) -> list[int]:
        with self._lock:
            rows = self.db.execute(
                "SELECT id FROM outbox WHERE state = 'pending' AND next_at <= ? ORDER BY id LIMIT ?",
                [now, limit],
            ).fetchall()
        return [r[0] for r in rows]

    def outbox_next_at(self) -> float | None:
        """When the next write first in its lane falls due (the others wait for the one in front)."""
        with self._lock:
            return self.db.execute(
                """
                SELECT min(next_at) FROM outbox
                WHERE state = 'pending' AND NOT EXISTS (
                    SELECT 1 FROM outbox AS earlier
                    WHERE earlier.lane = outbox.lane AND earlier.id < outbox.id
                      AND earlier.state IN ('pending', 'sending'))
                """
            ).fetchone()[0]

    def outbox_sent(self, outbox_id: int, result_ts: str | None, at: float) -> bool:
        """Mark a write sent; True when later writes wait behind it in its lane."""
        with self._lock:
            return self._settle_write(
                "state = 'sent', result_ts = ?, sent_at = ?, error = NULL", [result_ts, at], outbox_id
            )

    def outbox_later(self, outbox_id: int, error: str, next_at: float, maybe_sent: bool) -> None:
        with self._lock:
            self.db.execute(
                """
                UPDATE outbox SET state = 'pending', error = ?, next_at = ?,
                    maybe_sent = MAX(maybe_sent, ?) WHERE id = ?
                """,
                [error, next_at, int(maybe_sent), outbox_id],
            )

    def outbox_dead(self, outbox_id: int, error: str) -> bool:
        """Give a write up; True when later writes wait behind it in its lane."""
        with self._lock:
            return self._settle_write("state = 'dead', error = ?", [error], outbox_id)

    def _settle_write(self, assignments: str, values: list[Any], outbox_id: int) -> bool:
        _, returned = self._returning(
            f"""
            UPDATE outbox SET {assignments} WHERE id = ?
            RETURNING EXISTS (
                SELECT 1 FROM outbox AS later
                WHERE later.lane = outbox.lane AND later.id > outbox.id AND later.state = 'pending')
            """,
            [*values, outbox_id],
        )
        return bool(returned and returned[0][0])

    def _returning(self, sql: str, parameters: list[Any]) -> tuple[Any, list[tuple[Any, ...]]]:
        """A write with RETURNING: (column descriptions, rows). It is run to completion and, outside
        a transaction, committed: sqlite-utils commits only the statements that return nothing."""
        conn = self.db.conn
        was_in_transaction = conn.in_transaction
        cursor = self.db.execute(sql, parameters)
        try:
            rows = cursor.fetchall()
        except BaseException:
            if not was_in_transaction and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if not was_in_transaction and conn.in_transaction:
            conn.execute("COMMIT")
        return cursor.description, rows

    def outbox_recover(self, now: float) -> int:
        """After a restart: writes caught mid-send may have reached Slack; they are looked for first."""
        with self._lock:
            return self.db.execute(
                "UPDATE outbox SET state = 'pending', maybe_sent = 1, next_at = ? WHERE state = 'sending'",
                [now],
            ).rowcount

    def outbox_backlog(self) -> dict[str, Any]:
        """For /healthz: writes waiting, the oldest one's creation time, writes given up."""
        with self._lock:
            pending, oldest = self.db.execute(
                "SELECT count(*), min(created) FROM outbox WHERE state IN ('pending', 'sending')"
            ).fetchone()
            dead = self.db.execute("SELECT count(*) FROM outbox WHERE state = 'dead'").fetchone()[0]
        return {"pending": pending, "oldest_created": oldest, "dead": dead}

    # --- retention (bot/retention.py) ---------------------------------------------------------

    def purge(self, before: datetime, before_epoch: float) -> dict[str, int]:
        """Delete what partners wrote or were answered before the cut-off; rows deleted per table.

        Escalation cases are the support record and are kept.
        """
        cut = before.isoformat()
        statements = {
            "questions": ("DELETE FROM questions WHERE asked_at < ?", cut),
            "feedback": ("DELETE FROM feedback WHERE at < ?", cut),
            "command_answers": ("DELETE FROM command_answers WHERE at < ?", cut),
            "threads": ("DELETE FROM threads WHERE answered_at < ?", cut),
            "seen": ("DELETE FROM seen WHERE at < ? AND state IS NOT 'received'", cut),
            "outbox": ("DELETE FROM outbox WHERE created < ? AND state IN ('sent', 'dead')", before_epoch),
        }
        with self.transaction():
            return {table: self.db.execute(sql, [value]).rowcount for table, (sql, value) in statements.items()}


def _not_null(pk: str | tuple[str, ...]) -> set[str]:
    return {pk} if isinstance(pk, str) else set(pk)


def _outbox_row(description: Any, values: tuple[Any, ...]) -> dict[str, Any]:
    """An outbox row as a dict, its payload decoded (after the lock is released: it is the bulk)."""
    row = {column[0]: value for column, value in zip(description, values, strict=True)}
    row["payload"] = json.loads(row["payload"])
    return row


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


def _case(row: dict[str, Any]) -> Case:
    data = {k: v for k, v in row.items() if v is not None}
    if row.get("answer"):
        data["answer"] = json.loads(row["answer"])
    return Case.model_validate(data)
