"""ja-timex, with each of its patterns tried only where it can match.

ja-timex runs all of its ~250 regular expressions over every text it parses,
which costs ~0.6 ms even for a ten-character window. Most patterns need a
character the window does not hold (年, 曜, 週, 前 …): such a pattern cannot
match, so skipping it changes nothing but the time (the results are the
stock parser's, checked in tests/intents/test_timex.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]

from ja_timex import TimexParser
from ja_timex.tag import Extract, Pattern

# (tagger name, ja-timex pattern, compiled, characters every match contains)
_Entry = tuple[str, Pattern, re.Pattern[str], frozenset[str]]


def required_characters(pattern: str) -> frozenset[str]:
    """Characters every match of `pattern` contains: its literals outside
    alternations, optional parts and look-arounds."""
    found: set[str] = set()

    def walk(items) -> None:
        for op, av in items:
            if op is sre_constants.LITERAL:
                found.add(chr(av))
            elif op is sre_constants.SUBPATTERN:
                walk(av[3])
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
                walk(av[2])

    walk(sre_parser.parse(pattern))
    return frozenset(found)


@cache
def _table() -> list[_Entry]:
    # The default taggers are shared instances (TimexParser's default arguments),
    # so every parser holds these same patterns.
    patterns = TimexParser().all_patterns
    return [
        (type_name, pattern, re.compile(pattern.re_pattern), required_characters(pattern.re_pattern))
        for type_name, group in patterns.items()
        for pattern in group
    ]


class PrefilteredTimexParser(TimexParser):
    """TimexParser whose extraction skips the patterns a text cannot match."""

    def _extract(self, processed_text: str) -> list[Extract]:
        present = set(processed_text)
        return [
            Extract(type_name=type_name, re_match=match, pattern=pattern)
            for type_name, pattern, compiled, required in _table()
            if required <= present
            for match in compiled.finditer(processed_text)
        ]


_by_day: dict[date, PrefilteredTimexParser] = {}


def parser(reference: datetime) -> PrefilteredTimexParser:
    """A parser for `reference`'s day. ja-timex binds the reference at construction;
    one parser per day is plenty (dates do not depend on the time of day)."""
    day = reference.date()
    found = _by_day.get(day)
    if found is None:
        _by_day.clear()
        found = _by_day[day] = PrefilteredTimexParser(reference=reference.replace(tzinfo=None))
    return found
