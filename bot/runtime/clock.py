"""The bot's notion of "now": Japan time, or a frozen instant for demos and tests.

Every rule in the handbook (order windows, centre hours) is stated in JST, so
the clock always hands out an aware Asia/Tokyo datetime whatever the server's
zone is.
"""

from __future__ import annotations

from datetime import datetime

from knowledge.calendar import JST
from knowledge.dates import DateInputError, parse_moment


class ClockError(ValueError):
    pass


class Clock:
    def __init__(self, frozen: datetime | None = None) -> None:
        self._frozen = frozen

    @classmethod
    def from_setting(cls, faqbot_now: str | None) -> Clock:
        """FAQBOT_NOW: ISO 8601 (a date alone means 00:00); without an offset it is JST."""
        if not faqbot_now:
            return cls()
        try:
            return cls(parse_moment(faqbot_now, allow_date_only=True))
        except DateInputError as exc:
            raise ClockError(f"FAQBOT_NOW: {exc}") from None

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.now(JST)


def from_environment() -> Clock:
    """The clock FAQBOT_NOW asks for (environment or .env), for commands run from a shell."""
    from bot.runtime.settings import load

    return Clock.from_setting(load().now)
