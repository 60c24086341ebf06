"""The store's one connection, its lock and its transactions, and the migration
of every table the aggregate modules declare.

One connection is shared by Bolt's listener threads behind a lock: the writes
are tiny, and a single writer keeps "claim this event" atomic without
cross-connection retries. WAL lets `sqlite3` or a report read while the bot
writes; busy_timeout covers another process holding the lock briefly.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.store import cases, command_answers, journal, modals, outbox, reminders, taught, threads
from bot.store.lock import StoreLock

# Each aggregate module declares its tables next to its SQL; they are migrated
# here together, so that opening the store brings every table up to date.
# At start a missing table is created and a missing column added, so adding a
# column to a module's SCHEMA is the whole migration (and a no-op once done).
_AGGREGATES = (journal, threads, command_answers, cases, taught, reminders, outbox, modals)
SCHEMA: dict[str, dict[str, Any]] = {name: spec for module in _AGGREGATES for name, spec in module.SCHEMA.items()}
INDEXES: list[tuple[str, list[str], bool]] = [index for module in _AGGREGATES for index in module.INDEXES]


class ConnectionBase:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=5.0)
        self.db = Database(conn)
        self._lock = StoreLock(None if self.path == ":memory:" else Path(self.path + ".lock"))
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

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Several of the store's methods as one transaction (nested: a savepoint).

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


def _not_null(pk: str | tuple[str, ...]) -> set[str]:
    return {pk} if isinstance(pk, str) else set(pk)
