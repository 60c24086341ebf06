import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.calculators.common import CalculatorInputError
from knowledge.calculators.post_warranty import compute_post_warranty
from knowledge.loader import load_knowledge
from knowledge.models import INTERPRETATION_MARK, PwpStatus

D = date.fromisoformat
END = D("2027-03-31")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def contacts():
    return load_knowledge().contacts


def test_example_from_the_brief():
    result = compute_post_warranty(END, D("2026-11-21"))
    assert result.order_window_start == D("2026-12-31")
    assert result.order_window_end == END
    assert result.state == "not_yet_open"
    assert result.days_until_open == 40
    assert result.days_until_close == 130
    assert result.orderable_today is False
    assert result.term_start == D("2027-04-01")
    assert result.term_end == D("2028-03-31")
    assert result.verdict == "orderable"
    assert any("再度ご発注" in r and "Q22" in r for r in result.reasons)
    assert "2026年12月31日" in result.next_action


@pytest.mark.parametrize(
    ("offset", "state", "orderable_today", "days_until_open", "days_until_close"),
    [
        (-91, "not_yet_open", False, 1, 91),
        (-90, "open", True, None, 90),
        (-1, "open", True, None, 1),
        (0, "open", True, None, 0),  # the end date itself is inside the window
        (1, "closed", False, None, None),
    ],
)
def test_order_window_boundaries(contacts, offset, state, orderable_today, days_until_open, days_until_close):
    result = compute_post_warranty(END, END + timedelta(days=offset), contacts=contacts)
    assert result.state == state
    assert result.orderable_today is orderable_today
    assert result.days_until_open == days_until_open
    assert result.days_until_close == days_until_close


def test_closed_window_is_not_orderable_and_offers_a_person(contacts):
    # After the end date the handbook names no procedure and no desk: Q23's contact center is
    # only for renewals when less than a year remains to the PWP end date (issue 15, defect 5).
    result = compute_post_warranty(END, D("2027-04-01"), contacts=contacts)
    assert result.verdict == "not_orderable"
    assert result.contact is None and result.offer_human is True
    assert "apj-JP.supportcontracts@hpe.com" not in result.lead() + result.next_action + "".join(result.reasons)
    assert "発注不可" in result.lead() and "担当者におつなぎします" in result.lead()
    assert INTERPRETATION_MARK in result.lead()


@pytest.mark.parametrize(
    ("care", "years", "verdict"),
    [
        ("proactive", 1, "orderable"),
        ("proactive", 2, "not_orderable"),  # Proactive Care PWP: 1 year only (Q1)
        ("foundation", 1, "orderable"),
        ("foundation", 2, "orderable"),
        (None, 1, "orderable"),
        (None, 2, "orderable_with_caution"),  # 2 years exists only for Foundation Care
        ("PC", 2, "not_orderable"),
        ("ファウンデーションケア", 2, "orderable"),
    ],
)
def test_terms_per_care_level(care, years, verdict):
    result = compute_post_warranty(END, D("2027-01-15"), years=years, care_level=care)
    assert result.verdict == verdict
    assert result.orderable_today is (verdict != "not_orderable")
    assert result.term_end == (D("2028-03-31") if years == 1 else D("2029-03-31"))


@pytest.mark.parametrize(
    ("pwp_end", "status", "years", "verdict", "refers_contact"),
    [
        # 確定: a full year from the term start (2027-04-01 .. 2028-03-31) must fit.
        ("2028-03-31", PwpStatus.fixed, 1, "orderable", False),
        ("2028-03-30", PwpStatus.fixed, 1, "not_orderable", True),  # under a year left (Q23 ご注意)
        ("2027-06-30", PwpStatus.fixed, 1, "not_orderable", True),
        ("2027-01-31", PwpStatus.fixed, 1, "not_orderable", True),  # already before the term
        ("2028-12-31", PwpStatus.fixed, 2, "not_orderable", False),  # 2 years pass it, 1 year fits
        ("2029-03-31", PwpStatus.fixed, 2, "orderable_with_caution", False),  # fits; care level unknown
        # 予定: a term past the date can be bought, re-check inside the window.
        # ... under a year to a 予定 date: Q23's two statements conflict; the contact center is Q23's desk for it.
        ("2027-12-31", PwpStatus.planned, 1, "orderable_with_caution", True),
        ("2028-06-30", PwpStatus.planned, 2, "orderable_with_caution", False),
        ("2030-03-31", PwpStatus.planned, 1, "orderable", False),
        # 空欄: buyable.
        ("2027-12-31", PwpStatus.blank, 1, "orderable", False),
        # a date without its status: caution naming both cases
        ("2027-12-31", None, 1, "orderable_with_caution", False),
        ("2030-03-31", None, 1, "orderable", False),
    ],
)
def test_pwp_end_date_and_status(contacts, pwp_end, status, years, verdict, refers_contact):
    result = compute_post_warranty(
        END, D("2027-01-15"), years=years, pwp_end=D(pwp_end), pwp_status=status, contacts=contacts
    )
    assert result.verdict == verdict
    assert (result.contact is not None) is refers_contact
    if refers_contact:
        assert "HPEコンタクトセンター" in result.next_action


def test_fixed_end_two_years_suggests_one_year():
    result = compute_post_warranty(
        END, D("2027-01-15"), years=2, care_level="foundation", pwp_end=D("2028-12-31"), pwp_status="fixed"
    )
    assert result.verdict == "not_orderable"
    assert "1年のポストワランティサービス" in result.next_action
    assert any("確定" in r for r in result.reasons)


def test_planned_end_caution_mentions_recheck():
    result = compute_post_warranty(
        END, D("2027-01-15"), years=2, care_level="foundation", pwp_end=D("2028-06-30"), pwp_status="予定"
    )
    assert result.pwp_status == PwpStatus.planned
    assert any("予定" in r and "再度ご確認" in r for r in result.reasons)
    assert "再度ご確認" in result.next_action


def test_leap_day_term():
    result = compute_post_warranty(D("2028-02-28"), D("2028-01-10"))
    assert result.term_start == D("2028-02-29")
    assert result.term_end == D("2029-02-28")
    assert result.order_window_start == D("2027-11-30")


def test_citations():
    result = compute_post_warranty(END, D("2026-11-21"))
    assert [(c.faq, c.page) for c in result.citations] == [("Q22", 17), ("Q23", 18), ("Q1", 3)]
    assert result.citation.source == "Q22 / ハンドブック P17 / Rev.20181101（2018年11月時点）"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"years": 0}, "1年または2年"),
        ({"years": 3}, "1年または2年"),
        ({"years": -1}, "1年または2年"),
        ({"pwp_status": "fixed"}, "--pwp-end"),
        ({"pwp_status": "planned"}, "--pwp-end"),
        ({"pwp_status": "unknown"}, "blank"),
        ({"care_level": "gold"}, "foundation"),
    ],
)
def test_invalid_input(kwargs, fragment):
    with pytest.raises(CalculatorInputError) as info:
        compute_post_warranty(END, D("2026-11-21"), **kwargs)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message and JAPANESE.search(message)
    assert "例: faqbot pwp" in message


# --- properties -----------------------------------------------------------------------

ends = st.dates(min_value=date(2000, 1, 1), max_value=date(2080, 12, 31))


@given(ends, st.integers(min_value=-400, max_value=400), st.sampled_from([1, 2]))
def test_window_always_ends_on_the_end_date_and_starts_90_days_before(end, offset, years):
    today = end + timedelta(days=offset)
    result = compute_post_warranty(end, today, years=years, care_level="foundation", contacts=load_knowledge().contacts)
    assert result.order_window_end == end
    assert result.order_window_start == end - timedelta(days=90)
    assert result.state == ("not_yet_open" if offset < -90 else "closed" if offset > 0 else "open")
    assert result.orderable_today is (result.state == "open")
    assert result.term_start == end + timedelta(days=1)
    if result.days_until_open is not None:
        assert today + timedelta(days=result.days_until_open) == result.order_window_start
    if result.days_until_close is not None:
        assert today + timedelta(days=result.days_until_close) == end
