import re
from datetime import date, datetime, timedelta

import pytest

from knowledge.calendar import JST
from knowledge.dates import DateInputError, parse_date, parse_moment

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-31", date(2027, 3, 31)),
        ("2027/3/31", date(2027, 3, 31)),
        ("2027/03/31", date(2027, 3, 31)),
        ("2027.3.31", date(2027, 3, 31)),
        ("20270331", date(2027, 3, 31)),
        ("2027年3月31日", date(2027, 3, 31)),
        ("2027年3月31", date(2027, 3, 31)),
        ("令和9年3月31日", date(2027, 3, 31)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("R9.3.31", date(2027, 3, 31)),
        ("r9/3/31", date(2027, 3, 31)),
        ("R9-3-31", date(2027, 3, 31)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("２０２７－０３－３１", date(2027, 3, 31)),  # full-width digits and dash
        ("２０２７年３月３１日", date(2027, 3, 31)),
        ("令和９年３月３１日", date(2027, 3, 31)),
        ("Ｒ９．３．３１", date(2027, 3, 31)),
        ("  2027/3/31  ", date(2027, 3, 31)),
        ("2028-02-29", date(2028, 2, 29)),  # leap day
        ("2027–03–31", date(2027, 3, 31)),  # en dash, as in the PDF text
    ],
)
def test_parse_date_accepts(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2027-02-30", "存在しない日付"),
        ("2027-2-29", "存在しない日付"),  # not a leap year
        ("20270230", "存在しない日付"),
        ("2027-04-31", "存在しない日付"),
        ("2027-13-01", "13月"),
        ("2027-00-10", "0月"),
        ("令和99年13月1日", "13月"),
        ("令和0年", "令和0年は存在しません"),
        ("令和0年5月1日", "令和0年は存在しません"),
        ("平成31年5月1日", "平成の期間"),  # 平成 ended 2019-04-30
        ("令和元年4月30日", "令和の期間"),  # 令和 began 2019-05-01
        ("平成32年1月1日", "平成は31年"),
        ("令和9年", "月日がありません"),
        ("3/31", "年がありません"),
        ("3月31日", "年がありません"),
        ("27/3/31", "2桁"),
        ("9999-01-01", "対象外"),
        ("2027-03-31T10:00", "日時です"),
        ("abc", "読めません"),
        ("", "空"),
        ("   ", "空"),
    ],
)
def test_parse_date_rejects_with_one_japanese_line(text, fragment):
    with pytest.raises(DateInputError) as info:
        parse_date(text)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    assert JAPANESE.search(message)
    assert "例: " in message
    assert "例: " not in info.value.reason  # reason is the line without its example


def test_date_input_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_date("2027-02-30")


def test_example_message_from_the_brief():
    with pytest.raises(DateInputError) as info:
        parse_date("2027-02-30")
    assert str(info.value).startswith("2027-02-30 は存在しない日付です")
    assert "例: 2027-03-31" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected_jst"),
    [
        ("2026-11-21T10:00:00+09:00", datetime(2026, 11, 21, 10, 0, tzinfo=JST)),
        ("2026-11-21T10:00", datetime(2026, 11, 21, 10, 0, tzinfo=JST)),  # naive = JST
        ("2026-11-21 10:00", datetime(2026, 11, 21, 10, 0, tzinfo=JST)),
        ("2026-11-20T23:30:00Z", datetime(2026, 11, 21, 8, 30, tzinfo=JST)),  # another day in JST
        ("2026-11-20T23:30:00+00:00", datetime(2026, 11, 21, 8, 30, tzinfo=JST)),
        ("2026-11-20T18:30:00-05:00", datetime(2026, 11, 21, 8, 30, tzinfo=JST)),
        ("２０２６－１１－２１Ｔ１０：００", datetime(2026, 11, 21, 10, 0, tzinfo=JST)),
    ],
)
def test_parse_moment(text, expected_jst):
    got = parse_moment(text)
    assert got == expected_jst
    assert got.utcoffset() == timedelta(hours=9)
    assert got.date() == expected_jst.date()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2026-11-21", "時刻がありません"),
        ("2026-02-30T10:00", "存在しない日付"),
        ("2026-02-30", "存在しない日付"),
        ("2026-11-21T25:00", "読めません"),
        ("yesterday", "読めません"),
        ("", "空"),
    ],
)
def test_parse_moment_rejects(text, fragment):
    with pytest.raises(DateInputError) as info:
        parse_moment(text)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message and JAPANESE.search(message)


@pytest.mark.parametrize("text", ["2026-11-21", "令和8年11月21日"])
def test_parse_moment_date_only_when_allowed(text):
    assert parse_moment(text, allow_date_only=True) == datetime(2026, 11, 21, 0, 0, tzinfo=JST)
