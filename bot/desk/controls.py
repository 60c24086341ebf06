"""The bot's own controls: the ids of its buttons, modals and inputs, the values they carry,
and Slack's text markup escaped.

Shared by the workflows that read what a press carries and the adapter that renders the
controls (bot/slack/blocks.py) and routes presses to listeners: plain strings, no Slack types.
"""

from __future__ import annotations

import json
import re
from typing import Any

# action_id / callback_id values: the listeners register these.
FEEDBACK_RESOLVED = "feedback_resolved"
FEEDBACK_UNRESOLVED = "feedback_unresolved"
ESCALATE = "escalate"
# One button per candidate; action_ids must differ within a block, so the intent is appended.
CHOOSE_INTENT_PREFIX = "choose_intent:"
SHARE_ANSWER = "share_answer"
CASE_CLAIM = "case_claim"
CASE_RESOLVE = "case_resolve"
CASE_BOT_CORRECT = "case_bot_correct"
ESCALATE_SHORTCUT = "escalate_message"
ESCALATE_MODAL = "escalate_modal"
ESCALATE_NOTE_BLOCK = "note"
ESCALATE_NOTE_ACTION = "note_input"
# The staff's workbench (bot.desk.home, bot.desk.teaching) and PWP reminders (bot.desk.reminders).
HOME_CLAIM = "home_claim"
# One button per FAQ entry in App Home; the intent is appended, as for CHOOSE_INTENT_PREFIX.
HOME_ANSWER_PREFIX = "home_answer:"
TEACH_OPEN = "teach_open"
TEACH_MODAL = "teach_modal"
TEACH_INTENT_BLOCK = "intent"
TEACH_INTENT_ACTION = "intent_select"
REMIND_PWP = "remind_pwp"
REMINDER_CANCEL = "reminder_cancel"
# 「全文を見る」: the whole entry behind an answer, in a modal.
FULL_ENTRY = "full_entry"

KIND_LABELS = {
    "answer": "回答",
    "calculation": "計算",
    "did_you_mean": "候補の提示",
    "out_of_scope": "対象外",
    "smalltalk": "雑談",
}


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def choice_value(intent: str, question_id: int | None) -> str:
    return json.dumps({"intent": intent, "question": question_id}, ensure_ascii=False)


def parse_choice_value(value: str) -> tuple[str, int | None]:
    """What `choice_value` wrote; ValueError for anything else."""
    data = json.loads(value)
    intent, question = (data.get("intent"), data.get("question")) if isinstance(data, dict) else (None, None)
    if not isinstance(intent, str) or not (question is None or type(question) is int):
        raise ValueError("not a choice button value")
    return intent, question


def teach_value(kind: str, item_id: int) -> str:
    """What a teach button points at: "case:<id>" (a staff card) or "question:<id>" (App Home)."""
    return f"{kind}:{item_id}"


_ID = re.compile(r"[1-9][0-9]{0,15}")


def parse_id(value: Any) -> int | None:
    """A row id as the bot writes it into a button: a positive decimal, nothing else."""
    return int(value) if isinstance(value, str) and _ID.fullmatch(value) else None
