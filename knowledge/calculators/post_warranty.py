"""Post-warranty service (ポストワランティサービス, PWP) eligibility (Q22, Q23, Q1).

Rules and the readings chosen where the handbook is vague:
- Order window: coverage_end - 90 days .. coverage_end, both inclusive
  (「終了日の90日前から終了日当日までの当社受注分」, Q22). An order placed before
  the window must be placed again (Q22 ご注意).
- The PWP term starts the day after coverage_end and lasts 1 or 2 years
  (term_end = term_start + N years - 1 day). Foundation Care PWP: 1 or 2 years;
  Proactive Care PWP: 1 year only (Q1 「延長1,2年」 / 「延長1年」).
- Each product has a PWP end date with a status (Q23 備考欄):
    blank    buyable;
    planned  (予定) a term past the date can still be bought, but re-check it
             inside the order window -> orderable_with_caution;
    fixed    (確定) no term past the date -> not_orderable.
  「ポストワランティサービス終了日まで1年未満の場合、購入不可」 (Q23 ご注意) is read as:
  from the PWP term start to the PWP end date is less than one full year, i.e.
  pwp_end < term_start + 1 year - 1 day (a marked interpretation). It blocks a
  確定 date and refers to the HPE contact center, the desk Q23 names for exactly
  this case. For a 予定 date it collides with 「表示された「予定日」を超える期間の契約も
  ご購入いただけます」: the two statements conflict, the result says so in the lead
  (marked), follows the 予定 line (orderable_with_caution) and names the contact
  center. With a date but no status the result is a caution that names both cases.
- After the end date the window is closed: no PWP can be ordered. The handbook
  does not describe what to do then: the result says so (marked) and offers a
  person (offer_human). The contact center is NOT named: Q23 gives it only for
  renewals when less than a year remains to the PWP end date.
- Texts are the handbook's words; the bot's readings come from
  knowledge/data/provenance.yaml, marked (knowledge.provenance).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Literal

from knowledge.calculators.common import (
    CalculatorInputError,
    CalculatorResult,
    ContactRef,
    contact_ref,
    end_of_term,
    fmt_date,
    handbook_citation,
)
from knowledge.models import Contact, PwpStatus
from knowledge.provenance import interpretation

PWP_EXAMPLE = "例: faqbot pwp 2027-03-31 --years 1 --today 2026-11-21"
ORDER_WINDOW_DAYS = 90
# The PWP end-date lookup site (Q22, Q23, P19).
PWP_END_SITE_URL = "http://www.hpe.com/jp/supportservices-pwp-end"
CONTACT_CENTER_ID = "contact-center-contracts"

CareLevel = Literal["foundation", "proactive"]
State = Literal["not_yet_open", "open", "closed"]
Verdict = Literal["orderable", "orderable_with_caution", "not_orderable"]

CARE_LABELS = {"foundation": "ファウンデーションケア", "proactive": "プロアクティブケア"}
PWP_STATUS_LABELS = {PwpStatus.blank: "空欄", PwpStatus.planned: "予定", PwpStatus.fixed: "確定"}
# What users type for --pwp-status / --care, normalised to the canonical value.
_PWP_STATUS_WORDS = {
    "blank": PwpStatus.blank, "空欄": PwpStatus.blank, "なし": PwpStatus.blank, "empty": PwpStatus.blank,
    "planned": PwpStatus.planned, "予定": PwpStatus.planned, "provisional": PwpStatus.planned,
    "fixed": PwpStatus.fixed, "確定": PwpStatus.fixed, "final": PwpStatus.fixed,
}
_CARE_WORDS = {
    "foundation": "foundation", "fc": "foundation", "ファウンデーション": "foundation",
    "ファウンデーションケア": "foundation", "ファンデーションケア": "foundation",
    "proactive": "proactive", "pc": "proactive", "プロアクティブ": "proactive", "プロアクティブケア": "proactive",
}


def parse_pwp_status(text: str | PwpStatus | None) -> PwpStatus | None:
    if text is None or isinstance(text, PwpStatus):
        return text
    key = text.strip().lower()
    if key in _PWP_STATUS_WORDS:
        return _PWP_STATUS_WORDS[key]
    raise CalculatorInputError(
        f"備考欄の状態「{text}」は指定できません。blank（空欄）、planned（予定）、fixed（確定）のいずれかです。"
        "例: faqbot pwp 2027-03-31 --pwp-end 2030-03-31 --pwp-status fixed"
    )


def parse_care_level(text: str | None) -> CareLevel | None:
    if text is None:
        return None
    key = text.strip().lower()
    if key in _CARE_WORDS:
        return _CARE_WORDS[key]  # type: ignore[return-value]
    raise CalculatorInputError(
        f"保守レベル「{text}」は指定できません。foundation（ファウンデーションケア）か proactive（プロアクティブケア）です。"
        "例: faqbot pwp 2027-03-31 --care foundation --years 2"
    )


class PostWarrantyResult(CalculatorResult):
    # Inputs, echoed.
    coverage_end: date
    today: date
    years: int
    care_level: CareLevel | None
    pwp_end: date | None
    pwp_status: PwpStatus | None
    # Order window, both ends inclusive.
    order_window_start: date
    order_window_end: date
    state: State
    days_until_open: int | None  # only while not_yet_open
    days_until_close: int | None  # while not_yet_open or open (0 on the end date)
    orderable_today: bool
    # The PWP term that would be bought.
    term_start: date
    term_end: date
    verdict: Verdict
    reasons: list[str]
    next_action: str
    # The desk Q23 names when less than a year remains to the PWP end date (HPEコンタクトセンター), else None.
    contact: ContactRef | None = None
    # Sentences that change the direct answer, said in the lead (the 予定 conflict).
    lead_notes: list[str] = []
    # Offer a person: the handbook does not cover the case (after the end date).
    offer_human: bool = False

    def lead(self) -> str:
        """The direct answer: the window, where today is in it, the term (its end date is the bot's convention)."""
        start, end = fmt_date(self.order_window_start), fmt_date(self.order_window_end)
        window = f"発注可能期間は {start}～{end}（終了日当日まで）です。"
        if self.state == "closed":
            return (f"発注可能期間（{start}～{end}）の終了日を過ぎているため、発注不可です。"
                    + "".join(self.lead_notes))
        if self.verdict == "not_orderable":
            return window + f"{self.years}年のポストワランティサービスは購入不可です。" + "".join(self.lead_notes)
        term = (f"ポストワランティサービス契約期間（{self.years}年）は {fmt_date(self.term_start)}～{fmt_date(self.term_end)} です。"
                + interpretation("pwp-term", years=self.years))
        if self.state == "not_yet_open":
            return window + f"発注可能期間前です（あと{self.days_until_open}日）。" + "".join(self.lead_notes) + term
        tail = "ご注意をご確認ください。" if self.verdict == "orderable_with_caution" else ""
        return (window + f"発注可能期間内です（終了日当日まで残り{self.days_until_close}日）。{tail}"
                + "".join(self.lead_notes) + term)


def _window_state(start: date, end: date, today: date) -> State:
    if today < start:
        return "not_yet_open"
    if today > end:
        return "closed"
    return "open"


def compute_post_warranty(
    coverage_end: date,
    today: date,
    years: int = 1,
    care_level: str | None = None,
    pwp_end: date | None = None,
    pwp_status: PwpStatus | str | None = None,
    contacts: Mapping[str, Contact] | None = None,
) -> PostWarrantyResult:
    """Whether and when a post-warranty service can be ordered.

    coverage_end: end date of the hardware's standard warranty or support contract
    today:        the date "now" (JST)
    years:        PWP term, 1 or 2
    care_level:   "foundation" | "proactive" | None (unknown)
    pwp_end:      the product's PWP end date from the end-date site, if known
    pwp_status:   its 備考 status: blank / planned (予定) / fixed (確定)
    contacts:     contacts by id; defaults to load_knowledge().contacts (read only when needed)
    """
    if isinstance(years, bool) or not isinstance(years, int) or years not in (1, 2):
        raise CalculatorInputError(
            f"期間 {years}年 は指定できません。ポストワランティサービスは1年または2年単位です（Q22）。{PWP_EXAMPLE}"
        )
    care = parse_care_level(care_level)
    status = parse_pwp_status(pwp_status)
    if status in (PwpStatus.planned, PwpStatus.fixed) and pwp_end is None:
        raise CalculatorInputError(
            f"備考欄が「{PWP_STATUS_LABELS[status]}」の場合は、ポストワランティサービス終了日（--pwp-end）も指定してください。"
            "例: faqbot pwp 2027-03-31 --pwp-end 2030-03-31 --pwp-status fixed"
        )

    window_start = coverage_end - timedelta(days=ORDER_WINDOW_DAYS)
    window_end = coverage_end
    state = _window_state(window_start, window_end, today)
    term_start = coverage_end + timedelta(days=1)
    term_end = end_of_term(term_start, years)
    one_year_end = end_of_term(term_start, 1)

    reasons: list[str] = []
    warnings: list[str] = []
    lead_notes: list[str] = []
    blocked = False
    caution = False
    refer_contact_center = False
    suggest_one_year = False
    offer_human = False

    # Terms per care level (Q1).
    if years == 2 and care == "proactive":
        blocked = True
        suggest_one_year = True
        reasons.append("プロアクティブケアのポストワランティサービスは延長1年です（Q1）。")
    elif years == 2 and care is None:
        caution = True
        reasons.append("ポストワランティサービスは、ファウンデーションケアは延長1,2年、プロアクティブケアは延長1年です（Q1）。")
        reasons.append("保守レベル（ファウンデーションケア／プロアクティブケア）をご確認ください。")

    # Order window (Q22).
    if state == "closed":
        blocked = True
        offer_human = True
        reasons.append("発注可能期間は、保守契約または製品標準保証終了日の90日前から終了日当日までの当社受注分です（Q22）。")
        lead_notes.append(interpretation("pwp-after-end"))
    elif state == "not_yet_open":
        reasons.append("万が一、90日前よりも早くご発注された場合は、ポストワランティーサービスを再度ご発注下さい（Q22 ご注意）。")

    # The product's PWP end date (Q23).
    if pwp_end is not None:
        under_one_year = pwp_end < one_year_end
        past_end = term_end > pwp_end
        end_text = fmt_date(pwp_end)
        if status == PwpStatus.fixed:
            if under_one_year:
                blocked = True
                refer_contact_center = True
                reasons.append(
                    f"ポストワランティサービス終了日（確定: {end_text}）まで1年未満の場合、"
                    "ポストワランティサービスをご購入頂くことができません（Q23 ご注意）。"
                )
                reasons.append(interpretation("pwp-under-one-year", start=fmt_date(term_start)))
            elif past_end:
                blocked = True
                suggest_one_year = True
                reasons.append(
                    f"「確定」：この日（{end_text}）を超える契約期間のポストワランティをご購入いただくことはできません（Q23）。"
                )
                reasons.append(f"1年の契約期間（～{fmt_date(one_year_end)}）は、ポストワランティサービス終了日を超えません。")
        elif status == PwpStatus.planned:
            if under_one_year:
                # Q23's two statements collide: say so, in the lead, and what the bot assumed.
                caution = True
                refer_contact_center = True
                reasons.append(f"ポストワランティサービス終了日（予定: {end_text}）まで1年未満です。")
                reasons.append(interpretation("pwp-under-one-year", start=fmt_date(term_start)))
                reasons.append(interpretation("pwp-planned-conflict"))
                reasons.append(interpretation("pwp-planned-assumed"))
                lead_notes.append(interpretation("pwp-planned-conflict-lead"))
            elif past_end:
                caution = True
                reasons.append(
                    f"「予定」：表示された「予定日」（{end_text}）を超える期間の契約もご購入いただけます。"
                    "ただし、今後「確定」する可能性がありますので、購入期間（Q22参照）内に再度ご確認下さい（Q23）。"
                )
            else:
                warnings.append(
                    f"「予定」：「ポストワランティ終了日」（{end_text}）が予定日として仮設定された状態です。"
                    "今後「確定」する可能性がありますので、購入期間（Q22参照）内に再度ご確認下さい（Q23）。"
                )
        elif status == PwpStatus.blank:
            if past_end:
                warnings.append("空欄：ポストワランティをご購入いただけます（Q23）。")
                warnings.append(interpretation("pwp-blank-with-date"))
        else:
            if past_end or under_one_year:
                caution = True
                reasons.append(
                    f"ポストワランティサービス終了日（{end_text}）を超える契約期間（～{fmt_date(term_end)}）です。"
                    "「予定」：表示された「予定日」を超える期間の契約もご購入いただけます（Q23）。"
                    "「確定」：この日を超える契約期間のポストワランティをご購入いただくことはできません（Q23）。"
                    "備考欄の表記をご確認ください。"
                )
    elif status != PwpStatus.blank:
        warnings.append(
            "対象ハードウェアの「ポストワランティサービス終了日」を、Q23記載の検索サイト"
            f"（{PWP_END_SITE_URL}）にて事前にご確認の上、お客様にご販売ください（Q22）。"
        )

    verdict: Verdict = "not_orderable" if blocked else ("orderable_with_caution" if caution else "orderable")
    orderable_today = state == "open" and verdict != "not_orderable"

    contact: ContactRef | None = None
    if refer_contact_center:
        if contacts is None:
            from knowledge.loader import load_knowledge

            contacts = load_knowledge().contacts
        if CONTACT_CENTER_ID not in contacts:
            raise KeyError(f"contacts.yaml has no {CONTACT_CENTER_ID!r} contact")
        contact = contact_ref(contacts[CONTACT_CENTER_ID])

    days_until_open = (window_start - today).days if state == "not_yet_open" else None
    days_until_close = (window_end - today).days if state != "closed" else None

    next_action = _next_action(
        state=state,
        verdict=verdict,
        window_start=window_start,
        window_end=window_end,
        days_until_open=days_until_open,
        days_until_close=days_until_close,
        contact=contact,
        suggest_one_year=suggest_one_year,
        # The site's URL is given once in a reply: a warning may already carry it.
        site_shown=any(PWP_END_SITE_URL in w for w in warnings),
    )

    warnings.append("ポストワランティサービスの登録は、サービス購入後速やかに行ってください（Q23 ご注意）。")

    rule = (
        "発注可能期間は、対象ハードウェア製品の保守契約または製品標準保証終了日の90日前から終了日当日までの当社受注分となります（Q22）。"
        "万が一、90日前よりも早くご発注された場合は、ポストワランティーサービスを再度ご発注下さい（Q22）。"
        "ポストワランティサービスは１年または２年単位の期間固定サービスです（Q22）。"
        "ポストワランティサービスは、ファウンデーションケアは延長1,2年、プロアクティブケアは延長1年です（Q1）。"
        "「予定」：表示された「予定日」を超える期間の契約もご購入いただけます（Q23）。"
        "「確定」：この日を超える契約期間のポストワランティをご購入いただくことはできません（Q23）。"
        "ポストワランティサービス終了日まで1年未満の場合、ポストワランティサービスをご購入頂くことができません（Q23）。"
    )
    citations = [handbook_citation("Q22", 17), handbook_citation("Q23", 18), handbook_citation("Q1", 3)]
    return PostWarrantyResult(
        coverage_end=coverage_end,
        today=today,
        years=years,
        care_level=care,
        pwp_end=pwp_end,
        pwp_status=status,
        order_window_start=window_start,
        order_window_end=window_end,
        state=state,
        days_until_open=days_until_open,
        days_until_close=days_until_close,
        orderable_today=orderable_today,
        term_start=term_start,
        term_end=term_end,
        verdict=verdict,
        reasons=reasons,
        next_action=next_action,
        contact=contact,
        lead_notes=lead_notes,
        offer_human=offer_human,
        rule=rule,
        citation=citations[0],
        citations=citations,
        warnings=warnings,
    )


def _next_action(
    *,
    state: State,
    verdict: Verdict,
    window_start: date,
    window_end: date,
    days_until_open: int | None,
    days_until_close: int | None,
    contact: ContactRef | None,
    suggest_one_year: bool,
    site_shown: bool,
) -> str:
    parts: list[str] = []
    window = f"発注可能期間（{fmt_date(window_start)}～{fmt_date(window_end)}）"
    if state == "closed":
        pass  # the lead says it and offers a person; the handbook names no desk for it
    elif verdict == "not_orderable":
        if suggest_one_year and contact is None:
            parts.append(f"1年のポストワランティサービスは、{window}内にご発注ください。")
    else:
        parts.append(f"{window}内にご発注ください。")
    if verdict == "orderable_with_caution":
        site = "ポストワランティサービス終了日確認サイト"
        if not site_shown:
            site += f"（{PWP_END_SITE_URL}）"
        parts.append(f"{site}の備考欄の表記を、購入期間内に再度ご確認下さい。")
    if contact is not None:
        parts.append(
            f"サービス終了日までの契約更新をご希望の場合には、弊社コンタクトセンター（{contact.how_to_reach()}）にご相談下さい（Q23）。"
        )
    return "".join(parts)
