"""Strict parsing of dates and moments typed by users (CLI arguments, slash-command arguments).

Accepted dates (after NFKC normalisation, so full-width digits and punctuation work):
  2027-03-31   2027/3/31   2027.3.31   20270331   2027年3月31日
  令和9年3月31日   令和元年5月1日   R9.3.31   R9/3/31   H31.4.30   平成31年4月30日   昭和64年1月7日
A year is required (「3/31」 is ambiguous across a PWP window and is refused), and
two-digit western years are refused. An era date must fall inside its era
(平成31年5月1日 and 令和元年4月30日 do not exist).

Moments (parse_moment) are ISO 8601 date-times; without an offset they are JST.

Every failure raises DateInputError whose str() is ONE Japanese line saying what
is wrong, with an example of a valid input.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

from knowledge.calendar import JST

DATE_EXAMPLE = "例: 2027-03-31、2027/3/31、2027年3月31日、令和9年3月31日"
MOMENT_EXAMPLE = "例: 2026-11-21T10:00:00+09:00"
MIN_YEAR = 1900
MAX_YEAR = 2100


class DateInputError(ValueError):
    """A date or moment the user typed could not be read. str() is one Japanese line.

    `reason` is the line without its trailing 「例: …」, for callers (the CLI) that
    show their own example instead.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        head, sep, _tail = message.rpartition("例: ")
        self.reason = head.rstrip() if sep else message


# (name, abbreviation letters, first day, last day or None)
ERAS: tuple[tuple[str, str, date, date | None], ...] = (
    ("令和", "R", date(2019, 5, 1), None),
    ("平成", "H", date(1989, 1, 8), date(2019, 4, 30)),
    ("昭和", "S", date(1926, 12, 25), date(1989, 1, 7)),
)
_ERA_BY_KEY = {key: era for era in ERAS for key in (era[0], era[1])}

_SEP = r"[-/.]"
_WESTERN_SEP = re.compile(rf"^(\d{{4}})({_SEP})(\d{{1,2}})\2(\d{{1,2}})$")
_WESTERN_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WESTERN_KANJI = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_ERA_KANJI = re.compile(r"^(令和|平成|昭和)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日?$")
_ERA_ABBR = re.compile(rf"^([RHS])(元|\d{{1,2}})({_SEP})(\d{{1,2}})\3(\d{{1,2}})$")


def normalize(text: str) -> str:
    """NFKC (full-width -> half-width), strip spaces, unify dashes; upper-case era letters."""
    s = unicodedata.normalize("NFKC", text).strip()
    s = re.sub(r"\s+", "", s)
    # Dashes that NFKC leaves alone (en/em dash, minus sign, katakana-hiragana prolonged mark between digits).
    s = re.sub(r"[‐‑‒–—―−]", "-", s)
    s = re.sub(r"(?<=\d)ー(?=\d)", "-", s)
    return s.upper() if re.match(r"^[rhsRHS]\s*(元|\d)", s) else s


def _shown(text: str) -> str:
    return text.strip() or "（空）"


def _make(year: int, month: int, day: int, raw: str) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateInputError(f"{_shown(raw)} の年（{year}年）は対象外です。{MIN_YEAR}～{MAX_YEAR}年の日付を指定してください。{DATE_EXAMPLE}")
    if not 1 <= month <= 12:
        raise DateInputError(f"{_shown(raw)} の月（{month}月）は存在しません。月は1～12で指定してください。{DATE_EXAMPLE}")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateInputError(f"{_shown(raw)} は存在しない日付です（{year}年{month}月に{day}日はありません）。{DATE_EXAMPLE}") from None


def _era_date(era_key: str, era_year_text: str, month: int, day: int, raw: str) -> date:
    name, _abbr, first, last = _ERA_BY_KEY[era_key]
    era_year = 1 if era_year_text == "元" else int(era_year_text)
    if era_year < 1:
        raise DateInputError(f"{_shown(raw)}: {name}0年は存在しません（元年＝1年から数えます）。{DATE_EXAMPLE}")
    year = first.year + era_year - 1
    if last is not None and era_year > (last_year_of_era := last.year - first.year + 1):
        raise DateInputError(f"{_shown(raw)}: {name}は{last_year_of_era}年（{last.year}年）までです。{DATE_EXAMPLE}")
    if not 1 <= month <= 12:
        raise DateInputError(f"{_shown(raw)} の月（{month}月）は存在しません。月は1～12で指定してください。{DATE_EXAMPLE}")
    d = _make(year, month, day, raw)
    if d < first or (last is not None and d > last):
        span = f"{first.year}年{first.month}月{first.day}日～" + (f"{last.year}年{last.month}月{last.day}日" if last else "")
        raise DateInputError(f"{_shown(raw)} は{name}の期間（{span}）外の日付です。{DATE_EXAMPLE}")
    return d


def parse_date(text: str) -> date:
    """Parse a date typed by a user; raise DateInputError (one Japanese line) if it is not a real date."""
    if not isinstance(text, str) or not text.strip():
        raise DateInputError(f"日付が空です。{DATE_EXAMPLE}")
    s = normalize(text)

    if m := _WESTERN_SEP.match(s):
        return _make(int(m.group(1)), int(m.group(3)), int(m.group(4)), text)
    if m := _WESTERN_COMPACT.match(s):
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    if m := _WESTERN_KANJI.match(s):
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    if m := _ERA_KANJI.match(s):
        return _era_date(m.group(1), m.group(2), int(m.group(3)), int(m.group(4)), text)
    if m := _ERA_ABBR.match(s):
        return _era_date(m.group(1), m.group(2), int(m.group(4)), int(m.group(5)), text)

    if m := re.fullmatch(r"(令和|平成|昭和|[RHS])(元|\d+)年?.*", s):
        if m.group(2) != "元" and int(m.group(2)) == 0:
            name = _ERA_BY_KEY[m.group(1)][0]
            raise DateInputError(f"{_shown(text)}: {name}0年は存在しません（元年＝1年から数えます）。{DATE_EXAMPLE}")
    if re.fullmatch(r"(令和|平成|昭和|[RHS])(元|\d+)年?", s):
        raise DateInputError(f"{_shown(text)} には月日がありません。年月日まで指定してください。{DATE_EXAMPLE}")
    if re.fullmatch(r"\d{1,2}[-/.]\d{1,2}|\d{1,2}月\d{1,2}日?", s):
        raise DateInputError(f"{_shown(text)} には年がありません。年から指定してください。{DATE_EXAMPLE}")
    if re.fullmatch(r"\d{2}[-/.]\d{1,2}[-/.]\d{1,2}", s):
        raise DateInputError(f"{_shown(text)} の年が2桁です。西暦4桁か和暦で指定してください。{DATE_EXAMPLE}")
    if re.fullmatch(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}T.*", s):
        raise DateInputError(f"{_shown(text)} は日時です。日付だけを指定してください。{DATE_EXAMPLE}")
    raise DateInputError(f"{_shown(text)} は日付として読めません。{DATE_EXAMPLE}")


_ISO_DATE_ONLY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")


def parse_moment(text: str, *, allow_date_only: bool = False) -> datetime:
    """Parse an ISO 8601 date-time; no offset means JST. Returns an aware datetime in JST.

    A bare date is refused (a moment needs a time) unless allow_date_only, in which
    case any date parse_date accepts is taken as 00:00 JST (used for FAQBOT_NOW).
    """
    if not isinstance(text, str) or not text.strip():
        raise DateInputError(f"日時が空です。{MOMENT_EXAMPLE}")
    s = unicodedata.normalize("NFKC", text).strip()
    s = re.sub(r"[‐‑‒–—―−]", "-", s)
    if _ISO_DATE_ONLY.match(s) or not re.search(r"[T ]\d|\d{2}:\d{2}", s):
        try:
            day = parse_date(text)
        except DateInputError as exc:
            if _ISO_DATE_ONLY.match(s):
                raise DateInputError(str(exc).replace(DATE_EXAMPLE, MOMENT_EXAMPLE)) from None
            day = None
        if day is not None and allow_date_only:
            return datetime.combine(day, time(0, 0), tzinfo=JST)
        if day is not None or _ISO_DATE_ONLY.match(s):
            raise DateInputError(f"{_shown(text)} には時刻がありません。日時をISO 8601で指定してください。{MOMENT_EXAMPLE}")
    if s.endswith(("z", "Z")):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", s)
        if m:
            try:
                _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(0))
            except DateInputError as exc:
                raise DateInputError(f"{_shown(text)}: {exc}".replace(DATE_EXAMPLE, MOMENT_EXAMPLE)) from None
        raise DateInputError(f"{_shown(text)} は日時として読めません（ISO 8601 形式で指定してください）。{MOMENT_EXAMPLE}") from None
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        raise DateInputError(f"{_shown(text)} の年（{dt.year}年）は対象外です。{MIN_YEAR}～{MAX_YEAR}年の日時を指定してください。{MOMENT_EXAMPLE}")
    if dt.tzinfo is None:
        return dt.replace(tzinfo=JST)
    return dt.astimezone(JST)
