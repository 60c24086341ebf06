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
from knowledge.calculators.common import CalculatorInputError, CalculatorResult, fmt_date, sources_line
from knowledge.calculators.contact_routing import (
    ContactListResult,
    ContactMatch,
    describe_state,
    list_contacts,
    route_contact,
)
from knowledge.calculators.post_warranty import CARE_LABELS, PWP_STATUS_LABELS, compute_post_warranty
from knowledge.calculators.start_date import compute_start_date
from knowledge.calendar import firmware_deadline, installation_window
from knowledge.dates import parse_moment
from knowledge.models import ProductFamily, Purpose

PWP_INVITATION = (
    "保証・契約の終了日を書いていただければ、発注可能期間を計算します"
    "（例: 「2027/3/31に保証が切れるけどPWPはいつから？」、または /pwp 2027-03-31）。"
)
START_INVITATION = (
    "ハードウェアのご購入日と年数を書いていただければ、保守開始日・終了日を計算します"
    "（例: 「2026/5/10購入のサーバーに5年の保守」）。"
)
# Words before a date that mark it as the PWP end date from the end-date site (Q23).
_PWP_END_MARKERS = ("ポストワランティサービス終了", "ポストワランティサービスの終了", "終了日=", "終了日＝")
_DELIVERY_MARKERS = ("納品", "届い", "到着")
_CONTEXT_CHARS = 16
# Detail blocks that explain rather than answer: shown in the whole view only.
_BACKGROUND = ("前提:", "適用したルール:")


def invitation(intent: str) -> str:
    return {"Q22": PWP_INVITATION, "Q23": PWP_INVITATION, "Q19": START_INVITATION}.get(intent, "")


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
        f"ポストワランティの契約期間: {fmt_date(result.term_start)}～{fmt_date(result.term_end)}",
    ]
    return _answer("pwp", "ポストワランティサービスの発注可能期間", result, inputs, shown, facts,
                   [*result.reasons, result.next_action], confidence, alternatives)


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
        facts.append(f"保守終了日: {fmt_date(result.end_date)}")
    deadline = "（過ぎています）" if result.purchase_deadline_passed else f"（あと{result.days_left_to_purchase}日）"
    facts.append(f"サポートサービスの購入期限: {fmt_date(result.purchase_deadline)}{deadline}")
    if result.registration_deadline:
        overdue = "（過ぎています）" if result.registration_overdue else ""
        facts.append(f"登録期限（納品から1ヶ月）: {fmt_date(result.registration_deadline)}{overdue}")
    return _answer("start-date", "保守開始日・終了日", result, inputs, shown, facts, [], confidence, alternatives)


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
    lead = f"{result.purpose_label}の窓口は「{first.center}」{_reach(first)}です。{_state_sentence(first, result.at)}"
    alternative = first.after_hours_alternative
    if first.open_now is False and alternative and alternative.open_now:
        lead += f"24時間保証のネットワーク製品は「{alternative.center}」{_reach(alternative)}が受付中です。"
    details = ["\n".join(_match_lines(m)) for m in result.matches]
    if result.notes:
        details.append("\n".join(f"・{n}" for n in result.notes))
    if result.warnings:
        details.append("ご注意:\n" + "\n".join(f"・{w}" for w in result.warnings))
    details.append(f"前提: {result.assumptions}")
    details.append(f"適用したルール: {result.rule}")
    return _calculation_answer("contact", "お問い合わせ窓口", lead, "\n\n".join(details), result, inputs,
                               confidence, alternatives)


def contact_table_answer(result: ContactListResult, inputs: dict[str, Any], confidence: float,
                         alternatives: list[Candidate]) -> Answer:
    """Every desk with its state now: the answer when no purpose is given."""
    lead = (
        f"目的別のお問い合わせ窓口です（{_moment_text(result.at)} 時点の受付状況）。"
        "目的（修理、初期不良、使い方など）を書いていただければ、該当する窓口に絞ってご案内します。"
    )
    rows = [
        f"・{m.center}" + (f"（{m.purpose_label}）" if m.purpose_label != m.center else "") + f"{_reach(m)} — {describe_state(m)}"
        for m in result.contacts
    ]
    details = "\n".join(rows) + f"\n\n前提: {result.assumptions}"
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
    if m.open_now is None:
        return "受付時間はハンドブックに記載がありません。"
    if m.open_now:
        return f"{_moment_text(at)} は{describe_state(m)}です。"
    return f"{_moment_text(at)} は受付時間外です（次の受付開始: {_moment_text(m.next_open)}）。" if m.next_open else (
        f"{_moment_text(at)} は受付時間外です。"
    )


def _match_lines(m: ContactMatch) -> list[str]:
    lines = [f"■ {m.center}" + (f"（{m.purpose_label}）" if m.purpose_label != m.center else "")]
    lines += [f"・{p.label}: {p.number}" for p in m.phones]
    if m.email:
        lines.append(f"・Eメール: {m.email}")
    if m.fax:
        lines.append(f"・FAX: {m.fax}")
    if m.url:
        lines.append(f"・URL: {m.url}")
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
    when = f"あと{days_left}日" if days_left > 0 else ("今日まで" if days_left == 0 else "期限を過ぎています")
    lead = (
        f"作業予定日が {fmt_date(work_date)} の場合、アドバンストソリューションセンターへの連絡期限は "
        f"{fmt_date(result.contact_deadline)}（{result.lead_business_days}営業日前、{when}）です。"
    )
    details = [f"適用したルール: {result.rule}"]
    if days_left < 0:
        details.insert(0, "・連絡期限を過ぎているため、作業予定日の変更を含めてアドバンストソリューションセンターにご相談ください。")
    details.append("ご注意:\n" + "\n".join(f"・{w}" for w in result.warnings))
    inputs = {"work_date": work_date.isoformat()}
    return _calculation_answer(
        "firmware-deadline", "ファームウェアアップデートの連絡期限", lead, "\n\n".join(details), result, inputs,
        confidence, alternatives, intent="fw-option", source=result.citation.source,
    )


def installation_answer(applied_at: datetime, confidence: float, alternatives: list[Candidate]) -> Answer:
    """When installation / startup work can typically take place for an application at `applied_at`."""
    result = installation_window(applied_at)
    lead = (
        f"{_moment_text(result.applied_at)} のお申込みは {fmt_date(result.received_on)} 受付となり、作業実施の目安は "
        f"{fmt_date(result.earliest)}～{fmt_date(result.latest)}（受付から3～10営業日程度）です。"
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
    result: CalculatorResult,
    inputs: dict[str, Any],
    shown: list[str],
    facts: list[str],
    notes: list[str],
    confidence: float,
    alternatives: list[Candidate],
) -> Answer:
    details = ["計算結果:\n" + "\n".join(f"・{f}" for f in facts)]
    notes = [n for n in notes if n]
    if notes:
        details.append("\n".join(f"・{n}" for n in notes))
    if result.warnings:
        details.append("ご注意:\n" + "\n".join(f"・{w}" for w in result.warnings))
    details.append("読み取った条件:\n" + "\n".join(f"・{s}" for s in shown))
    details.append(f"適用したルール: {result.rule}")
    return _calculation_answer(calculator, title, result.lead(), "\n\n".join(details), result, inputs,
                               confidence, alternatives)


def _calculation_answer(calculator: str, title: str, lead: str, details: str, result: Any,
                        inputs: dict[str, Any], confidence: float, alternatives: list[Candidate], *,
                        intent: str | None = None, source: str | None = None) -> Answer:
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
    )


def from_entities(intent: str, entities: Entities, normalized: str, now: datetime, confidence: float,
                  alternatives: list[Candidate]) -> Answer | None:
    """The calculator answer for an intent whose inputs the question carries, else None."""
    if intent == "fw-option" and entities.dates:
        return firmware_answer(entities.dates[0].resolve(now.date(), "future"), now, confidence, alternatives)
    if intent == "Q17" and (entities.dates or entities.moment):
        day = entities.dates[0].resolve(now.date(), "future") if entities.dates else None
        applied_at = entities.moment or datetime.combine(day, now.timetz())
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
