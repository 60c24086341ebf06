from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.calendar import (
    JST,
    add_business_days,
    application_received_on,
    business_days_between,
    closure_reason,
    firmware_contact_deadline,
    firmware_deadline,
    installation_window,
    is_business_day,
    is_year_end_closure,
    next_business_day,
    previous_business_day,
    to_jst,
)

D = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "expected", "why"),
    [
        ("2026-11-20", True, "plain Friday"),
        ("2026-11-21", False, "Saturday"),
        ("2026-11-22", False, "Sunday"),
        ("2026-11-23", False, "勤労感謝の日 (Monday)"),
        ("2026-11-24", True, "Tuesday after the holiday"),
        ("2026-05-06", False, "振替休日 for 憲法記念日 on Sunday"),
        ("2026-05-07", True, "Thursday after Golden Week"),
        ("2027-03-22", False, "振替休日 for 春分の日 on Sunday"),
        ("2026-09-22", False, "国民の休日 between two holidays"),
        ("2027-05-03", False, "憲法記念日"),
        ("2027-05-04", False, "みどりの日"),
        ("2027-05-05", False, "こどもの日"),
        ("2027-05-06", True, "Thursday after Golden Week"),
        ("2026-12-29", True, "last business day of the year"),
        ("2026-12-30", False, "year-end closure"),
        ("2026-12-31", False, "year-end closure"),
        ("2027-01-01", False, "元日 and closure"),
        ("2027-01-02", False, "year-end closure (Saturday anyway)"),
        ("2028-01-03", False, "year-end closure on a Monday"),
        ("2028-01-04", True, "first business day of 2028"),
        ("2028-02-29", True, "leap day, a Tuesday"),
    ],
)
def test_is_business_day(day, expected, why):
    assert is_business_day(D(day)) is expected, why


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-12-29", False),
        ("2026-12-30", True),
        ("2026-12-31", True),
        ("2027-01-01", True),
        ("2027-01-03", True),
        ("2027-01-04", False),
    ],
)
def test_year_end_closure(day, expected):
    assert is_year_end_closure(D(day)) is expected


@pytest.mark.parametrize(
    ("day", "fragment"),
    [
        ("2026-11-21", "土曜日"),
        ("2026-11-22", "日曜日"),
        ("2026-11-23", "勤労感謝の日"),
        ("2026-05-06", "振替休日"),
        ("2026-12-30", "年末年始"),
    ],
)
def test_closure_reason_in_japanese(day, fragment):
    reason = closure_reason(D(day))
    assert reason is not None and fragment in reason


def test_closure_reason_none_on_business_day():
    assert closure_reason(D("2026-11-24")) is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-11-20", "2026-11-24"),  # Fri -> Tue (Mon is 勤労感謝の日)
        ("2026-11-21", "2026-11-24"),
        ("2026-12-29", "2027-01-04"),  # year-end closure
        ("2027-04-30", "2027-05-06"),  # Golden Week 2027
        ("2026-05-01", "2026-05-07"),  # Golden Week 2026 with 振替休日 5/6
        ("2027-03-19", "2027-03-23"),  # 振替休日 2027-03-22
        ("2028-02-28", "2028-02-29"),  # leap day
    ],
)
def test_next_business_day(day, expected):
    assert next_business_day(D(day)) == D(expected)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-11-24", "2026-11-20"),
        ("2027-01-04", "2026-12-29"),
        ("2027-05-06", "2027-04-30"),
        ("2028-03-01", "2028-02-29"),
    ],
)
def test_previous_business_day(day, expected):
    assert previous_business_day(D(day)) == D(expected)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        ("2026-11-20", 0, "2026-11-20"),
        ("2026-11-21", 0, "2026-11-21"),  # n == 0 leaves any day unchanged
        ("2026-11-20", 1, "2026-11-24"),
        ("2026-11-21", 1, "2026-11-24"),  # from a Saturday
        ("2026-11-24", -1, "2026-11-20"),
        ("2026-12-28", 2, "2027-01-04"),
        ("2027-01-04", -2, "2026-12-28"),
        ("2027-04-28", 3, "2027-05-07"),  # 4/29 昭和の日, 5/3-5/5
        ("2026-03-31", 1, "2026-04-01"),  # month end
        ("2027-01-15", -15, "2026-12-21"),
    ],
)
def test_add_business_days(day, n, expected):
    assert add_business_days(D(day), n) == D(expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2026-11-20", "2026-11-20", 0),
        ("2026-11-20", "2026-11-24", 1),
        ("2026-11-24", "2026-11-20", -1),
        ("2026-12-28", "2027-01-05", 3),
        ("2026-11-21", "2026-11-23", 0),  # only closed days in between
        ("2027-04-30", "2027-05-07", 2),
    ],
)
def test_business_days_between(a, b, expected):
    assert business_days_between(D(a), D(b)) == expected


@pytest.mark.parametrize(
    ("work_date", "deadline"),
    [
        ("2027-01-15", "2026-12-21"),  # back across 成人の日 and the year-end closure
        ("2026-12-01", "2026-11-09"),  # back across 勤労感謝の日
        ("2027-05-08", "2027-04-13"),  # a Saturday work date, back across Golden Week and 昭和の日
    ],
)
def test_firmware_contact_deadline(work_date, deadline):
    assert firmware_contact_deadline(D(work_date)) == D(deadline)
    # The deadline is the latest business day with 15 business days' notice.
    assert is_business_day(D(deadline))
    assert add_business_days(D(deadline), 15) >= D(work_date)
    assert add_business_days(D(deadline), 14) < D(work_date)


def test_firmware_deadline_result_cites_the_spec():
    result = firmware_deadline(D("2027-01-15"))
    assert result.contact_deadline == D("2026-12-21")
    assert "15営業日前" in result.rule
    assert "ファームウェアアップデートオプション" in result.citation.source


def test_firmware_deadline_rejects_zero_lead():
    with pytest.raises(ValueError):
        firmware_contact_deadline(D("2027-01-15"), 0)


@pytest.mark.parametrize(
    ("applied_at", "received"),
    [
        ("2026-11-20T17:29:59+09:00", "2026-11-20"),
        ("2026-11-20T17:30:00+09:00", "2026-11-24"),  # at the cut-off: next business day
        ("2026-11-20T08:00:00+09:00", "2026-11-20"),  # before opening counts that day
        ("2026-11-21T10:00:00+09:00", "2026-11-24"),  # Saturday
        ("2026-12-29T18:00:00+09:00", "2027-01-04"),  # after the cut-off before the closure
        ("2026-11-20T07:00:00+00:00", "2026-11-20"),  # 16:00 JST
        ("2026-11-20T08:31:00+00:00", "2026-11-24"),  # 17:31 JST
    ],
)
def test_application_received_on_cutoff(applied_at, received):
    assert application_received_on(datetime.fromisoformat(applied_at)) == D(received)


def test_installation_window_after_cutoff():
    window = installation_window(datetime(2026, 11, 20, 18, 0, tzinfo=JST))
    assert window.received_on == D("2026-11-24")
    assert window.earliest == D("2026-11-27")
    assert window.latest == D("2026-12-08")
    assert window.citation.faq == "Q17" and window.citation.page == 14
    assert any("受付" in w for w in window.warnings)


def test_installation_window_in_hours():
    window = installation_window(datetime(2026, 12, 24, 10, 0, tzinfo=JST))
    assert window.received_on == D("2026-12-24")
    assert window.earliest == D("2026-12-29")
    assert window.latest == D("2027-01-13")  # closure 12/30-1/3 and 成人の日 1/11 skipped


def test_to_jst_rejects_naive():
    with pytest.raises(ValueError):
        to_jst(datetime(2026, 11, 21, 10, 0))


def test_to_jst_converts_utc_to_the_next_day():
    local = to_jst(datetime(2026, 11, 20, 23, 30, tzinfo=UTC))
    assert local.date() == D("2026-11-21")
    assert local.time() == time(8, 30)
    assert local.utcoffset() == timedelta(hours=9)


# --- properties -------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@given(days, st.integers(min_value=-60, max_value=60))
def test_add_business_days_round_trip(d, n):
    start = d if is_business_day(d) else next_business_day(d)
    there = add_business_days(start, n)
    assert add_business_days(there, -n) == start
    assert business_days_between(start, there) == n
    if n != 0:
        assert is_business_day(there)


@given(days)
def test_next_business_day_is_the_first_one(d):
    nxt = next_business_day(d)
    assert nxt > d and is_business_day(nxt)
    cur = d + timedelta(days=1)
    while cur < nxt:
        assert not is_business_day(cur)
        cur += timedelta(days=1)
