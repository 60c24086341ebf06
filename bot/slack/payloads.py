"""Values that come back from Slack in buttons and modals, checked before use.

Button values and a modal's private_metadata are the bot's own when Slack
returns them, but a crafted request (a stale message, a leaked signing
secret, a bug) can carry anything. Each is parsed strictly here, and the
listeners check that what it names belongs where it was pressed: a question
id must be of the thread the button sits in, a case id must be the case of
the card pressed, a shared answer must be the presser's own.
"""

from __future__ import annotations

import re
from typing import Any, TypeGuard

from bot.desk.controls import parse_choice_value

_CHANNEL = re.compile(r"[CDG][A-Z0-9]{1,30}")
_TS = re.compile(r"[0-9]{1,12}\.[0-9]{1,9}")
_INTENT = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
NOTE_LIMIT = 1000
_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(value: Any) -> Any:
    """Slack's JSON with lone surrogates ("\\ud800") made storable: each becomes U+FFFD.

    json.loads accepts such escapes, and the first SQLite write or UTF-8 encode
    of the text would then fail.
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value



def parse_choice(value: Any) -> tuple[str, int | None] | None:
    """A did-you-mean button's (intent, question id)."""
    if not isinstance(value, str):
        return None
    try:
        intent, question_id = parse_choice_value(value)
    except ValueError:
        return None
    return (intent, question_id) if _INTENT.fullmatch(intent) else None


def is_channel(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(_CHANNEL.fullmatch(value))


def is_ts(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(_TS.fullmatch(value))


def question_is_here(question: dict[str, Any] | None, channel: str | None, root: str | None, ts: str | None) -> bool:
    """A logged question answered by the message pressed, or in the thread it sits in."""
    if question is None or question.get("channel") != channel:
        return False
    return (ts is not None and question.get("reply_ts") == ts) or (
        root is not None and question.get("thread_ts") == root
    )


def note_of(view: dict[str, Any], block_id: str, action_id: str) -> str:
    """The modal's optional note, cut to the length the input allows."""
    values = ((view.get("state") or {}).get("values") or {}).get(block_id) or {}
    value = (values.get(action_id) or {}).get("value") if isinstance(values, dict) else None
    return value[:NOTE_LIMIT] if isinstance(value, str) else ""
