"""Arguments of /pwp and /contact, read into the calculator inputs the router's
renderers take (intents.calculations), so a slash command and a question in a
thread produce the same answer and the same follow-up context.

Pure: a bad argument raises UsageError with one Japanese line for the user.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from knowledge.calculators.common import CalculatorInputError
from knowledge.calculators.contact_routing import parse_product, parse_purpose
from knowledge.calculators.post_warranty import parse_care_level, parse_pwp_status
from knowledge.dates import DateInputError, parse_date


class UsageError(ValueError):
    """str() is one Japanese line saying what was wrong; usage help follows it."""


_PWP_END_KEYS = ("終了日", "pwp終了日", "提供終了日")
_DELIVERED_KEYS = ("納品日", "納品")


def _tokens(text: str) -> list[str]:
    # NFKC folds full-width digits, spaces and ＝ typed on Japanese keyboards.
    return unicodedata.normalize("NFKC", text or "").split()


def _key_value(token: str, keys: tuple[str, ...]) -> str | None:
    key, sep, value = token.partition("=")
    if sep and key.lower() in keys:
        return value
    return None


def _date(text: str, what: str) -> str:
    try:
        return parse_date(text).isoformat()
    except DateInputError as exc:
        raise UsageError(f"{what}: {exc}") from None


def pwp_inputs(text: str) -> dict[str, Any]:
    """`2027-03-31 [2年] [終了日=2029-01-31] [予定|確定] [FC|PC]` -> pwp inputs."""
    inputs: dict[str, Any] = {
        "coverage_end": None,
        "years": 1,
        "care_level": None,
        "pwp_end": None,
        "pwp_status": None,
    }
    for token in _tokens(text):
        if (value := _key_value(token, _PWP_END_KEYS)) is not None:
            inputs["pwp_end"] = _date(value, "ポストワランティサービス終了日")
        elif token.endswith("年") and token[:-1].isdigit():
            years = int(token[:-1])
            if years not in (1, 2):
                raise UsageError(f"ポストワランティの期間は1年か2年です（「{token}」は指定できません）。")
            inputs["years"] = years
        elif token in ("予定", "確定", "空欄"):
            status = parse_pwp_status(token)
            assert status is not None  # one of the words just matched
            inputs["pwp_status"] = status.value
        elif _is_care_level(token):
            inputs["care_level"] = parse_care_level(token)
        elif inputs["coverage_end"] is None:
            inputs["coverage_end"] = _date(token, "保証・契約の終了日")
        else:
            raise UsageError(f"「{token}」を読み取れませんでした。")
    if inputs["coverage_end"] is None:
        raise UsageError("保証・契約の終了日を指定してください。")
    if inputs["pwp_status"] and not inputs["pwp_end"]:
        raise UsageError("予定・確定は、ポストワランティサービス終了日（終了日=…）と一緒に指定してください。")
    return inputs


def _is_care_level(token: str) -> bool:
    try:
        parse_care_level(token)
    except CalculatorInputError:
        return False
    return True


def contact_inputs(text: str, now: datetime) -> dict[str, Any]:
    """`[用途] [製品] [納品日=DATE]` -> contact inputs; no purpose means the whole table."""
    product = None
    delivered = None
    purpose_words: list[str] = []
    for token in _tokens(text):
        if (value := _key_value(token, _DELIVERED_KEYS)) is not None:
            delivered = _date(value, "納品日")
            continue
        if product is None:
            try:
                family = parse_product(token)
            except CalculatorInputError:
                family = None
            if family is not None:
                product = family.value
                continue
        purpose_words.append(token)
    purpose = None
    if purpose_words:
        try:
            purpose = parse_purpose(" ".join(purpose_words)).value
        except CalculatorInputError as exc:
            raise UsageError(str(exc)) from None
    if purpose is None and (product or delivered):
        raise UsageError("用途（修理、初期不良、使い方など）を指定してください。")
    return {"purpose": purpose, "product": product, "at": now.isoformat(), "delivered": delivered}
