"""The outbox's table: Slack writes that matter, recorded before they are sent so
a crash or a Slack outage delays them instead of losing them (bot/outbox.py
sends them, in order within a lane).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.store.lock import StoreLock

SCHEMA: dict[str, dict[str, Any]] = {
    # Slack writes that matter, recorded before they are sent (bot/outbox.py).
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
INDEXES: list[tuple[str, list[str], bool]] = [
    ("outbox", ["key"], True),
    ("outbox", ["state", "next_at"], False),
    ("outbox", ["lane", "state"], False),
]


class OutboxTable:
    db: Database
    _lock: StoreLock

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

    def outbox_last_posted(self, lane: str) -> str | None:
        """The ts of the last write in `lane` Slack accepted, or None."""
        with self._lock:
            rows = list(
                self.db.query(
                    "SELECT result_ts FROM outbox WHERE lane = ? AND state = 'sent' AND result_ts IS NOT NULL"
                    " ORDER BY id DESC LIMIT 1",
                    [lane],
                )
            )
        return rows[0]["result_ts"] if rows else None

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

    def outbox_recover(self, next_at: float) -> int:
        """After a restart: writes caught mid-send may have reached Slack; they are looked for first, at `next_at`."""
        with self._lock:
            return self.db.execute(
                "UPDATE outbox SET state = 'pending', maybe_sent = 1, next_at = ? WHERE state = 'sending'",
                [next_at],
            ).rowcount

    def outbox_backlog(self) -> dict[str, Any]:
        """For /healthz: writes waiting, the oldest one's creation time, writes given up."""
        with self._lock:
            pending, oldest = self.db.execute(
                "SELECT count(*), min(created) FROM outbox WHERE state IN ('pending', 'sending')"
            ).fetchone()
            dead = self.db.execute("SELECT count(*) FROM outbox WHERE state = 'dead'").fetchone()[0]
        return {"pending": pending, "oldest_created": oldest, "dead": dead}


def _outbox_row(description: Any, values: tuple[Any, ...]) -> dict[str, Any]:
    """An outbox row as a dict, its payload decoded (after the lock is released: it is the bulk)."""
    row = {column[0]: value for column, value in zip(description, values, strict=True)}
    row["payload"] = json.loads(row["payload"])
    return row
