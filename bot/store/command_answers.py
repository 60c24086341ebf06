"""Slash-command answers: Slack shows them only to the asker (ephemeral) and
keeps nothing, so they are kept here for the 「チャンネルに共有」 button to post.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from intents.answer import Answer

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.store.lock import StoreLock

SCHEMA: dict[str, dict[str, Any]] = {
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
}
INDEXES: list[tuple[str, list[str], bool]] = []


@dataclass(frozen=True)
class CommandAnswer:
    id: int
    user: str
    channel: str
    command: str
    text: str
    answer: Answer


class CommandAnswerTable:
    db: Database
    _lock: StoreLock

    def save_command_answer(
        self, *, user: str, channel: str, command: str, text: str, answer: Answer, at: datetime
    ) -> int:
        with self._lock:
            table = self.db.table("command_answers").insert(
                {
                    "user": user,
                    "channel": channel,
                    "command": command,
                    "text": text,
                    "answer": answer.model_dump_json(),
                    "at": at.isoformat(),
                }
            )
            assert table.last_pk is not None  # an insert just ran
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
