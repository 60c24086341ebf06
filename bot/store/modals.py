"""Escalation modals waiting for their submission: what each one escalates, kept on the server.

The message shortcut opens a modal for one thread. Whatever comes back with the submission
(private_metadata included) is the client's to forge, so the thread, the message and who
opened the modal are stored here under Slack's view id when it opens, and read back on submit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.store.lock import StoreLock

SCHEMA: dict[str, dict[str, Any]] = {
    "escalation_modals": {
        "columns": {
            "view_id": str,
            "user": str,
            "channel": str,
            "thread_ts": str,
            "text": str,
            "author": str,
            "opened_at": str,
        },
        "pk": "view_id",
    },
}
INDEXES: list[tuple[str, list[str], bool]] = [("escalation_modals", ["opened_at"], False)]
# A modal left open and never submitted holds a partner's message: dropped after a day.
KEPT = timedelta(days=1)


class ModalTable:
    db: Database
    _lock: StoreLock

    def save_escalation_modal(
        self, view_id: str, *, user: str, channel: str, thread_ts: str, text: str, author: str | None, at: datetime
    ) -> None:
        with self._lock:
            self.db.execute("DELETE FROM escalation_modals WHERE opened_at < ?", [(at - KEPT).isoformat()])
            self.db.table("escalation_modals").upsert(
                {
                    "view_id": view_id,
                    "user": user,
                    "channel": channel,
                    "thread_ts": thread_ts,
                    "text": text,
                    "author": author,
                    "opened_at": at.isoformat(),
                },
                pk="view_id",
            )

    def take_escalation_modal(self, view_id: str, user: str) -> dict[str, Any] | None:
        """The modal's target if `user` opened it; taken, so one modal escalates once."""
        with self._lock:
            rows = list(
                self.db.query("SELECT * FROM escalation_modals WHERE view_id = ? AND user = ?", [view_id, user])
            )
            if rows:
                self.db.execute("DELETE FROM escalation_modals WHERE view_id = ?", [view_id])
        return rows[0] if rows else None
