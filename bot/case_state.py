"""An escalated thread as a case, and the moves a case can make.

Pure: no Slack, no database. The escalation workflow stores what these
functions return and tells Slack about it; keeping the rules here lets them be
tested without either.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from intents.answer import Answer

# How a thread reached the staff: the 担当者に相談 button, the message
# shortcut, or the escalation emoji reaction.
Via = Literal["button", "shortcut", "reaction"]


class CaseStatus(StrEnum):
    open = "open"
    claimed = "claimed"
    resolved = "resolved"


class Resolution(StrEnum):
    # Staff settled it themselves.
    staff = "staff"
    # Staff confirmed the bot's answer was right (useful for evaluation).
    bot_correct = "bot_correct"


STATUS_LABELS = {
    CaseStatus.open: "未対応",
    CaseStatus.claimed: "対応中",
    CaseStatus.resolved: "解決済み",
}
VIA_LABELS = {
    "button": "「担当者に相談」ボタン",
    "shortcut": "メッセージショートカット",
    "reaction": "リアクション",
}


class Case(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    channel: str
    thread_ts: str
    status: CaseStatus = CaseStatus.open
    asked_by: str | None = None
    question: str = ""
    # The bot's last answer in the thread, if it gave one.
    answer: Answer | None = None
    escalated_by: str
    via: Via
    note: str = ""
    permalink: str | None = None
    # Where the staff card is, once posted (None: posting failed, retried on the next escalation).
    staff_channel: str | None = None
    staff_ts: str | None = None
    claimed_by: str | None = None
    resolved_by: str | None = None
    resolution: Resolution | None = None
    escalations: int = 1
    created_at: datetime
    updated_at: datetime


class TransitionError(Exception):
    """A move the case cannot make; `message` is Japanese, shown to the staff member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotStaff(TransitionError):
    pass


def require_staff(user: str, staff: Container[str]) -> None:
    """`staff`: FAQBOT_STAFF_USERS, or bot.staff.Staff (which also asks the staff user group)."""
    if user not in staff:
        raise NotStaff("この操作はサポート担当者のみ行えます（FAQBOT_STAFF_USERS または FAQBOT_STAFF_GROUP のメンバー）。")


def claim(case: Case, user: str, at: datetime) -> Case:
    """Take the case; another staff member may take over a case already claimed."""
    if case.status is CaseStatus.resolved:
        raise TransitionError("この案件はすでに解決済みです。")
    if case.status is CaseStatus.claimed and case.claimed_by == user:
        raise TransitionError("この案件はすでにあなたが担当しています。")
    return case.model_copy(update={"status": CaseStatus.claimed, "claimed_by": user, "updated_at": at})


def resolve(case: Case, user: str, at: datetime, resolution: Resolution) -> Case:
    if case.status is CaseStatus.resolved:
        raise TransitionError("この案件はすでに解決済みです。")
    return case.model_copy(
        update={
            "status": CaseStatus.resolved,
            "resolved_by": user,
            "resolution": resolution,
            # Resolving an unclaimed case means the resolver handled it.
            "claimed_by": case.claimed_by or user,
            "updated_at": at,
        }
    )


def escalate_again(case: Case, user: str, at: datetime) -> Case:
    """The thread is escalated once more: the same case, reopened if it was resolved."""
    update: dict = {"escalations": case.escalations + 1, "updated_at": at}
    if case.status is CaseStatus.resolved:
        update |= {
            "status": CaseStatus.open,
            "escalated_by": user,
            "claimed_by": None,
            "resolved_by": None,
            "resolution": None,
        }
    return case.model_copy(update=update)
