"""The bot's state in SQLite (sqlite-utils): deduplication keys and the event
journal, thread memory, the question log, feedback, shared command answers,
escalation cases, the outbox of Slack writes, the examples staff taught and
PWP reminders.

`Store` is assembled here from one class per aggregate module, each with its
tables' schema next to its SQL; connection.py holds the one connection, the
transactions and the migration of every module's tables.
"""

from __future__ import annotations

from datetime import datetime

from bot.store.cases import CaseTables
from bot.store.command_answers import CommandAnswer, CommandAnswerTable
from bot.store.connection import INDEXES, SCHEMA, ConnectionBase
from bot.store.journal import JournalTable
from bot.store.modals import ModalTable
from bot.store.outbox import OutboxTable
from bot.store.reminders import Reminder, ReminderTable
from bot.store.taught import TaughtExample, TaughtTable
from bot.store.threads import ThreadState, ThreadTables

__all__ = ["INDEXES", "SCHEMA", "CommandAnswer", "Reminder", "Store", "TaughtExample", "ThreadState"]


class Store(
    ConnectionBase,
    JournalTable,
    ThreadTables,
    CommandAnswerTable,
    CaseTables,
    TaughtTable,
    ReminderTable,
    OutboxTable,
    ModalTable,
):
    def purge(self, before: datetime, before_epoch: float) -> dict[str, int]:
        """Delete what partners wrote or were answered before the cut-off; rows deleted per table.

        Escalation cases are the support record and are kept. Retention lives here, on the
        assembled store, because one purge spans the tables of several modules in one transaction.
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
