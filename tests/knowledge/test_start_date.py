import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.calculators.common import CalculatorInputError, add_months_clamped, add_years, end_of_term
from knowledge.calculators.start_date import compute_start_date
from knowledge.models import INTERPRETATION_MARK

D = date.fromisoformat
TODAY = D("2026-11-21")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_handbook_example_dl360_gen10_proactive_care_7_years():
    # Q2/Q19 figure: HPE ProLiant DL360 Gen10 (3-year warranty) with Proactive Care 7 years:
    # 保守開始日 = ご購入日, the service covers 7 years from it.
    result = compute_start_date(D("2018-11-01"), None, 7, None, D("2018-11-20"))
    assert result.basis == "purchase_date"
    assert result.start_date == D("2018-11-01")
    assert result.end_date == D("2025-10-31")
    assert result.purchase_deadline == D("2019-10-31")
    assert result.citation.faq == "Q19" and result.citation.page == 15
    assert "Q19 / ハンドブック P15 / Rev.20181101（2018年11月時点）" == result.citation.source
    # 7 years is model-dependent (Q1: 機種により6,7年まで).
    assert any("Q1" in w and "機種" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("purchase", "years", "end"),
    [
        ("2026-05-10", 5, "2031-05-09"),
        ("2026-01-01", 3, "2028-12-31"),
        ("2026-03-01", 1, "2027-02-28"),
        ("2027-03-01", 1, "2028-02-29"),  # ends on a leap day
        ("2028-02-29", 1, "2029-02-28"),  # leap-day start, non-leap end year
        ("2028-02-29", 4, "2032-02-28"),  # leap-day start, leap end year
        ("2026-12-31", 3, "2029-12-30"),
    ],
)
def test_end_date_is_start_plus_n_years_minus_one_day(purchase, years, end):
    result = compute_start_date(D(purchase), None, years, None, D(purchase))
    assert result.start_date == D(purchase)
    assert result.end_date == D(end)


@pytest.mark.parametrize(
    ("purchase", "deadline"),
    [
        ("2026-05-10", "2027-05-09"),
        ("2028-02-29", "2029-02-28"),
        ("2026-01-01", "2026-12-31"),
        ("2026-03-01", "2027-02-28"),
    ],
)
def test_purchase_deadline_is_one_year_minus_one_day(purchase, deadline):
    result = compute_start_date(D(purchase), None, 3, None, D(purchase))
    assert result.purchase_deadline == D(deadline)


@pytest.mark.parametrize(
    ("today", "passed", "days_left"),
    [
        ("2027-05-08", False, 1),
        ("2027-05-09", False, 0),  # the deadline itself: still purchasable
        ("2027-05-10", True, -1),
    ],
)
def test_purchase_deadline_passed_boundary(today, passed, days_left):
    result = compute_start_date(D("2026-05-10"), None, 5, None, D(today))
    assert result.purchase_deadline_passed is passed
    assert result.days_left_to_purchase == days_left
    # When the purchase deadline has passed, that is the lead, before any date (issue 15, defect 11).
    assert result.lead().startswith("サポートサービスの購入可能な期間") is passed
    assert ("購入不可" in result.lead()) is passed


@pytest.mark.parametrize(
    ("delivered", "deadline"),
    [
        ("2027-01-31", "2027-02-28"),  # month end, non-leap
        ("2028-01-31", "2028-02-29"),  # month end, leap
        ("2026-03-31", "2026-04-30"),
        ("2026-12-31", "2027-01-31"),  # across the year
        ("2026-10-21", "2026-11-21"),
        ("2026-02-28", "2026-03-28"),
    ],
)
def test_registration_deadline_is_one_month_clamped(delivered, deadline):
    result = compute_start_date(D("2026-01-15"), None, 3, D(delivered), D(delivered))
    assert result.registration_deadline == D(deadline)
    assert result.registration_overdue is False


@pytest.mark.parametrize(("today", "overdue"), [("2026-11-21", False), ("2026-11-22", True)])
def test_registration_overdue_boundary(today, overdue):
    result = compute_start_date(D("2026-10-01"), None, 3, D("2026-10-21"), D(today))
    assert result.registration_deadline == D("2026-11-21")
    assert result.registration_overdue is overdue
    # No desk is named for a late registration (Q18's desks are for changes): say so, offer a person.
    assert ("担当者におつなぎします" in result.lead()) is overdue
    assert result.offer_human is overdue
    assert not any("Q18" in text for text in [result.lead(), result.rule, *result.warnings])


def test_no_delivery_date_means_no_registration_deadline():
    result = compute_start_date(D("2026-05-10"), None, 5, None, TODAY)
    assert result.registration_deadline is None
    assert result.registration_overdue is None


def test_ship_date_basis_without_warranty_card():
    result = compute_start_date(None, D("2026-04-20"), 3, None, TODAY)
    assert result.basis == "ship_date"
    assert result.start_date == D("2026-04-20")
    assert result.end_date == D("2029-04-19")
    assert result.purchase_deadline == D("2027-04-19")
    assert "当社出荷日を元に算出された日が保守開始日として自動登録されます（Q14 ご注意）" in result.rule
    assert any("当社出荷日をそのまま保守開始日の目安" in w and INTERPRETATION_MARK in w for w in result.warnings)
    assert any(c.faq == "Q14" for c in result.citations)


def test_purchase_and_ship_date_warn_about_the_unstated_csn_period():
    result = compute_start_date(D("2026-05-10"), D("2026-04-20"), 5, None, TODAY)
    assert result.basis == "purchase_date"
    assert result.start_date == D("2026-05-10")
    assert any("一定期間内" in w and "Q12" in w for w in result.warnings)
    assert any("一定期間" in w and "記載されていません" in w and INTERPRETATION_MARK in w for w in result.warnings)


def test_purchase_before_ship_date_is_warned():
    result = compute_start_date(D("2026-04-01"), D("2026-04-20"), 5, None, TODAY)
    assert any("出荷日" in w and "より前" in w for w in result.warnings)


def test_future_purchase_is_allowed_with_a_warning():
    result = compute_start_date(D("2027-01-10"), None, 3, None, TODAY)
    assert result.start_date == D("2027-01-10")
    assert any("今日" in w and "より後" in w for w in result.warnings)


@pytest.mark.parametrize(("years", "warned"), [(1, True), (2, True), (3, False), (4, False), (5, False), (6, True), (7, True)])
def test_terms_outside_3_to_5_are_model_dependent(years, warned):
    result = compute_start_date(D("2026-05-10"), None, years, None, TODAY)
    assert any("Q1" in w for w in result.warnings) is warned


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"years": 0}, "1年以上"),
        ({"years": -1}, "1年以上"),
        ({"years": 8}, "最長7年"),
        ({"purchase": None}, "ご購入日"),
        ({"years": True}, "整数"),
    ],
)
def test_invalid_input_raises_one_japanese_line(kwargs, fragment):
    args = {"purchase": D("2026-05-10"), "ship_date": None, "years": 3, "delivered": None, "today": TODAY}
    args.update(kwargs)
    with pytest.raises(CalculatorInputError) as info:
        compute_start_date(**args)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message and JAPANESE.search(message)
    assert "例: faqbot start-date" in message


def test_result_serialises_with_contract_keys():
    data = compute_start_date(D("2026-05-10"), None, 5, D("2026-06-01"), TODAY).model_dump(mode="json")
    for key in ("start_date", "end_date", "purchase_deadline", "registration_deadline", "rule", "citation", "warnings"):
        assert key in data
    assert data["start_date"] == "2026-05-10"
    assert data["registration_deadline"] == "2026-07-01"
    assert data["citation"] == {
        "faq": "Q19",
        "page": 15,
        "source": "Q19 / ハンドブック P15 / Rev.20181101（2018年11月時点）",
    }


# --- helpers and properties ------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "n", "expected"),
    [("2028-02-29", 1, "2029-03-01"), ("2028-02-29", 4, "2032-02-29"), ("2026-05-10", 5, "2031-05-10")],
)
def test_add_years(d, n, expected):
    assert add_years(D(d), n) == D(expected)


@pytest.mark.parametrize(
    ("d", "n", "expected"),
    [("2027-01-31", 1, "2027-02-28"), ("2028-01-31", 1, "2028-02-29"), ("2026-12-15", 1, "2027-01-15"),
     ("2026-08-31", -2, "2026-06-30"), ("2026-01-30", 13, "2027-02-28")],
)
def test_add_months_clamped(d, n, expected):
    assert add_months_clamped(D(d), n) == D(expected)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=1, max_value=7),
)
def test_term_length_property(start, years):
    result = compute_start_date(start, None, years, None, start)
    assert result.end_date == end_of_term(start, years)
    assert result.end_date + timedelta(days=1) == add_years(start, years)
    length = (result.end_date - start).days + 1
    assert 365 * years <= length <= 366 * years
    assert result.purchase_deadline > start
    assert (result.purchase_deadline - start).days in (364, 365)
