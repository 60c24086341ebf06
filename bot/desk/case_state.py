"""An escalated thread as a case, and the moves a case can make.

Pure: no Slack, no database. The escalation workflow stores what these
functions return and tells Slack about it; keeping the rules here lets them be
tested without either.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime

# The case record is stored, so it lives with the store (bot/store/cases.py); it is
# imported from here too, next to the moves it can make.
from bot.store.cases import Case, CaseStatus, Resolution, Via

__all__ = [
    "STATUS_LABELS",
    "VIA_LABELS",
    "Case",
    "CaseStatus",
    "NotStaff",
    "Resolution",
    "TransitionError",
    "Via",
    "claim",
    "escalate_again",
    "require_staff",
    "resolve",
]

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


class TransitionError(Exception):
    """A move the case cannot make; `message` is Japanese, shown to the staff member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotStaff(TransitionError):
    pass


def require_staff(user: str, staff: Container[str]) -> None:
    """`staff`: FAQBOT_STAFF_USERS, or bot.desk.staff.Staff (which also asks the staff user group)."""
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
