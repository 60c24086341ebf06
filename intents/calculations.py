"""From entities in a question to a calculator run, and from its result to an Answer.

The calculators (knowledge/calculators) are pure and exact; this module only
decides which date in the sentence is which input, and shows the inputs back
to the partner so a misreading is visible at once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from intents.answer import Answer, Candidate
from intents.entities import DateMention, Entities
from knowledge.calculators.common import CalculatorInputError, fmt_date, sources_line
from knowledge.calculators.contact_routing import (
    ContactListResult,
    ContactMatch,
    describe_state,
    list_contacts,
    route_contact,
)
from knowledge.calculators.post_warranty import (
    CARE_LABELS,
    PWP_STATUS_LABELS,
    PostWarrantyResult,
    compute_post_warranty,
)
from knowledge.calculators.start_date import StartDateResult, compute_start_date
from knowledge.calendar import firmware_deadline, installation_window
from knowledge.dates import parse_moment
from knowledge.models import ProductFamily, Purpose
from knowledge.provenance import guidance, interpretation

# Words before a date that mark it as the PWP end date from the end-date site (Q23).
_PWP_END_MARKERS = ("ポストワランティサービス終了", "ポストワランティサービスの終了", "終了日=", "終了日＝")
_DELIVERY_MARKERS = ("納品", "届い", "到着")
_CONTEXT_CHARS = 16
# Detail blocks that explain rather than answer: shown in the whole view only.
_BACKGROUND = ("前提:", "適用したルール:")


def invitation(intent: str) -> str:
    """The invitation to give a date, after the FAQ entry a calculator explains (knowledge/data/provenance.yaml)."""
    kind = {"Q22": "pwp-invitation", "Q23": "pwp-invitation", "Q19": "start-invitation"}.get(intent)
    return guidance(kind) if kind else ""


def _before(text: str, mention: DateMention) -> str:
    return text[max(0, mention.start - _CONTEXT_CHARS) : mention.start]


# --- PWP -----------------------------------------------------------------------


def pwp_inputs(entities: Entities, normalized: str, today: date) -> dict[str, Any]:
    coverage_end: DateMention | None = None
    pwp_end: DateMention | None = None
    for mention in entities.dates:
        if pwp_end is None and any(m in _before(normalized, mention) for m in _PWP_END_MARKERS) and coverage_end:
            pwp_end = mention
        elif coverage_end is None:
            coverage_end = mention
        elif pwp_end is None and entities.pwp_status is not None:
            pwp_end = mention
    if coverage_end is None:
        raise CalculatorInputError("保証・契約の終了日が読み取れませんでした。例: /pwp 2027-03-31")
    # A term other than 1 or 2 years in a PWP question is the current contract's, not the PWP's.
    years = entities.years if entities.years in (1, 2) else 1
    return {
        "coverage_end": coverage_end.resolve(today, "nearest").isoformat(),
        "years": years,
        "care_level": entities.care_level,
        "pwp_end": pwp_end.resolve(today, "future").isoformat() if pwp_end else None,
        "pwp_status": entities.pwp_status.value if entities.pwp_status and pwp_end else None,
    }


def pwp_answer(inputs: dict[str, Any], now: datetime, confidence: float, alternatives: list[Candidate]) -> Answer:
    today = now.date()
    result = compute_post_warranty(
        coverage_end=date.fromisoformat(inputs["coverage_end"]),
        today=today,
        years=inputs["years"],
        care_level=inputs.get("care_level"),
        pwp_end=date.fromisoformat(inputs["pwp_end"]) if inputs.get("pwp_end") else None,
        pwp_status=inputs.get("pwp_status"),
    )
    shown = [
        f"保証・契約の終了日: {fmt_date(result.coverage_end)}",
        f"ポストワランティの期間: {result.years}年",
        f"今日: {fmt_date(today)}",
    ]
    if result.care_level:
        shown.append(f"保守レベル: {CARE_LABELS[result.care_level]}")
    if result.pwp_end:
        status = f"（{PWP_STATUS_LABELS[result.pwp_status]}）" if result.pwp_status else ""
        shown.append(f"ポストワランティサービス終了日: {fmt_date(result.pwp_end)}{status}")
    facts = [
        f"発注可能期間: {fmt_date(result.order_window_start)}～{fmt_date(result.order_window_end)}",
    ]
    if result.state != "closed":
        facts.append(f"ポストワランティサービス契約期間: {fmt_date(result.term_start)}～{fmt_date(result.term_end)}")
    return _answer("pwp", "ポストワランティサービスの発注可能期間", result, inputs, shown, facts,
                   [*result.reasons, result.next_action], confidence, alternatives, offer_human=result.offer_human)


# --- start date ------------------------------------------------------------------


def start_date_inputs(entities: Entities, normalized: str, today: date) -> dict[str, Any]:
    hardware: DateMention | None = None
    delivered: DateMention | None = None
    for mention in entities.dates:
        if delivered is None and hardware is not None and any(m in _before(normalized, mention) for m in _DELIVERY_MARKERS):
            delivered = mention
        elif hardware is None:
            hardware = mention
    if hardware is None:
        raise CalculatorInputError("ハードウェアのご購入日が読み取れませんでした。例: 2026/5/10購入、5年")
    ship_only = "出荷" in normalized and "購入" not in normalized
    hardware_date = hardware.resolve(today, "past").isoformat()
    return {
        "purchase": None if ship_only else hardware_date,
        "ship_date": hardware_date if ship_only else None,
        "years": entities.years,
        "delivered": delivered.resolve(today, "past").isoformat() if delivered else None,
    }


def start_date_answer(inputs: dict[str, Any], now: datetime, confidence: float, alternatives: list[Candidate]) -> Answer:
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
    shown = [f"{basis}: {fmt_date(result.purchase_date or result.ship_date)}", f"今日: {fmt_date(today)}"]
    shown.insert(1, f"期間: {years}年" if years is not None else "期間: 指定なし")
    if result.delivered:
        shown.append(f"サポートサービスの納品日: {fmt_date(result.delivered)}")
    facts = [f"保守開始日: {fmt_date(result.start_date)}"]
    if result.end_date:
        facts.append(f"サービス提供期間: {fmt_date(result.start_date)}～{fmt_date(result.end_date)}")
    deadline = "（購入不可）" if result.purchase_deadline_passed else f"（あと{result.days_left_to_purchase}日）"
    facts.append(f"サポートサービスの購入可能な最終日: {fmt_date(result.purchase_deadline)}{deadline}")
    if result.registration_deadline:
        facts.append(f"登録期限（納品から一ヶ月以内）: {fmt_date(result.registration_deadline)}")
    return _answer("start-date", "保守開始日・終了日", result, inputs, shown, facts, [], confidence, alternatives,
                   offer_human=result.offer_human)


# --- contact -----------------------------------------------------------------------


def contact_inputs(entities: Entities, normalized: str, now: datetime) -> dict[str, Any]:
    delivered = next((d for d in entities.dates if any(m in _before(normalized, d) for m in _DELIVERY_MARKERS)), None)
    return {
        "purpose": entities.purposes[0].value if entities.purposes else None,
        "warranty_24h": "24時間保証" in normalized,
        "product": entities.products[0].value if entities.products else None,
        "at": (entities.moment or now).isoformat(),
        "delivered": delivered.resolve(now.date(), "past").isoformat() if delivered else None,
    }


def contact_answer(inputs: dict[str, Any], now: datetime, confidence: float, alternatives: list[Candidate]) -> Answer:
    at = parse_moment(inputs["at"])
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
    lead += "".join(result.lead_notes) + _state_sentence(first, result.at)
    alternative = first.after_hours_alternative
    if first.open_now is False and alternative and alternative.open_now:
        lead += f"24時間保証ネットワーク製品は「{alternative.center}」{_reach(alternative)}が受付中です。"
    if result.offer_human and "おつなぎ" not in lead:
        lead += guidance("offer-human")
    details = ["\n".join(_match_lines(m)) for m in result.matches]
    if result.notes:
        details.append("\n".join(f"・{n}" for n in result.notes))
    if result.warnings:
        details.append("ご注意:\n" + "\n".join(f"・{w}" for w in result.warnings))
    details.append(f"前提: {result.assumptions}")
    details.append(f"適用したルール: {result.rule}")
    return _calculation_answer("contact", "お問い合わせ窓口", lead, "\n\n".join(details), result, inputs,
                               confidence, alternatives, offer_human=result.offer_human)


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
    result: PostWarrantyResult | StartDateResult,
    inputs: dict[str, Any],
    shown: list[str],
    facts: list[str],
    notes: list[str],
    confidence: float,
    alternatives: list[Candidate],
    offer_human: bool = False,
) -> Answer:
    details = ["計算結果:\n" + "\n".join(f"・{f}" for f in facts)]
    notes = [n for n in notes if n]
    if notes:
        details.append("\n".join(f"・{n}" for n in notes))
    if result.warnings:
        details.append("ご注意:\n" + "\n".join(f"・{w}" for w in result.warnings))
    details.append("読み取った条件:\n" + "\n".join(f"・{s}" for s in shown))
    details.append(f"適用したルール: {result.rule}")
    lead = result.lead()
    if offer_human and "おつなぎ" not in lead:
        lead += guidance("offer-human")
    return _calculation_answer(calculator, title, lead, "\n\n".join(details), result, inputs,
                               confidence, alternatives, offer_human=offer_human)


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


def from_entities(intent: str, entities: Entities, normalized: str, now: datetime, confidence: float,
                  alternatives: list[Candidate]) -> Answer | None:
    """The calculator answer for an intent whose inputs the question carries, else None."""
    if intent == "fw-option" and entities.dates:
        return firmware_answer(entities.dates[0].resolve(now.date(), "future"), now, confidence, alternatives)
    if intent == "Q17" and (entities.dates or entities.moment):
        applied_at = entities.moment or datetime.combine(entities.dates[0].resolve(now.date(), "future"), now.timetz())
        return installation_answer(applied_at, confidence, alternatives)
    if intent == "pwp" and entities.dates:
        return pwp_answer(pwp_inputs(entities, normalized, now.date()), now, confidence, alternatives)
    if intent == "start-date" and entities.dates:
        return start_date_answer(start_date_inputs(entities, normalized, now.date()), now, confidence, alternatives)
    if intent == "contact":
        return contact_answer(contact_inputs(entities, normalized, now), now, confidence, alternatives)
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
