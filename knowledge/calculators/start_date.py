"""Maintenance start / end date, purchase deadline and registration deadline (Q19, with Q5, Q10, Q12, Q14, Q1).

Rules and the readings chosen where the handbook is vague:
- 保守開始日 = the purchase date on the hardware's warranty card (= standard
  warranty start), whatever the registration date (Q19).
- Without a stamped, dated warranty card, HPE registers "a date computed from
  HPE's ship date" (Q14 ご注意, Q19). The handbook does not give that
  computation, so we show the ship date itself as the start and say it is an
  approximation.
- An N-year service covers start .. add_years(start, N) - 1 day, where
  add_years maps Feb 29 to Mar 1 in a non-leap year: 2028-02-29 + 1 year ends
  2029-02-28.
- 「サポートサービスの購入可能な期間は、ハードウェア購入後1年以内」: the last
  day to buy is purchase + 1 year - 1 day (2026-05-10 -> 2027-05-09). When only
  the ship date is known it stands in for the purchase date (an earlier, hence
  conservative, deadline) and a warning says so.
- 「納品から一ヶ月以内に登録」 (Q5, Q10): the registration deadline is the
  delivery date + 1 month, clamped to the month's end (1/31 -> 2/28 or 2/29).
  We count "within" as "on or before" that day.
- Terms: 3, 4, 5 years are standard; 6, 7 years only for some models; 1 year
  for network products / technical support (Q1). 1..7 are accepted, outside
  3..5 with a warning; anything else is an input error.
- The readings above (the end date of an N-year term, the last day to buy, the
  registration deadline, the ship date standing in) are the bot's, not the
  handbook's: they come from knowledge/data/provenance.yaml, marked. The end
  date's convention is said in the lead, and when the purchase deadline has
  passed, that is the lead (購入不可) before any date. A registration after the
  deadline has no procedure in the handbook (Q18's desks are for changes, not late
  registration): the result says so and offers a person (offer_human).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from knowledge.calculators.common import (
    CalculatorInputError,
    CalculatorResult,
    add_months_clamped,
    end_of_term,
    fmt_date,
    handbook_citation,
)
from knowledge.provenance import guidance, interpretation

START_DATE_EXAMPLE = "例: faqbot start-date --purchase 2026-05-10 --years 5"
MIN_YEARS = 1
MAX_YEARS = 7
STANDARD_YEARS = (3, 4, 5)


class StartDateResult(CalculatorResult):
    # Inputs, echoed.
    purchase_date: date | None
    ship_date: date | None
    years: int | None  # None: no term given, so no end date
    delivered: date | None
    today: date
    # Which date the start is taken from.
    basis: Literal["purchase_date", "ship_date"]
    start_date: date
    end_date: date | None
    # Last day the support service can be bought (hardware purchase + 1 year - 1 day).
    purchase_deadline: date
    purchase_deadline_passed: bool
    # Days from today to the purchase deadline (negative once passed).
    days_left_to_purchase: int
    # Registration: delivery + 1 month (month-end clamped); None without a delivery date.
    registration_deadline: date | None
    registration_overdue: bool | None
    # Offer a person: the registration deadline has passed (the handbook gives no procedure).
    offer_human: bool = False

    def lead(self) -> str:
        """The direct answer: 購入不可 first when the purchase deadline has passed, then start and end
        (with the end date's convention, the bot's)."""
        basis = "ご購入日" if self.basis == "purchase_date" else "当社出荷日（目安）"
        parts = []
        if self.purchase_deadline_passed:
            parts.append(
                f"サポートサービスの購入可能な期間（ハードウェア購入後1年以内、{fmt_date(self.purchase_deadline)}まで）"
                "を過ぎているため、このサポートサービスは購入不可です。"
            )
        parts.append(f"保守開始日は {fmt_date(self.start_date)}（{basis}）です。")
        if self.years is None:
            parts.append(guidance("start-years"))
        else:
            parts.append(
                f"{self.years}年のサービス提供期間は {fmt_date(self.start_date)}～{fmt_date(self.end_date)} です。"
                + interpretation("term-end", years=self.years)
            )
        if not self.purchase_deadline_passed:
            parts.append(
                f"サポートサービスの購入可能な期間は、ハードウェア購入後1年以内（{fmt_date(self.purchase_deadline)}まで）です。"
            )
        if self.registration_overdue and self.registration_deadline:
            parts.append(interpretation("late-registration", deadline=fmt_date(self.registration_deadline)))
        elif self.registration_deadline:
            parts.append(f"納品から一ヶ月以内（{fmt_date(self.registration_deadline)}まで）にサービスの登録が必要です。")
        return "".join(parts)


def compute_start_date(
    purchase: date | None,
    ship_date: date | None,
    years: int | None,
    delivered: date | None,
    today: date,
) -> StartDateResult:
    """Start, end, purchase deadline and registration deadline of an N-year support service.

    purchase:  purchase date on the warranty card (None when there is no stamped, dated card)
    ship_date: HPE's ship date of the hardware (used when purchase is None)
    years:     term of the service, 1..7; None when not known (no end date then)
    delivered: delivery date of the support service (the registration sheet), optional
    today:     the date "now" (JST) for the deadline checks
    """
    if years is not None and (isinstance(years, bool) or not isinstance(years, int)):
        raise CalculatorInputError(f"期間（年数）は整数で指定してください。{START_DATE_EXAMPLE}")
    if years is not None and years < MIN_YEARS:
        raise CalculatorInputError(f"期間 {years}年 は指定できません。1年以上（1～7年）で指定してください。{START_DATE_EXAMPLE}")
    if years is not None and years > MAX_YEARS:
        raise CalculatorInputError(f"期間 {years}年 は指定できません。サポートサービスの期間は最長7年です（Q1）。{START_DATE_EXAMPLE}")
    if purchase is None and ship_date is None:
        raise CalculatorInputError(f"ご購入日（--purchase）か当社出荷日（--ship-date）を指定してください。{START_DATE_EXAMPLE}")

    warnings: list[str] = []
    citations = [handbook_citation("Q19", 15)]
    rule_parts = [
        "サポートサービスの保守開始日は、標準保証開始日と同日の、ハードウェア本体製品の保証書に記入された「ご購入日 Purchase Date」となります（Q19）。",
        "登録をする日にかかわらず、保守開始日はハードウェア製品本体ご購入日へと遡ります（Q19）。",
        "サポートサービスの購入可能な期間は、ハードウェア購入後1年以内です（Q19）。",
        interpretation("purchase-deadline"),
    ]

    if purchase is not None:
        basis: Literal["purchase_date", "ship_date"] = "purchase_date"
        start = purchase
        deadline_base = purchase
        if purchase > today:
            warnings.append(guidance("check-future-date", what="ご購入日", date=fmt_date(purchase)))
        if ship_date is not None:
            citations.append(handbook_citation("Q12", 11))
            warnings.append(
                "登録画面上の「製品購入日」欄に入力した日付がハードウェア製品の当社出荷日から一定期間内の場合に限り、"
                "その日付をサポートサービスの開始日として登録が完了します（Q12）。"
            )
            warnings.append(interpretation("fixed-period"))
            warnings.append(
                "ご登録時には、ハードウェア製品本体の当社出荷日を保守開始日としてサービス提供期間を自動計算し登録されますが、"
                "実際のご購入日への修正は、一定期間内の場合に限り可能です（Q19）。"
            )
            if purchase < ship_date:
                warnings.append(guidance("check-purchase-before-ship", purchase=fmt_date(purchase), ship=fmt_date(ship_date)))
    else:
        assert ship_date is not None
        basis = "ship_date"
        start = ship_date
        deadline_base = ship_date
        citations.append(handbook_citation("Q14", 12))
        rule_parts.append(
            "販売店様印と購入日の記載がない保証書、または保証書の添付がない場合は、当社出荷日を元に算出された日が保守開始日として自動登録されます（Q14 ご注意）。"
        )
        warnings.append(interpretation("ship-date-as-start"))
        warnings.append(interpretation("ship-date-deadline"))
        if ship_date > today:
            warnings.append(guidance("check-future-date", what="当社出荷日", date=fmt_date(ship_date)))

    end = None
    if years is not None:
        end = end_of_term(start, years)

    purchase_deadline = end_of_term(deadline_base, 1)
    deadline_passed = today > purchase_deadline
    days_left = (purchase_deadline - today).days
    if deadline_passed:
        warnings.append(
            "サポートサービスまたは製品標準保証の終了90日前になると、更新保守としてポストワランティサービスをご購入いただけます（Q22）。"
        )

    registration_deadline: date | None = None
    registration_overdue: bool | None = None
    offer_human = False
    if delivered is not None:
        citations.append(handbook_citation("Q10", 10))
        rule_parts.append("納品物を受け取るだけではサービスが受けられません。納品から一ヶ月以内にサービスの登録が必要です（Q5、Q10）。")
        rule_parts.append(interpretation("registration-deadline"))
        registration_deadline = add_months_clamped(delivered, 1)
        registration_overdue = today > registration_deadline
        if registration_overdue:
            # Q18's desks are for changes (移転、社名変更), not for a late registration: no desk is named.
            offer_human = True
            warnings.append("納品物が届いたら、「サービス登録」を速やかに行ってください（Q10）。")
        if delivered > today:
            warnings.append(guidance("check-future-date", what="納品日", date=fmt_date(delivered)))

    if years is not None and years not in STANDARD_YEARS:
        citations.append(handbook_citation("Q1", 3))
        warnings.append("ハードウェアサービスの期間は、1年(ネットワーク製品)、3,4,5年、機種により6,7年までです（Q1）。")

    return StartDateResult(
        purchase_date=purchase,
        ship_date=ship_date,
        years=years,
        delivered=delivered,
        today=today,
        basis=basis,
        start_date=start,
        end_date=end,
        purchase_deadline=purchase_deadline,
        purchase_deadline_passed=deadline_passed,
        days_left_to_purchase=days_left,
        registration_deadline=registration_deadline,
        registration_overdue=registration_overdue,
        offer_human=offer_human,
        rule="".join(rule_parts),
        citation=citations[0],
        citations=citations,
        warnings=warnings,
    )


class RegistrationResult(CalculatorResult):
    """The registration deadline of a delivered support service alone (Q10), without the hardware's dates."""

    delivered: date
    today: date
    registration_deadline: date
    registration_overdue: bool
    days_left: int  # negative once passed

    def lead(self) -> str:
        if self.registration_overdue:
            when = "期限を過ぎています"
        else:
            when = "今日まで" if self.days_left == 0 else f"あと{self.days_left}日"
        return (
            f"サービス登録の期限は {fmt_date(self.registration_deadline)}（納品日 {fmt_date(self.delivered)} から"
            f"一ヶ月、{when}）です。"
        )


def compute_registration_deadline(delivered: date, today: date) -> RegistrationResult:
    """「納品から一ヶ月以内に登録」 (Q5, Q10): delivery + 1 month, clamped to the month's end, counted inclusive."""
    deadline = add_months_clamped(delivered, 1)
    overdue = today > deadline
    warnings = []
    if overdue:
        warnings.append(
            f"登録期限（納品から一ヶ月: {fmt_date(deadline)}）を過ぎています。至急ご登録のうえ、"
            "登録方法に応じた窓口へご相談ください（Q10、Q18）。"
        )
    if delivered > today:
        warnings.append(f"納品日 {fmt_date(delivered)} は今日（{fmt_date(today)}）より後の日付です。届く予定の日として計算しています。")
    citations = [handbook_citation("Q10", 10)]
    return RegistrationResult(
        delivered=delivered,
        today=today,
        registration_deadline=deadline,
        registration_overdue=overdue,
        days_left=(deadline - today).days,
        rule=(
            "サポートサービスは納品から一ヶ月以内に登録が必要です。納品物を受け取るだけではサービスを受けられません（Q5、Q10）。"
            "本ツールでは納品日の一ヶ月後の同日（その日がない月は月末）までを期限としています。"
        ),
        citation=citations[0],
        citations=citations,
        warnings=warnings,
    )
