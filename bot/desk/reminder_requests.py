"""What the 「発注開始日にリマインド」 button carries: built from a PWP answer,
read back when the button is pressed.

Pure (no Slack, no database), so that bot.slack.blocks can put the button on answers
and bot.desk.reminders can act on it without importing each other.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from intents.answer import Answer
from knowledge.calculators.post_warranty import CARE_LABELS, PWP_STATUS_LABELS
from knowledge.models import PwpStatus

PWP_YEARS = (1, 2)
# What reminder_request writes: dates, 1年/2年, 終了日=…, 予定/確定/空欄 and the care levels; it is
# quoted back to the partner, so nothing else is let through.
_RECHECK = re.compile(r"[0-9A-Za-z\-=年終了日予定確定空欄ファウンデーションプロアクティブケア ]{1,100}")


@dataclass(frozen=True)
class ReminderRequest:
    window_start: date
    window_end: date
    coverage_end: date
    years: int
    # The /pwp arguments that recompute the answer, quoted in the reminder.
    recheck: str

    def to_value(self) -> str:
        return json.dumps(
            {
                "start": self.window_start.isoformat(),
                "end": self.window_end.isoformat(),
                "coverage": self.coverage_end.isoformat(),
                "years": self.years,
                "recheck": self.recheck,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_value(cls, value: object) -> ReminderRequest | None:
        """The request a button carries; None for a value this module did not build (stale or forged)."""
        try:
            data = json.loads(value)  # type: ignore[arg-type]
            request = cls(
                window_start=date.fromisoformat(data["start"]),
                window_end=date.fromisoformat(data["end"]),
                coverage_end=date.fromisoformat(data["coverage"]),
                years=data["years"],
                recheck=data["recheck"],
            )
        except (TypeError, KeyError, ValueError):
            return None
        valid = (
            request.window_start <= request.window_end <= request.coverage_end
            and type(request.years) is int
            and request.years in PWP_YEARS
            and isinstance(request.recheck, str)
            and _RECHECK.fullmatch(request.recheck) is not None
        )
        return request if valid else None


def reminder_request(answer: Answer) -> ReminderRequest | None:
    """The request for a PWP answer whose order window has not opened and whose term can be bought."""
    if answer.calculator != "pwp" or not answer.calculation:
        return None
    result = answer.calculation.get("result") or {}
    if result.get("state") != "not_yet_open" or result.get("verdict") == "not_orderable":
        return None
    inputs = answer.calculation.get("inputs") or {}
    recheck = [result["coverage_end"], f"{result['years']}年"]
    if inputs.get("pwp_end"):
        recheck.append(f"終了日={inputs['pwp_end']}")
        if inputs.get("pwp_status"):
            recheck.append(PWP_STATUS_LABELS[PwpStatus(inputs["pwp_status"])])
    if inputs.get("care_level"):
        recheck.append(CARE_LABELS[inputs["care_level"]])
    return ReminderRequest(
        window_start=date.fromisoformat(result["order_window_start"]),
        window_end=date.fromisoformat(result["order_window_end"]),
        coverage_end=date.fromisoformat(result["coverage_end"]),
        years=int(result["years"]),
        recheck=" ".join(recheck),
    )
