"""The event journal and dedupe keys: Slack retries an event and sends one message
as both app_mention and message, and the bot must answer once; an event acked
before its effect is stored must be replayed if the process dies in between.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.store.lock import StoreLock

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
}
INDEXES: list[tuple[str, list[str], bool]] = []


class JournalTable:
    db: Database
    _lock: StoreLock

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
