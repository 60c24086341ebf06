from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intents.entities import extract
from intents.normalize import normalize
from knowledge.models import ProductFamily, Purpose, PwpStatus

NOW = datetime.fromisoformat("2026-11-21T10:00:00+09:00")  # Saturday


def ents(text):
    return extract(normalize(text), NOW)


def dates(text):
    return [d.resolve(NOW.date()) for d in ents(text).dates]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("保証終了日が2027年3月31日です", date(2027, 3, 31)),
        ("2027/3/31", date(2027, 3, 31)),
        ("2027.3.31", date(2027, 3, 31)),
        ("20270331まで", date(2027, 3, 31)),
        ("令和9年3月31日", date(2027, 3, 31)),
        ("R9.3.31", date(2027, 3, 31)),
        ("The warranty ends on 2027-01-20. When?", date(2027, 1, 20)),
        ("来月末で切れる", date(2026, 12, 31)),
        ("今月末", date(2026, 11, 30)),
        ("年度末で保証終了", date(2027, 3, 31)),
        ("来年の3月末", date(2027, 3, 31)),
        ("先月15日に買った", date(2026, 10, 15)),
        ("3週間後に切れる", date(2026, 12, 12)),
        ("半年後", date(2027, 5, 21)),
        ("今日", date(2026, 11, 21)),
        ("明日", date(2026, 11, 22)),
    ],
)
def test_dates(text, expected):
    assert dates(text) == [expected]


def test_month_day_without_year_resolves_to_the_nearest_occurrence():
    # 10/21 seen on 11/21: last month, not next year.
    assert dates("保守が10/21で切れちゃってた") == [date(2026, 10, 21)]
    assert dates("1/15に切れる") == [date(2027, 1, 15)]


def test_rule_phrase_is_not_a_date():
    assert dates("90日前より早く発注したら？") == []


@pytest.mark.parametrize("text", ["2027-02-30に切れる", "2027年2月30日", "令和99年13月1日"])
def test_impossible_dates_are_reported(text):
    e = ents(text)
    assert e.invalid_dates and not e.dates


@pytest.mark.parametrize(
    "text, years", [("5年保守", 5), ("2年なら？", 2), ("4-year Foundation Care", 4), ("3 years", 3), ("令和9年3月31日", None)]
)
def test_terms(text, years):
    assert ents(text).years == years


def test_moments():
    assert ents("今電話できる？").moment == NOW
    assert ents("19時に電話したい").moment == datetime.fromisoformat("2026-11-21T19:00:00+09:00")
    assert ents("来週月曜の9時").moment == datetime.fromisoformat("2026-11-23T09:00:00+09:00")
    assert ents("聞かれています").moment is None


def test_products_purposes_and_status():
    e = ents("スイッチが壊れた、修理したい。PWP終了日は確定")
    assert e.products == (ProductFamily.network,)
    assert e.purposes == (Purpose.repair,)
    assert e.pwp_status == PwpStatus.fixed


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_extraction_never_raises(text):
    extract(normalize(text), NOW)


@settings(max_examples=100, deadline=None)
@given(st.integers(1990, 2100), st.integers(0, 15), st.integers(0, 40))
def test_numeric_dates_are_either_read_or_reported(year, month, day):
    e = ents(f"{year}/{month}/{day}に保証終了")
    assert len(e.dates) + len(e.invalid_dates) >= 1
