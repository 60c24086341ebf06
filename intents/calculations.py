"""From entities in a question to a calculator run, and from its result to an Answer.

The calculators (knowledge/calculators) are pure and exact; this module only
decides which date in the sentence is which input, and shows the inputs back
to the partner so a misreading is visible at once.
"""


from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from intents import date_roles
from intents.answer import Answer, Candidate
from intents.date_roles import Role
from intents.entities import Entities
from knowledge.calculators.common import CalculatorInputError, end_of_term, fmt_date, sources_line
from knowledge.calculators.contact_routing import (
    ContactListResult,
    ContactMatch,
    ContactRoutingResult,
    describe_state,
    find_product,
    list_contacts,
    route_contact,
    route_desk,
)
from knowledge.calculators.post_warranty import (
    CARE_LABELS,
    PWP_STATUS_LABELS,
    PostWarrantyResult,
    compute_post_warranty,
)
from knowledge.calculators.standard_warranty import find_series_warranty
from knowledge.calculators.start_date import (
    RegistrationResult,
    StartDateResult,
    compute_registration_deadline,
    compute_start_date,
)
from knowledge.calendar import firmware_deadline, installation_window
from knowledge.dates import parse_moment
from knowledge.loader import load_knowledge
from knowledge.models import ProductFamily, Purpose
from knowledge.provenance import guidance, interpretation

# Detail blocks that explain rather than answer: shown in the whole view only.
_BACKGROUND = ("前提:", "適用したルール:")


# Intents whose question, with a delivery date and no hardware date, asks for the registration deadline.
REGISTRATION_INTENTS = ("Q10", "Q5", "start-date", "pwp")


class MissingInput(CalculatorInputError):
    """The question lacks an input the calculator needs (the end date, the warranty years):
    it is answered with the entry that explains the rule, and this message asks for the input."""


def invitation(intent: str) -> str:
    """The invitation to give a date, after the FAQ entry a calculator explains (knowledge/data/provenance.yaml)."""
    kind = {"Q22": "pwp-invitation", "Q23": "pwp-invitation", "Q19": "start-invitation"}.get(intent)
    return guidance(kind) if kind else ""


# --- PWP -----------------------------------------------------------------------


def pwp_inputs(entities: Entities, normalized: str, today: date) -> dict[str, Any]:
    """The PWP calculator's inputs, each date by its role; a purchase date without an end date
    is chained: purchase + the standard warranty (stated, or the named model's Q4 row) or the
    stated contract term gives the end date the window counts from."""
    dated = date_roles.roles(entities, normalized, today)
    terms = date_roles.terms(normalized, dated)
    read = [d.describe() for d in dated]
    chain = ""
    pwp_end = date_roles.first(dated, Role.pwp_end)
    # Several end dates (the warranty's, then a contract's after it): the latest is the one running now.
    ends = [d for d in dated if d.role == Role.coverage_end]
    coverage_end = max(ends, key=lambda d: d.day) if ends else None
    if coverage_end is None:
        if (purchase := date_roles.first(dated, Role.purchase)) is not None:
            end, (chain, *steps) = _chained_coverage_end(purchase.day, terms, normalized)
            read += steps
        else:
            # No cue: the first date that is not some other event is the end date (「2027/3/31、PWPは？」).
            loose = next((d for d in dated if d.role in (None, Role.moment, Role.work, Role.order)), None)
            if loose is None:
                raise MissingInput("保証・契約の終了日が読み取れませんでした。例: /pwp 2027-03-31")
            end = loose.day
            read[dated.index(loose)] = (
                f"{fmt_date(end)}: 保証・契約の終了日として計算しました（「{loose.mention.text}」）"
            )
    else:
        end = coverage_end.day
    # A term other than 1 or 2 years in a PWP question is the current contract's, not the PWP's.
    years = terms.pwp or next(
        (y for y in (entities.years,) if y in (1, 2) and y not in (terms.warranty, terms.care)), 1
    )
    status = date_roles.pwp_status_of(pwp_end, entities.pwp_status) if pwp_end else None
    return {
        "coverage_end": end.isoformat(),
        "years": years,
        "care_level": entities.care_level,
        "pwp_end": pwp_end.day.isoformat() if pwp_end else None,
        "pwp_status": status.value if status else None,
        "read": read,
        "chain": chain,
    }


def _chained_coverage_end(purchase: date, terms: date_roles.Terms, normalized: str) -> tuple[date, list[str]]:
    """Purchase date + a term -> the end date, with each step as a line the partner can check."""
    if terms.care is not None:
        years, label, source = terms.care, "サポートサービスの期間", "ご質問に書かれたサポートサービスの期間"
    elif terms.warranty is not None:
        years, label, source = terms.warranty, "標準保証", "ご質問に書かれた製品標準保証の期間"
    elif (row := find_series_warranty(normalized, load_knowledge().tables.standard_warranty)) is not None:
        years, label = row.parts_years, f"{row.series} の標準保証"
        source = f"Q4 の標準保証表: {row.series} は部品{row.parts_years}年・オンサイト{row.onsite_years}年"
    else:
        # Q4's table has no network products; its note says where their warranties are listed.
        network = ""
        if find_product(normalized) in (ProductFamily.network, ProductFamily.aruba):
            note = load_knowledge().tables.standard_warranty_note or ""
            network = "".join(f"{s}。" for s in note.split("。") if "ネットワーク" in s)
        raise MissingInput(
            f"ご購入日 {fmt_date(purchase)} は読み取れましたが、保証・契約の終了日を計算するための年数（標準保証の年数、"
            "サポートサービスの期間）または機種名が分かりませんでした。例: 「2024/3/5購入、標準保証3年」、「DL360 Gen10」。"
            + network
        )
    end = end_of_term(purchase, years)
    return end, [
        f"ご購入日 {fmt_date(purchase)} と{label}{years}年から、保証・契約の終了日を {fmt_date(end)} として計算しました。",
        f"年数: {years}年（{source}）",
        f"保証・契約の終了日: {fmt_date(end)} = ご購入日 {fmt_date(purchase)} + {years}年 − 1日。"
        + interpretation("term-end", years=years),
    ]


def pwp_answer(
    inputs: dict[str, Any], now: datetime, confidence: float, alternatives: list[Candidate]
) -> Answer:
    today = now.date()
    result = compute_post_warranty(
        coverage_end=date.fromisoformat(inputs["coverage_end"]),
        today=today,
        years=inputs["years"],
        care_level=inputs.get("care_level"),
        pwp_end=date.fromisoformat(inputs["pwp_end"]) if inputs.get("pwp_end") else None,
        pwp_status=inputs.get("pwp_status"),
    )
    read = inputs.get("read") or []
    shown = [*read] if read else [f"保証・契約の終了日: {fmt_date(result.coverage_end)}"]
    shown += [f"ポストワランティの期間: {result.years}年", f"今日: {fmt_date(today)}"]
    if result.care_level:
        shown.append(f"保守レベル: {CARE_LABELS[result.care_level]}")
    if result.pwp_end and not read:
        status = f"（{PWP_STATUS_LABELS[result.pwp_status]}）" if result.pwp_status else ""
        shown.append(f"ポストワランティサービス終了日: {fmt_date(result.pwp_end)}{status}")
    facts = [
        f"発注可能期間: {fmt_date(result.order_window_start)}～{fmt_date(result.order_window_end)}",
    ]
    if result.state != "closed":
        facts.append(f"ポストワランティサービス契約期間: {fmt_date(result.term_start)}～{fmt_date(result.term_end)}")
    return _answer("pwp", "ポストワランティサービスの発注可能期間", result, inputs, shown, facts,
                   [*result.reasons, result.next_action], confidence, alternatives, inputs.get("chain", ""),
                   offer_human=result.offer_human)


# --- start date ------------------------------------------------------------------


def start_date_inputs(entities: Entities, normalized: str, today: date) -> dict[str, Any]:
    """Purchase, ship and delivery dates by their roles. An order date is shown but not used:
    the start is the purchase date on the warranty card, else derived from HPE's ship date (Q19, Q14)."""
    dated = date_roles.roles(entities, normalized, today)
    purchase = date_roles.first(dated, Role.purchase)
    ship = date_roles.first(dated, Role.ship)
    delivered = date_roles.first(dated, Role.delivery)
    read = [d.describe() for d in dated]
    if purchase is None and ship is None:
        # No cue: the first date that is no order stands for the hardware's date (a lone
        # delivery date is the hardware's delivery: 「12/1に納品したサーバー」).
        purchase = next((d for d in dated if d.role != Role.order), None)
        if purchase is None:
            raise MissingInput("ハードウェアのご購入日が読み取れませんでした。例: 2026/5/10購入、5年")
        delivered = None if purchase is delivered else delivered
        read[dated.index(purchase)] = (
            f"{fmt_date(purchase.day)}: ご購入日として計算しました（「{purchase.mention.text}」）"
        )
    if date_roles.first(dated, Role.order) is not None:
        read.append(
            "ご注文日は保守開始日の計算には使いません（保守開始日は保証書のご購入日、ない場合は当社出荷日から算出、Q19・Q14）"
        )
    terms = date_roles.terms(normalized, dated)
    return {
        "purchase": purchase.day.isoformat() if purchase else None,
        "ship_date": ship.day.isoformat() if ship else None,
        "years": terms.care or entities.years,
        "delivered": delivered.day.isoformat() if delivered else None,
        "read": read,
    }


def start_date_answer(
    inputs: dict[str, Any], now: datetime, confidence: float, alternatives: list[Candidate]
) -> Answer:
    today = now.date()
    years = inputs.get("years")
    result = compute_start_date(
        purchase=date.fromisoformat(inputs["purchase"]) if inputs.get("purchase") else None,
        ship_date=date.fromisoformat(inputs["ship_date"]) if inputs.get("ship_date") else None,
        years=years,
        delivered=date.fromisoformat(inputs["delivered"]) if inputs.get("delivered") else None,
        today=today,
    )
    basis = "ご購入日" if result.basis == "purchase_date" else "当社出荷日"
    # The dates as read with their roles; a recomputed follow-up shows its inputs plainly.
    shown = list(inputs.get("read") or [f"{basis}: {fmt_date(result.purchase_date or result.ship_date)}"])
    shown += [f"期間: {years}年" if years is not None else "期間: 指定なし", f"今日: {fmt_date(today)}"]
    if result.delivered and not inputs.get("read"):
        shown.append(f"サポートサービスの納品日: {fmt_date(result.delivered)}")
    facts = [f"保守開始日: {fmt_date(result.start_date)}"]
    if result.end_date:
        facts.append(f"サービス提供期間: {fmt_date(result.start_date)}～{fmt_date(result.end_date)}")
    deadline = "（購入不可）" if result.purchase_deadline_passed else f"（あと{result.days_left_to_purchase}日）"
    facts.append(f"サポートサービスの購入可能な最終日: {fmt_date(result.purchase_deadline)}{deadline}")
    if result.registration_deadline:
        overdue = "（過ぎています）" if result.registration_overdue else ""
        facts.append(f"登録期限（納品から一ヶ月以内）: {fmt_date(result.registration_deadline)}{overdue}")
    return _answer("start-date", "保守開始日・終了日", result, inputs, shown, facts, [], confidence, alternatives,
                   offer_human=result.offer_human)


def registration_inputs(entities: Entities, normalized: str, today: date) -> dict[str, Any] | None:
    """The delivery date of a registration-deadline question (「納品物が届いた、登録期限は？」), else None:
    a delivery date and no hardware or end date (with those, the start-date or PWP calculation answers)."""
    dated = date_roles.roles(entities, normalized, today)
    others = (Role.purchase, Role.ship, Role.coverage_end, Role.pwp_end)
    if any(d.role in others for d in dated) or "登録" not in normalized:
        return None
    delivered = date_roles.first(dated, Role.delivery)
    if delivered is None:
        return None
    return {"delivered": delivered.day.isoformat(), "read": [d.describe() for d in dated]}


def registration_answer(inputs: dict[str, Any], now: datetime, confidence: float, alternatives: list[Candidate]) -> Answer:
    result = compute_registration_deadline(date.fromisoformat(inputs["delivered"]), now.date())
    shown = [*inputs["read"], f"今日: {fmt_date(now.date())}"]
    facts = [f"登録期限（納品から一ヶ月以内）: {fmt_date(result.registration_deadline)}"]
    return _answer("registration-deadline", "サービス登録の期限", result, inputs, shown, facts, [], confidence,
                   alternatives, intent="start-date")


# --- contact -----------------------------------------------------------------------


def contact_inputs(
    entities: Entities, normalized: str, now: datetime, desk: str | None = None
) -> dict[str, Any]:
    """Purpose, product, the moment asked about (a date with its time of day, else now),
    the delivery date (for the one-week 初期不良 row) and a desk the question names."""
    dated = date_roles.roles(entities, normalized, now.date())
    delivered = date_roles.first(dated, Role.delivery)
    at = date_roles.contact_moment(entities, dated, normalized, now)
    # A delivery without a year happened before the moment asked about (「12/30に連絡、納品は12/25」).
    if delivered is not None:
        moved = dataclasses.replace(delivered, day=delivered.mention.resolve(at.date(), "past"))
        dated = tuple(moved if d is delivered else d for d in dated)
        delivered = moved
    return {
        "purpose": entities.purposes[0].value if entities.purposes else None,
        "warranty_24h": "24時間保証" in normalized,
        "product": entities.products[0].value if entities.products else None,
        "at": at.isoformat(),
        "delivered": delivered.day.isoformat() if delivered else None,
        "desk": desk,
        "read": [d.describe() for d in dated],
    }


def contact_answer(
    inputs: dict[str, Any], now: datetime, confidence: float, alternatives: list[Candidate]
) -> Answer:
    at = parse_moment(inputs["at"])
    if inputs.get("desk"):
        return desk_answer(inputs, at, confidence, alternatives)
    if inputs.get("purpose") is None:
        return contact_table_answer(list_contacts(at), inputs, confidence, alternatives)
    result = route_contact(
        Purpose(inputs["purpose"]),
        ProductFamily(inputs["product"]) if inputs.get("product") else None,
        at,
        date.fromisoformat(inputs["delivered"]) if inputs.get("delivered") else None,
        warranty_24h=bool(inputs.get("warranty_24h")),
    )
    first = result.matches[0]
    # P20's quick rescue row holds only within a week of delivery: the lead always says so.
    center = f"{first.center}（納品後一週間以内）" if first.id == "quick-rescue" else first.center
    if first.id == "quick-rescue" and result.offer_human:
        # The week after delivery has passed: what P20 says, not an instruction to call.
        lead = f"{result.purpose_label}のお問い合わせ窓口は、{center}です。"
    else:
        lead = f"{result.purpose_label}は「{center}」{_reach(first)}へご連絡ください。"
    lead += _hours_sentence(first) + "".join(result.lead_notes) + _state_sentence(first, result.at)
    alternative = first.after_hours_alternative
    if first.open_now is False and alternative and alternative.open_now:
        lead += f"24時間保証ネットワーク製品は「{alternative.center}」{_reach(alternative)}が受付中です。"
    return _contact_reply(lead, result, inputs, confidence, alternatives)


def desk_answer(
    inputs: dict[str, Any], at: datetime, confidence: float, alternatives: list[Candidate]
) -> Answer:
    """The desk the partner named, its phones and hours, and its state at the moment asked about."""
    result = route_desk(
        inputs["desk"],
        at,
        delivered=date.fromisoformat(inputs["delivered"]) if inputs.get("delivered") else None,
    )
    m = result.matches[0]
    lead = f"「{m.center}」の連絡先は{_reach(m).strip('（）')}です。{_hours_sentence(m)}"
    lead += "".join(result.lead_notes) + _state_sentence(m, result.at)
    return _contact_reply(lead, result, inputs, confidence, alternatives)


def _contact_reply(
    lead: str, result: ContactRoutingResult, inputs: dict[str, Any], confidence: float, alternatives: list[Candidate]
) -> Answer:
    """A routed desk's reply: the lead, each desk matched, notes, what was read; the assumptions
    and the rule for the whole view."""
    if result.offer_human and "おつなぎ" not in lead:
        lead += guidance("offer-human")
    details = ["\n".join(_match_lines(m)) for m in result.matches]
    if result.notes:
        details.append("\n".join(f"・{n}" for n in result.notes))
    if result.warnings:
        details.append("ご注意:\n" + "\n".join(f"・{w}" for w in result.warnings))
    details += _read_block(inputs)
    details.append(f"前提: {result.assumptions}")
    details.append(f"適用したルール: {result.rule}")
    return _calculation_answer("contact", "お問い合わせ窓口", lead, "\n\n".join(details), result, inputs,
                               confidence, alternatives, offer_human=result.offer_human)


def _read_block(inputs: dict[str, Any]) -> list[str]:
    """The dates a contact question gave, each with the role it was read as; none when it gave none."""
    read = inputs.get("read") or []
    return ["読み取った条件:\n" + "\n".join(f"・{line}" for line in read)] if read else []


def _hours_sentence(m: ContactMatch) -> str:
    """「受付時間は月～金 9:00~17:00です。」: a lead always gives the desk's hours, not only whether it is open."""
    return f"受付時間は{m.hours_text.removeprefix('受付時間').strip()}です。" if m.open_now is not None else ""


def contact_table_answer(result: ContactListResult, inputs: dict[str, Any], confidence: float,
                         alternatives: list[Candidate]) -> Answer:
    """Every desk with its state now, grouped as P20 groups them: the answer when no purpose is given."""
    lead = f"お問い合わせ窓口情報です（{_moment_text(result.at)} 現在）。{guidance('contact-overview')}"
    by_id = {m.id: m for m in result.contacts}
    blocks = []
    for group in result.groups:
        heading = f"■ {group.section}：{group.title}" if group.section else f"■ {group.title}"
        rows = []
        for cid in group.ids:
            m = by_id[cid]
            label = f"（{m.purpose_label}）" if m.purpose_label not in (m.center, group.title) else ""
            hours = f" {m.hours_text}" if m.hours_text else ""
            state = f" — {describe_state(m)}" if describe_state(m) else ""
            rows.append(f"・{m.center}{label}{_reach(m)}{hours}{state}")
        blocks.append("\n".join([heading, *rows]))
    details = "\n\n".join(blocks) + f"\n\n前提: {result.assumptions}"
    return _calculation_answer("contact", "お問い合わせ窓口一覧", lead, details, result, inputs, confidence, alternatives)


def _reach(m: ContactMatch) -> str:
    parts = [p.number for p in m.phones]
    if m.email:
        parts.append(m.email)
    if m.fax:
        parts.append(f"FAX {m.fax}")
    return f"（{' / '.join(parts)}）" if parts else ""


def _moment_text(at: datetime) -> str:
    return f"{fmt_date(at.date())} {at.hour}:{at.minute:02d}"


def _state_sentence(m: ContactMatch, at: datetime) -> str:
    """「… は受付中（… まで）です。」; nothing for a desk whose hours the source does not give."""
    if m.open_now is None:
        return ""
    return f"{_moment_text(at)} は{describe_state(m)}です。"


def _match_lines(m: ContactMatch) -> list[str]:
    lines = [f"■ {m.center}" + (f"（{m.purpose_label}）" if m.purpose_label != m.center else "")]
    lines += [f"・{p.label}: {p.number}" for p in m.phones]
    if m.email:
        lines.append(f"・Eメール: {m.email}")
    if m.fax:
        lines.append(f"・FAX: {m.fax}")
    if m.url:
        lines.append(f"・URL: {m.url}")
    if m.hours_text:
        lines.append(f"・受付時間: {m.hours_text} — {describe_state(m)}")
    lines += [f"・{n}" for n in m.notes]
    if m.after_hours_alternative:
        alt = m.after_hours_alternative
        lines.append(f"・時間外: {alt.center}{_reach(alt)} {alt.hours_text} — {describe_state(alt)}")
    return lines


# --- firmware option lead time, installation window (business days) ---------------------


def firmware_answer(work_date: date, now: datetime, confidence: float, alternatives: list[Candidate]) -> Answer:
    """The last day to contact the Advanced Solution Center for a firmware update on `work_date`."""
    result = firmware_deadline(work_date)
    days_left = (result.contact_deadline - now.date()).days
    when = f"（あと{days_left}日）" if days_left > 0 else ""
    lead = (
        f"アドバンストソリューションセンターへのご連絡は、作業予定日（{fmt_date(work_date)}）の"
        f"{result.lead_business_days}営業日前の {fmt_date(result.contact_deadline)} までです{when}。"
    )
    if days_left < 0:
        # The spec says nothing about a late notice: a person takes over.
        lead += interpretation("fw-deadline-passed")
    details = [f"適用したルール: {result.rule}"]
    if result.warnings:
        details.append("ご注意:\n" + "\n".join(f"・{w}" for w in result.warnings))
    inputs = {"work_date": work_date.isoformat()}
    return _calculation_answer(
        "firmware-deadline", "ファームウェアアップデートの連絡期限", lead, "\n\n".join(details), result, inputs,
        confidence, alternatives, intent="fw-option", source=result.citation.source, offer_human=days_left < 0,
    )


def installation_answer(applied_at: datetime, confidence: float, alternatives: list[Candidate]) -> Answer:
    """When installation / startup work can typically take place for an application at `applied_at`."""
    result = installation_window(applied_at)
    lead = (
        f"{_moment_text(result.applied_at)} のお申込みは {fmt_date(result.received_on)} の受付扱いです。"
        f"作業実施日の目安: {fmt_date(result.earliest)}～{fmt_date(result.latest)}（最短で3営業日～10営業日程度）。"
        + interpretation("installation-window")
    )
    details = [f"適用したルール: {result.rule}", "ご注意:\n" + "\n".join(f"・{w}" for w in result.warnings)]
    inputs = {"applied_at": result.applied_at.isoformat()}
    return _calculation_answer(
        "installation-window", "インストレーション／スタートアップの作業日の目安", lead, "\n\n".join(details), result,
        inputs, confidence, alternatives, intent="Q17", source=result.citation.source,
    )


# --- shared ---------------------------------------------------------------------------


def _answer(
    calculator: str,
    title: str,
    result: PostWarrantyResult | StartDateResult | RegistrationResult,
    inputs: dict[str, Any],
    shown: list[str],
    facts: list[str],
    notes: list[str],
    confidence: float,
    alternatives: list[Candidate],
    assumption: str = "",
    intent: str | None = None,
    offer_human: bool = False,
) -> Answer:
    """A calculator's reply; `assumption` is a derived input said in the lead (a chained end date);
    `intent` defaults to the calculator."""
    details = ["計算結果:\n" + "\n".join(f"・{f}" for f in facts)]
    notes = [n for n in notes if n]
    if notes:
        details.append("\n".join(f"・{n}" for n in notes))
    if result.warnings:
        details.append("ご注意:\n" + "\n".join(f"・{w}" for w in result.warnings))
    details.append("読み取った条件:\n" + "\n".join(f"・{s}" for s in shown))
    details.append(f"適用したルール: {result.rule}")
    lead = result.lead() + assumption
    if offer_human and "おつなぎ" not in lead:
        lead += guidance("offer-human")
    return _calculation_answer(calculator, title, lead, "\n\n".join(details), result, inputs,
                               confidence, alternatives, intent=intent, offer_human=offer_human)


def _calculation_answer(calculator: str, title: str, lead: str, details: str, result: Any,
                        inputs: dict[str, Any], confidence: float, alternatives: list[Candidate], *,
                        intent: str | None = None, source: str | None = None, offer_human: bool = False) -> Answer:
    """A calculator's Answer; `intent` defaults to the calculator, `source` to the result's citations.

    The assumptions and the rule applied are the long part: they go to the whole view
    (`sections`), the thread keeps the lead, the figures and what was read.
    """
    blocks = details.split("\n\n")
    background = [b for b in blocks if b.startswith(_BACKGROUND)]
    return Answer(
        kind="calculation",
        intent=intent or calculator,
        confidence=confidence,
        title=title,
        lead=lead,
        details="\n\n".join(b for b in blocks if not b.startswith(_BACKGROUND)),
        sections=[("", lead), ("", details)] if background else [],
        source=source or sources_line(result.citations),
        alternatives=alternatives,
        calculator=calculator,  # type: ignore[arg-type]
        calculation={"inputs": inputs, "result": result.model_dump(mode="json")},
        offer_human=offer_human,
    )


def _work_date(entities: Entities, normalized: str, today: date) -> date | None:
    """The work date of a firmware-update question: not a date that is the moment of a call
    (「今日センターに相談したい」) nor a past event."""
    dated = date_roles.roles(entities, normalized, today)
    work = date_roles.first(dated, Role.work) or next((d for d in dated if d.role is None), None)
    return work.mention.resolve(today, "future") if work else None


def from_entities(
    intent: str,
    entities: Entities,
    normalized: str,
    now: datetime,
    confidence: float,
    alternatives: list[Candidate],
    desk: str | None = None,
) -> Answer | None:
    """The calculator answer for an intent whose inputs the question carries, else None."""
    if intent == "fw-option" and (work := _work_date(entities, normalized, now.date())):
        return firmware_answer(work, now, confidence, alternatives)
    if intent == "Q17" and (entities.dates or entities.moment):
        applied_at = entities.moment or datetime.combine(entities.dates[0].resolve(now.date(), "future"), now.timetz())
        return installation_answer(applied_at, confidence, alternatives)
    if intent in REGISTRATION_INTENTS and entities.dates and (
        registration := registration_inputs(entities, normalized, now.date())
    ):
        return registration_answer(registration, now, confidence, alternatives)
    if intent == "pwp" and entities.dates:
        return pwp_answer(pwp_inputs(entities, normalized, now.date()), now, confidence, alternatives)
    if intent == "start-date" and entities.dates:
        return start_date_answer(
            start_date_inputs(entities, normalized, now.date()), now, confidence, alternatives
        )
    if intent == "contact":
        return contact_answer(contact_inputs(entities, normalized, now, desk), now, confidence, alternatives)
    return None


def follow_up(last: Answer, entities: Entities, normalized: str, now: datetime) -> Answer | None:
    """The thread's last calculation again, with what this message changes; None if it changes nothing."""
    if last.calculator is None and last.intent in ("Q22", "Q23") and entities.dates:
        return from_entities("pwp", entities, normalized, now, last.confidence, [])
    if last.calculator is None and last.intent == "Q19" and entities.dates:
        return from_entities("start-date", entities, normalized, now, last.confidence, [])
    if last.calculator is None or not last.calculation:
        return None
    inputs = dict(last.calculation["inputs"])
    before = dict(inputs)
    # The dates read from the first message no longer describe what a follow-up recomputes.
    inputs.pop("read", None)
    before.pop("read", None)
    today = now.date()
    if last.calculator == "pwp":
        if entities.years in (1, 2):
            inputs["years"] = entities.years
        if entities.care_level:
            inputs["care_level"] = entities.care_level
        if entities.pwp_status and entities.dates:
            inputs["pwp_end"] = entities.dates[-1].resolve(today).isoformat()
            inputs["pwp_status"] = entities.pwp_status.value
        elif entities.pwp_status and inputs.get("pwp_end"):
            inputs["pwp_status"] = entities.pwp_status.value
        elif entities.dates:
            inputs["coverage_end"] = entities.dates[0].resolve(today).isoformat()
        if inputs != before:
            return pwp_answer(inputs, now, last.confidence, [])
    elif last.calculator == "start-date":
        if entities.years:
            inputs["years"] = entities.years
        if entities.dates:
            key = "ship_date" if inputs.get("ship_date") else "purchase"
            inputs[key] = entities.dates[0].resolve(today, "past").isoformat()
        if inputs != before:
            return start_date_answer(inputs, now, last.confidence, [])
    elif last.calculator == "contact":
        if entities.purposes:
            inputs["purpose"] = entities.purposes[0].value
        if entities.products:
            inputs["product"] = entities.products[0].value
        if entities.moment:
            inputs["at"] = entities.moment.isoformat()
        if inputs != before:
            return contact_answer(inputs, now, last.confidence, [])
    return None

