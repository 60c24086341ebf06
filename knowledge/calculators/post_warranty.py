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
  pwp_end < term_start + 1 year - 1 day. It blocks a 確定 date; for a 予定 date
  it is a caution (Q23 says a term past a 予定 date can be bought). With a date
  but no status the result is a caution that names both cases.
- After the end date the window is closed: no PWP can be ordered. The handbook
  does not describe what to do then; we refer to the HPE contact center
  (contact-center-contracts), the desk Q23 names for contract renewals.
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
    # The desk to contact when the PWP cannot be bought (HPEコンタクトセンター), else None.
    contact: ContactRef | None = None

    def lead(self) -> str:
        """The direct answer, one or two Japanese sentences."""
        window = f"発注可能期間は {fmt_date(self.order_window_start)}～{fmt_date(self.order_window_end)}（終了日当日まで）です。"
        if self.state == "closed":
            return f"発注可能期間（{fmt_date(self.order_window_start)}～{fmt_date(self.order_window_end)}）を過ぎているため、ポストワランティサービスは発注できません。"
        if self.verdict == "not_orderable":
            return window + f"ただし、ご指定の条件（{self.years}年）では購入できません。"
        term = f"{self.years}年の契約期間は {fmt_date(self.term_start)}～{fmt_date(self.term_end)} です。"
        if self.state == "not_yet_open":
            return window + f"今日はまだ発注できません（あと{self.days_until_open}日で発注可能になります）。" + term
        tail = "（要確認事項あり）" if self.verdict == "orderable_with_caution" else ""
        return window + f"今日は発注できます{tail}（締切まで残り{self.days_until_close}日）。" + term


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
    blocked = False
    caution = False
    refer_contact_center = False
    suggest_one_year = False

    # Terms per care level (Q1).
    if years == 2 and care == "proactive":
        blocked = True
        suggest_one_year = True
        reasons.append("プロアクティブケアのポストワランティサービスは延長1年のみです。2年は購入できません（Q1）。")
    elif years == 2 and care is None:
        caution = True
        reasons.append("2年のポストワランティサービスはファウンデーションケアのみです（プロアクティブケアは延長1年のみ、Q1）。保守レベルをご確認ください。")

    # Order window (Q22).
    if state == "closed":
        blocked = True
        refer_contact_center = True
        reasons.append(
            f"発注可能期間（{fmt_date(window_start)}～{fmt_date(window_end)}）を過ぎています。"
            "終了日の翌日以降は発注できません（Q22）。"
        )
    elif state == "not_yet_open":
        reasons.append(
            f"発注可能期間の開始（{fmt_date(window_start)}）前です。90日前よりも早く発注した場合は、"
            "ポストワランティサービスを再度ご発注いただく必要があります（Q22 ご注意）。"
        )

    # The product's PWP end date (Q23).
    if pwp_end is not None:
        under_one_year = pwp_end < one_year_end
        past_end = term_end > pwp_end
        if status == PwpStatus.fixed:
            if under_one_year:
                blocked = True
                refer_contact_center = True
                reasons.append(
                    f"ポストワランティサービス終了日（確定: {fmt_date(pwp_end)}）まで、契約開始日 {fmt_date(term_start)} から1年未満のため、"
                    "ポストワランティサービスは購入できません（Q23 ご注意）。"
                )
            elif past_end:
                blocked = True
                suggest_one_year = True
                reasons.append(
                    f"{years}年の契約期間（～{fmt_date(term_end)}）が確定したポストワランティサービス終了日 {fmt_date(pwp_end)} を超えるため購入できません（Q23）。"
                    "1年の期間なら終了日内に収まります。"
                )
        elif status == PwpStatus.planned:
            if past_end or under_one_year:
                caution = True
                reasons.append(
                    f"ポストワランティサービス終了日は「予定」（{fmt_date(pwp_end)}）で、契約期間（～{fmt_date(term_end)}）がこれを超えます。"
                    "予定日を超える期間の契約もご購入いただけますが、今後「確定」する可能性があるため、発注可能期間内に終了日確認サイトで再度ご確認ください（Q23）。"
                )
                if under_one_year:
                    reasons.append("「確定」した場合、終了日まで1年未満となるため購入できなくなります（Q23 ご注意）。")
            else:
                warnings.append(
                    f"ポストワランティサービス終了日は「予定」（{fmt_date(pwp_end)}）です。今後変更される可能性があるため、発注前に再度ご確認ください（Q23）。"
                )
        elif status == PwpStatus.blank:
            if past_end:
                warnings.append(
                    f"備考欄が空欄なので購入できますが、契約期間（～{fmt_date(term_end)}）が入力された終了日 {fmt_date(pwp_end)} を超えます。"
                    "終了日確認サイトの表示を再度ご確認ください（Q23）。"
                )
        else:
            if past_end or under_one_year:
                caution = True
                reasons.append(
                    f"契約期間（～{fmt_date(term_end)}）がポストワランティサービス終了日 {fmt_date(pwp_end)} を超えます。"
                    "備考欄が「予定」なら購入できますが、「確定」なら購入できません（Q23）。終了日確認サイトで備考欄をご確認ください。"
                )
    elif status != PwpStatus.blank:
        warnings.append(
            f"製品ごとのポストワランティサービス終了日は考慮していません。終了日確認サイト（{PWP_END_SITE_URL}）で事前にご確認ください（Q22、Q23）。"
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
        "ポストワランティサービスの発注可能期間は、対象ハードウェア製品の保守契約または製品標準保証の終了日の90日前から終了日当日までの当社受注分です。"
        "90日前よりも早く発注した場合は再度発注が必要です（Q22）。"
        "ポストワランティサービスは1年または2年単位の期間固定サービスで、ファウンデーションケアは延長1,2年、プロアクティブケアは延長1年です（Q1、Q22）。"
        "製品ごとのポストワランティサービス終了日が「確定」ならその日を超える期間は購入できず、「予定」なら超える期間も購入できますが発注可能期間内に再確認が必要です。"
        "終了日まで1年未満の場合は購入できません（本ツールでは、契約開始日から終了日までが1年未満の場合と解釈しています）（Q23）。"
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
    if state == "closed":
        parts.append("発注可能期間を過ぎているため、ポストワランティサービスは発注できません。終了日を過ぎた後の手続きはハンドブックに記載がありません。")
    elif verdict == "not_orderable":
        if suggest_one_year and contact is None:
            when = (
                f"{fmt_date(window_start)}から{fmt_date(window_end)}までに"
                if state == "not_yet_open"
                else f"{fmt_date(window_end)}までに"
            )
            parts.append(f"1年の期間で、{when}発注してください。")
        else:
            parts.append("ご指定の条件ではポストワランティサービスを購入できません。")
    elif state == "not_yet_open":
        parts.append(
            f"{fmt_date(window_start)}（あと{days_until_open}日）から{fmt_date(window_end)}までの発注可能期間内に発注してください。"
            "それより前の発注は無効になり、再発注が必要です。"
        )
    else:
        parts.append(f"{fmt_date(window_end)}まで（残り{days_until_close}日）に発注してください。")
    if verdict == "orderable_with_caution":
        site = "終了日確認サイト" if site_shown else f"終了日確認サイト（{PWP_END_SITE_URL}）"
        parts.append(f"発注前に、{site}で備考欄と保守レベルを再度ご確認ください。")
    if contact is not None:
        parts.append(f"サービス終了日までの契約更新などのご相談は {contact.how_to_reach()} へご連絡ください。")
    return "".join(parts)
