"""Business days in Japan, as HPE Japan's desks count them.

A business day (営業日) is a day that is none of:
  - Saturday or Sunday,
  - a Japanese public holiday per jpholiday (振替休日 and 国民の休日 included),
  - the year-end closure 12/30-1/3 (stated by the firmware option spec:
    「土日祝祭日、年末年始：12/30-1/3 を除く」; the handbook only says 年末年始).

Company-specific holidays (弊社休業日) are not published, so they are not modelled:
answers that depend on them say so.

Times are JST. `to_jst` REJECTS naive datetimes (ValueError): inside the code a
naive datetime is a bug. User input is parsed by knowledge.dates.parse_moment,
which is where "no offset means JST" is decided.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import jpholiday
from pydantic import BaseModel, ConfigDict

from knowledge.calculators.common import (
    Citation,
    firmware_spec_citation,
    fmt_date,
    handbook_citation,
)
from knowledge.provenance import interpretation

JST = ZoneInfo("Asia/Tokyo")

YEAR_END_CLOSURE_TEXT = "年末年始（12/30～1/3）"
# Q17 注1: applications after the reception hours (月～金 8:45～17:30) count from the next business day.
APPLICATION_CUTOFF = time(17, 30)
FIRMWARE_LEAD_BUSINESS_DAYS = 15
INSTALLATION_MIN_BUSINESS_DAYS = 3
INSTALLATION_MAX_BUSINESS_DAYS = 10

# Safety bound for loops searching for a business day (the longest closure is ~10 days).
_MAX_SCAN_DAYS = 366


def to_jst(dt: datetime) -> datetime:
    """Convert an aware datetime to JST. Naive datetimes are rejected with ValueError."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise ValueError("naive datetime: give a timezone (parse user input with knowledge.dates.parse_moment)")
    return dt.astimezone(JST)


def now_jst() -> datetime:
    """The current moment in JST (the only clock read in knowledge/; callers may pass their own)."""
    return datetime.now(JST)


def is_year_end_closure(d: date) -> bool:
    return (d.month == 12 and d.day >= 30) or (d.month == 1 and d.day <= 3)


def holiday_name(d: date) -> str | None:
    """Name of the Japanese public holiday on d (e.g. 「憲法記念日 振替休日」), or None."""
    return jpholiday.is_holiday_name(d)


def is_public_holiday(d: date) -> bool:
    return jpholiday.is_holiday(d)


# Desks' open states scan day by day, many contacts per answer: the calendar is fixed, so remember it.
@lru_cache(maxsize=4096)
def is_business_day(d: date) -> bool:
    return d.weekday() < 5 and not is_public_holiday(d) and not is_year_end_closure(d)


def closure_reason(d: date) -> str | None:
    """Why d is not a business day, in Japanese (None for a business day)."""
    if is_year_end_closure(d):
        return "年末年始（12/30～1/3）"
    name = holiday_name(d)
    if name:
        return f"祝日（{name}）"
    if d.weekday() == 5:
        return "土曜日"
    if d.weekday() == 6:
        return "日曜日"
    return None


def next_business_day(d: date) -> date:
    """The first business day strictly after d."""
    cur = d
    for _ in range(_MAX_SCAN_DAYS):
        cur += timedelta(days=1)
        if is_business_day(cur):
            return cur
    raise RuntimeError("no business day found within a year")  # pragma: no cover


def previous_business_day(d: date) -> date:
    """The last business day strictly before d."""
    cur = d
    for _ in range(_MAX_SCAN_DAYS):
        cur -= timedelta(days=1)
        if is_business_day(cur):
            return cur
    raise RuntimeError("no business day found within a year")  # pragma: no cover


def business_day_on_or_after(d: date) -> date:
    return d if is_business_day(d) else next_business_day(d)


def add_business_days(d: date, n: int) -> date:
    """Move n business days from d (n < 0 moves back).

    Each step goes to the next (previous) business day, so d itself need not be a
    business day: add_business_days(Saturday, 1) is the following Monday (if it is
    a business day). n == 0 returns d unchanged. For a business day d,
    add_business_days(add_business_days(d, n), -n) == d.
    """
    cur = d
    step = next_business_day if n > 0 else previous_business_day
    for _ in range(abs(n)):
        cur = step(cur)
    return cur


def business_days_between(a: date, b: date) -> int:
    """Business days in (a, b]: how many steps add_business_days takes from a to reach b.

    Negative when b < a (then it counts the business days in (b, a], negated), 0 when a == b.
    For a business day a: business_days_between(a, add_business_days(a, n)) == n.
    """
    if b == a:
        return 0
    if b < a:
        return -business_days_between(b, a)
    count = 0
    cur = a
    while cur < b:
        cur += timedelta(days=1)
        if is_business_day(cur):
            count += 1
    return count


def application_received_on(applied_at: datetime, cutoff: time = APPLICATION_CUTOFF) -> date:
    """The business day an application (installation / startup, Q17 注1) counts as received.

    Received on a business day before 17:30:00 JST -> that day (an application sent
    before 8:45 is taken as received that day). At 17:30:00 or later, or on a
    non-business day -> the next business day. The reception hours are read as
    the half-open range [8:45, 17:30), as contact hours are everywhere else.
    """
    local = to_jst(applied_at)
    day = local.date()
    if is_business_day(day) and local.time() < cutoff:
        return day
    return next_business_day(day)


# --- firmware option: 15 business days' notice --------------------------------


class FirmwareDeadline(BaseModel):
    model_config = ConfigDict(frozen=True)

    work_date: date
    lead_business_days: int
    # Last day to contact the Advanced Solution Center (its hours: 8:45-17:30 on business days).
    contact_deadline: date
    rule: str
    citation: Citation
    warnings: list[str] = []


def firmware_contact_deadline(work_date: date, lead_business_days: int = FIRMWARE_LEAD_BUSINESS_DAYS) -> date:
    """Last day to contact the Advanced Solution Center: `lead_business_days` business days before the work date.

    「作業予定日 15 営業日前までにご連絡ください」: counted back from the work date,
    which itself may be any day (the update work is 年中無休/24時間).
    """
    if lead_business_days < 1:
        raise ValueError("lead_business_days must be at least 1")
    return add_business_days(work_date, -lead_business_days)


def firmware_deadline(work_date: date, lead_business_days: int = FIRMWARE_LEAD_BUSINESS_DAYS) -> FirmwareDeadline:
    deadline = firmware_contact_deadline(work_date, lead_business_days)
    return FirmwareDeadline(
        work_date=work_date,
        lead_business_days=lead_business_days,
        contact_deadline=deadline,
        rule=(
            "お客様からアドバンストソリューションセンターへのご連絡により本サービスは開始致します。"
            f"作業予定日{lead_business_days}営業日前までにご連絡ください（付表 前提条件）。"
            + interpretation("fw-business-days")
        ),
        citation=firmware_spec_citation(),
        warnings=[],
    )


# --- installation / startup service: 3-10 business days -----------------------


class InstallationWindow(BaseModel):
    model_config = ConfigDict(frozen=True)

    applied_at: datetime  # JST
    # The business day the application counts as received (after 17:30 -> next business day).
    received_on: date
    # Typical earliest / latest work dates: received + 3 / + 10 business days (目安).
    earliest: date
    latest: date
    rule: str
    citation: Citation
    warnings: list[str] = []


def installation_window(applied_at: datetime) -> InstallationWindow:
    """Typical work dates for an installation / startup service application (Q17).

    「最短で3営業日～10営業日程度を目安」 counted from the business day the
    application is received; 「受付時間以降のお申込み分につきましては翌営業日受付扱い」.
    """
    local = to_jst(applied_at)
    received = application_received_on(local)
    earliest = add_business_days(received, INSTALLATION_MIN_BUSINESS_DAYS)
    latest = add_business_days(received, INSTALLATION_MAX_BUSINESS_DAYS)
    warnings = [
        "サービスお申込日から作業実施日までの所要日数は、対象製品、作業内容、混雑具合等によって変動します（Q17）。",
        "具体的な日数に関しては、サービスお申込時にご確認ください（Q17）。",
    ]
    if received != local.date():
        warnings.insert(0, f"受付時間（月曜～金曜 8:45～17:30）以降のお申込み分は、翌営業日（{fmt_date(received)}）受付扱いです。")
    return InstallationWindow(
        applied_at=local,
        received_on=received,
        earliest=earliest,
        latest=latest,
        rule=(
            "サービスお申込日から作業実施日までの所要日数は、最短で3営業日～10営業日程度を目安とお考えください（Q17）。"
            "受付時間以降のお申込み分につきましては翌営業日受付扱いとさせていただきます（Q17 ※注1）。"
            "受付時間：月曜～金曜 8:45～17:30（土曜日、日曜日、祝日、年末年始 お休み）（Q17）。"
            + interpretation("year-end-dates")
        ),
        citation=handbook_citation("Q17", 14),
        warnings=warnings,
    )
