"""How long what partners wrote is kept: FAQBOT_RETENTION_DAYS (default 90).

`faqbot purge` deletes older questions, their feedback, slash-command
answers, thread memory, dedupe keys and delivered outbox writes; `faqbot
serve` does the same at start and once a day. Escalation cases are the
support record and are kept.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.runtime.clock import Clock

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger("faqbot.retention")

RETENTION_DAYS_DEFAULT = 90
PURGE_EVERY_SECONDS = 24 * 3600.0


class RetentionError(ValueError):
    """A bad FAQBOT_RETENTION_DAYS; the message is one Japanese line."""


def retention_days(text: str | None) -> int:
    """FAQBOT_RETENTION_DAYS (or `faqbot purge --days`) as given; the default when unset."""
    if text is None:
        return RETENTION_DAYS_DEFAULT
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise RetentionError(
            f"保存期間（FAQBOT_RETENTION_DAYS / --days）は1以上の日数で指定してください（指定値: {text!r}）。"
        )
    return int(text)


def purge(store: Store, clock: Clock, days: int) -> dict[str, int]:
    """Delete what is older than `days`; rows deleted per table."""
    before = clock.now() - timedelta(days=days)
    # Outbox rows carry real time (FAQBOT_NOW does not move them).
    deleted = store.purge(before, time.time() - days * 86400)
    if any(deleted.values()):
        log.info("purged records older than %d days: %s", days, deleted)
    return deleted
