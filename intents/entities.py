"""Entities in a question: dates, terms, moments, product families, purposes.

Temporal expressions go through ja-timex, a parser made for Japanese
(absolute dates incl. 和暦, relative ones like 来月, times like 夜9時); only
what it leaves out is handled here (月末 after a relative month, 年度末,
compact 20270331). ja-timex runs only on windows around a temporal hint, with
its patterns prefiltered (intents/timex.py).
"""

from __future__ import annotations

import calendar as _cal
import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from knowledge.calculators.contact_routing import find_product, find_purpose
from knowledge.models import ProductFamily, Purpose, PwpStatus

# ja-timex runs only where one of these stands and our own readers (numeric
# dates, era initials, 年度末) have not already read it: a number next to a date
# or time unit, or a relative word. "DL360" or "Gen10" is no hint.
_TEMPORAL_HINT = re.compile(
    r"[0-9]+\s*(?:年|月|日|時|分|:|/|ヶ月|か月|カ月|週|曜|半)|(?:年|月)[0-9]|"
    r"今日|本日|明日|明後日|昨日|一昨日|今月|来月|先月|再来月|今年|来年|去年|昨年|再来年|今週|来週|先週|"
    r"年度末|月末|年末|半年|曜|令和|平成|今夜|今晩|朝|夜"
)
# Numeric dates are read here first: ja-timex drops the day of "2027-01-20." before
# a period, and the commonest form, 2027年3月31日, needs no 0.5 ms parser.
_NUMERIC_DATE = re.compile(
    r"(?<![0-9])([12][0-9]{3})(?:([-/.])(\d{1,2})\2(\d{1,2})|(0[1-9]|1[0-2])([0-3][0-9])|(?:年|ねん)(\d{1,2})(?:月|がつ)(\d{1,2})(?:日|にち))(?![0-9])"
)
# Era initials as partners abbreviate them: R9.3.31 (令和), H31.4.30 (平成); lower-cased by normalisation.
_ERA_DATE = re.compile(r"(?<![a-z0-9])([rh])(\d{1,2})[./](\d{1,2})[./](\d{1,2})(?![0-9])")
_ERA_START = {"r": 2018, "h": 1988}
_FISCAL_END = re.compile(r"(今|来|再来)?年度末")
_NOW_WORDS = re.compile(r"今すぐ|いま(?![すせしさ])|今(?!月|年|日|週|度|回|後|まで|から|の)|現在|right now|\bnow\b")
# A term: 5年, 5年間, 4-year, 4 years. Not a year of an era (令和9年) nor a date (9年3月).
_YEARS = re.compile(
    r"(?<![0-9和成rh.])([1-9]|10)\s*(?:(?:年|ねん|ネン)(?:間|かん)?(?![0-9]+月|度|前|後)|-?\s?years?\b|-?yrs?\b|y\b)"
)
# Hints ja-timex would read as nothing we use: a term (5年, 3年間; _YEARS reads it)
# or a span of hours (24時間, 4時間対応). 5年後, 1年半前 and 3時間後 stay: they are dates.
_NO_DATE_NUMBER = re.compile(
    r"(?<![0-9和成rh.])(?:(?:[1-9]|10)\s*年間?(?![0-9]+月|度)|[0-9]+\s*時間)(?![半後前])"
)
# "90日前より早く" / "90日前から": the handbook's rule, not a date.
_RULE_PHRASE_AFTER = ("より", "から", "以内", "以上", "まで")
_WEEKDAY = re.compile(r"^XXXX-WXX-([1-7])$")
_FULL_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_MONTH_DAY = re.compile(r"^XXXX-([0-9]{2})-([0-9]{2})$")
_DAY_ONLY = re.compile(r"^XXXX-XX-([0-9]{2})$")
_YEAR_MONTH = re.compile(r"^([0-9X]{4})-([0-9]{2})-XX$")
_TIME = re.compile(r"^T([0-9]{2})-([0-9X]{2})-")
_RELATIVE = re.compile(r"^P([0-9]+(?:\.[0-9]+)?)([YMWD])$")
# Characters of context kept around a temporal hint for ja-timex (「令和9年3月31日」, 「来年の3月末」).
_WINDOW_PAD = 6
# How far a relative anchor (来月, 去年, 来週) may stand from the date it qualifies: 「来年の3月末」.
_ANCHOR_GAP = 2

# An amount of time since an event (納品から10日, 購入して半年, 出荷後2か月) or left
# before an end (残り8か月, あと30日で切れる): a date in its own right, its role
# named by its own words (intents/date_roles.py). A rule (納品から1ヶ月以内) is no date.
_SINCE = re.compile(
    r"(納品|購入|出荷|発注|到着|届い[てた]|買っ[てた])(?:して|されて|した日|後)?(?:から|より)?\s*"
    r"(\d{1,3}|半)\s*(日|週間|週|か月|ヶ月|カ月|ケ月|箇月|年)(半)?(?!\s*(?:以内|以上|まで|より|を超|超|前|後に|で))"
)
_LEFT = re.compile(r"(?:残り|あと)\s*(\d{1,3}|半)\s*(日|週間|週|か月|ヶ月|カ月|ケ月|箇月|年)(半)?")
_UNIT_OF = {"日": "D", "週間": "W", "週": "W", "年": "Y"}

_STATUS_WORDS = (("確定", PwpStatus.fixed), ("予定", PwpStatus.planned), ("空欄", PwpStatus.blank))
_CARE_WORDS = (("プロアクティブケア", "proactive"), ("ファウンデーションケア", "foundation"))

Resolve = Literal["future", "past", "nearest"]


# A year as written in a date (2025年, 2025/7/3, 令和7年), not one computed (来月末).
_WRITTEN_YEAR = re.compile(r"[0-9]{4}|年")
HALF_A_YEAR = 183


@dataclass(frozen=True)
class DateMention:
    """A date as written: `year` is None when the text gave only month and day."""

    text: str
    start: int  # offset in the normalised text, to tell which date is which
    year: int | None
    month: int
    day: int

    def resolve(self, today: date, mode: Resolve = "nearest") -> date:
        """The calendar date; a missing year is taken as the next, the last or the nearest occurrence."""
        if self.year is not None:
            return date(self.year, self.month, self.day)
        options = [_safe_date(today.year + shift, self.month, self.day) for shift in (-1, 0, 1)]
        if mode == "future":
            return min(d for d in options if d >= today)
        if mode == "past":
            return max(d for d in options if d <= today)
        return min(options, key=lambda d: abs((d - today).days))


@dataclass(frozen=True)
class Entities:
    dates: tuple[DateMention, ...] = ()
    # Dates written that do not exist (2027-02-30, 令和99年13月1日): answered as an error.
    invalid_dates: tuple[str, ...] = ()
    years: int | None = None  # a term: 5年, 2年
    moment: datetime | None = None  # when the user wants to call: 今, 19時, 土曜
    clock: time | None = None  # a time of day the text states (19時, 18:30); None when only a day is given
    products: tuple[ProductFamily, ...] = ()
    purposes: tuple[Purpose, ...] = ()
    pwp_status: PwpStatus | None = None
    care_level: str | None = None


def _safe_date(year: int, month: int, day: int) -> date:
    # 2/29 in a non-leap year for an inferred year: the month's last day.
    last = _cal.monthrange(year, month)[1]
    return date(year, month, min(day, last))


def _month_end(year: int, month: int) -> date:
    return date(year, month, _cal.monthrange(year, month)[1])


def _parser(reference: datetime):
    # Imported on first use: ja-timex brings pendulum, ~0.2 s of start-up that a
    # question without a date never needs.
    from intents.timex import parser

    return parser(reference)


@dataclass
class _Anchor:
    """A relative period (来月, 去年, 来週) waiting for the date that qualifies it."""

    unit: str
    day: date
    end: int  # offset where the anchor's text ends


class _Reader:
    def __init__(self, text: str, now: datetime):
        self.text = text
        self.now = now
        self.today = now.date()
        self.dates: list[DateMention] = []
        self.invalid: list[str] = []
        self.invalid_spans: list[tuple[int, str]] = []
        self.years: int | None = None
        self.moment_day: date | None = None
        self.moment_time: time | None = None
        self.anchor: _Anchor | None = None
        self.amount_spans: list[tuple[int, int]] = []

    def covered(self, start: int, end: int) -> bool:
        return any(start < d.start + len(d.text) and d.start < end for d in self.dates) or any(
            start < s + len(t) and s < end for s, t in self.invalid_spans
        )

    def add(self, raw: str, start: int, y: int, m: int, d: int) -> None:
        if 1900 <= y <= 2200 and _valid(y, m, d):
            self.dates.append(DateMention(raw, start, y, m, d))
        else:
            self.invalid.append(raw)
            self.invalid_spans.append((start, raw))

    def read(self) -> None:
        for m in _NUMERIC_DATE.finditer(self.text):
            month, day = next((m.group(i), m.group(i + 1)) for i in (3, 5, 7) if m.group(i))
            self.add(m.group(0), m.start(), int(m.group(1)), int(month), int(day))
        for m in _ERA_DATE.finditer(self.text):
            year = _ERA_START[m.group(1)] + int(m.group(2))
            self.add(m.group(0), m.start(), year, int(m.group(3)), int(m.group(4)))
        for m in _FISCAL_END.finditer(self.text):
            fiscal_year = self.today.year if self.today.month <= 3 else self.today.year + 1
            fiscal_year += {None: 0, "今": 0, "来": 1, "再来": 2}[m.group(1)]
            self.dates.append(DateMention(m.group(0), m.start(), fiscal_year, 3, 31))
        self.read_amounts()
        skipped = [m.span() for m in _NO_DATE_NUMBER.finditer(self.text)]
        hints = [
            (start, end)
            for start, end in (m.span() for m in _TEMPORAL_HINT.finditer(self.text))
            if not self.covered(start, end) and not any(a <= start and end <= b for a, b in skipped)
        ]
        if hints:
            self.read_timex(hints)
        if self.years is None:
            # A term that is in fact an elapsed time (購入から1年, 残り2年) is no term.
            terms = (
                m
                for m in _YEARS.finditer(self.text)
                if not any(a <= m.start() < b for a, b in self.amount_spans)
            )
            if term := next(terms, None):
                self.years = int(term.group(1))

    def read_amounts(self) -> None:
        """納品から10日 (a date 10 days ago), 残り8か月 (8 months from today)."""
        for pattern, sign in ((_SINCE, -1), (_LEFT, 1)):
            for m in pattern.finditer(self.text):
                number, unit, half = m.groups()[-3:]
                amount = 0.5 if number == "半" else float(number)
                amount += 0.5 if half else 0
                if self.covered(m.start(), m.end()):
                    continue
                self.amount_spans.append(m.span())
                target = _shift(self.today, sign * amount, _UNIT_OF.get(unit, "M"))
                self.dates.append(DateMention(m.group(0), m.start(), target.year, target.month, target.day))

    def read_timex(self, hints: list[tuple[int, int]]) -> None:
        """ja-timex over windows around the hints only: its cost grows with the text it reads."""
        windows: list[list[int]] = []
        for start, end in hints:
            start, end = max(0, start - _WINDOW_PAD), min(len(self.text), end + _WINDOW_PAD)
            if windows and start <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], end)
            else:
                windows.append([start, end])
        pieces, offsets, position = [], [], 0
        for start, end in windows:
            offsets.append((position, start))
            pieces.append(self.text[start:end])
            position += end - start + 1  # the separator
        compressed = "。".join(pieces)

        def original(at: int) -> int:
            base, start = max((o for o in offsets if o[0] <= at), key=lambda o: o[0])
            return start + at - base

        for timex in _parser(self.now).parse(compressed):
            start = original(timex.span[0])
            end = original(timex.span[1] - 1) + 1
            if self.covered(start, end):
                continue
            anchor = self.anchor if self.anchor and 0 <= start - self.anchor.end <= _ANCHOR_GAP else None
            self.anchor = None
            if timex.type == "DATE":
                self.date(timex.value, timex.raw_text, start, timex.mod, anchor)
            elif timex.type == "DURATION":
                self.duration(timex.value, timex.raw_text, start, end, timex.mod)
            elif timex.type == "TIME" and (t := _TIME.match(timex.value)):
                hour, minute = int(t.group(1)), int(t.group(2)) if t.group(2).isdigit() else 0
                if hour <= 23 and minute <= 59:
                    self.moment_time = time(hour, minute)

    def date(self, value: str, raw: str, start: int, mod: str | None, anchor: _Anchor | None) -> None:
        if m := _FULL_DATE.match(value):
            self.add(raw, start, int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif m := _MONTH_DAY.match(value):
            month, day = int(m.group(1)), int(m.group(2))
            if not _valid(2024, month, day):  # a leap year accepts 2/29
                self.invalid.append(raw)
            elif anchor and anchor.unit == "Y":
                self.add(raw, start, anchor.day.year, month, day)
            else:
                self.dates.append(DateMention(raw, start, None, month, day))
        elif (m := _DAY_ONLY.match(value)) and anchor and anchor.unit == "M":
            self.add(raw, start, anchor.day.year, anchor.day.month, int(m.group(1)))
        elif (m := _YEAR_MONTH.match(value)) and mod == "END":
            month = int(m.group(2))
            if not 1 <= month <= 12:
                self.invalid.append(raw)
                return
            if m.group(1).isdigit():
                year = int(m.group(1))
            elif anchor and anchor.unit == "Y":
                year = anchor.day.year
            else:
                year = self.today.year if month >= self.today.month else self.today.year + 1
            self.dates.append(DateMention(raw, start, year, month, _month_end(year, month).day))
        elif m := _WEEKDAY.match(value):
            weekday = int(m.group(1)) - 1
            if anchor and anchor.unit == "W":
                monday = anchor.day - timedelta(days=anchor.day.weekday())
                self.moment_day = monday + timedelta(days=weekday)
                # 「先週金曜に届いた」 names a calendar date: its role is read like any other's.
                named = self.moment_day
                self.dates.append(DateMention(raw, start, named.year, named.month, named.day))
            else:
                self.moment_day = self.today + timedelta(days=(weekday - self.today.weekday()) % 7)
        elif re.match(r"^[0-9]{4}-", value) and int(value[:4]) > self.today.year + 50:
            self.invalid.append(raw)  # 令和99年: not a year anybody's warranty ends in

    def duration(self, value: str, raw: str, start: int, end: int, mod: str | None) -> None:
        rel = _RELATIVE.match(value)
        if not rel:
            return
        amount, unit = float(rel.group(1)), rel.group(2)
        if mod not in ("AFTER", "BEFORE", "NOW"):
            if unit == "Y" and amount.is_integer() and 1 <= amount <= 10 and self.years is None:
                self.years = int(amount)
            return
        sign = -1 if mod == "BEFORE" else 1
        target = _shift(self.today, sign * amount, unit)
        following = self.text[end : end + 2]
        if raw.endswith(("後", "前")):
            if mod == "BEFORE" and following.startswith(_RULE_PHRASE_AFTER):
                return
            # 「2年前の今日」 is one date: the 今日 only names the day of the month.
            if self.text.startswith(("の今日", "の本日"), end):
                raw += self.text[end : end + 3]
            self.dates.append(DateMention(raw, start, target.year, target.month, target.day))
        elif unit == "D":  # 今日, 明日, 昨日
            self.dates.append(DateMention(raw, start, target.year, target.month, target.day))
            if target >= self.today:  # 昨日 dates a delivery; nobody asks to call yesterday
                self.moment_day = target
        elif following.startswith("末") and unit in ("M", "Y"):
            last = _month_end(target.year, target.month) if unit == "M" else date(target.year, 12, 31)
            self.dates.append(DateMention(raw + "末", start, last.year, last.month, last.day))
        else:
            self.anchor = _Anchor(unit, target, end + (1 if following.startswith("の") else 0))


def extract(normalized: str, now: datetime) -> Entities:
    """Entities of an already normalised text; `now` must be timezone-aware (JST)."""
    products = tuple(p for p in (find_product(normalized),) if p is not None)
    purposes = tuple(p for p in (find_purpose(normalized),) if p is not None)
    pwp_status = next((s for word, s in _STATUS_WORDS if word in normalized), None)
    care_level = next((c for word, c in _CARE_WORDS if word in normalized), None)
    wants_now = bool(_NOW_WORDS.search(normalized))
    if not _TEMPORAL_HINT.search(normalized) and not wants_now and not re.search(r"[0-9]", normalized):
        return Entities(products=products, purposes=purposes, pwp_status=pwp_status, care_level=care_level)

    reader = _Reader(normalized, now)
    reader.read()
    moment: datetime | None = None
    if reader.moment_day is not None or reader.moment_time is not None:
        day = reader.moment_day or now.date()
        clock = reader.moment_time or (now.timetz().replace(tzinfo=None) if day == now.date() else time(10, 0))
        moment = datetime.combine(day, clock, tzinfo=now.tzinfo)
    elif wants_now:
        moment = now
    return Entities(
        dates=_years_carried(sorted(reader.dates, key=lambda d: d.start)),
        invalid_dates=tuple(reader.invalid),
        years=reader.years,
        moment=moment,
        clock=reader.moment_time,
        products=products,
        purposes=purposes,
        pwp_status=pwp_status,
        care_level=care_level,
    )


def _years_carried(dates: list[DateMention]) -> tuple[DateMention, ...]:
    """A month and day written after a date with its year are in that year, as a partner
    writes a sequence (「2025年7月3日受注、7月8日出荷、7月10日納品」), not the nearest one to today;
    in the next year when that would put it more than half a year before the date it
    follows (「2025年12月20日注文、1月10日納品」)."""
    out: list[DateMention] = []
    last: date | None = None
    for mention in dates:
        if mention.year is None and last is not None and _valid(2024, mention.month, mention.day):
            day = _safe_date(last.year, mention.month, mention.day)
            if (last - day).days > HALF_A_YEAR:
                day = _safe_date(last.year + 1, mention.month, mention.day)
            mention = dataclasses.replace(mention, year=day.year, day=day.day)
        if mention.year is not None and (_WRITTEN_YEAR.search(mention.text) or last is not None):
            last = date(mention.year, mention.month, mention.day)
        out.append(mention)
    return tuple(out)


def _valid(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _cal.monthrange(year, month)[1]


def _shift(today: date, amount: float, unit: str) -> date:
    if unit == "D":
        return today + timedelta(days=amount)
    if unit == "W":
        return today + timedelta(weeks=amount)
    months = round(amount * (12 if unit == "Y" else 1))  # 半年 = P0.5Y = 6 months
    index = today.year * 12 + today.month - 1 + months
    year, month = divmod(index, 12)
    return _safe_date(year, month + 1, today.day)
