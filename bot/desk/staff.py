"""Who counts as support staff: FAQBOT_STAFF_USERS, plus the members of the
Slack user group FAQBOT_STAFF_GROUP when one is set.

Checked on the server for every staff action; a button anyone in the staff
channel can press proves nothing. The group's members are read through
`members_of` (the adapter asks usergroups.users.list, scope usergroups:read) and
kept for a few minutes; if
Slack cannot be asked, the last known members stay valid, and before the
first answer only the listed users count.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from bot.runtime.settings import Settings

log = logging.getLogger("faqbot.staff")

GROUP_TTL_SECONDS = 300.0
FAILED_FETCH_RETRY_SECONDS = 30.0


class Staff:
    def __init__(
        self,
        settings: Settings,
        members_of: Callable[[str], list[str] | None],
        *,
        ttl: float = GROUP_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users = settings.staff_users
        self.group = settings.staff_group
        self._members_of = members_of
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._members: frozenset[str] = frozenset()
        self._next_fetch = 0.0

    def __contains__(self, user: object) -> bool:
        if not isinstance(user, str) or not user:
            return False
        return user in self.users or user in self._group_members()

    def _group_members(self) -> frozenset[str]:
        if not self.group:
            return frozenset()
        with self._lock:
            if self._clock() < self._next_fetch:
                return self._members
            listed = self._members_of(self.group)
            if listed is not None:
                self._members = frozenset(listed)
                self._next_fetch = self._clock() + self._ttl
            else:
                # Keep the members last seen; ask again soon, not on every press.
                log.warning("could not read FAQBOT_STAFF_GROUP %s: using the members last seen", self.group)
                self._next_fetch = self._clock() + FAILED_FETCH_RETRY_SECONDS
            return self._members
