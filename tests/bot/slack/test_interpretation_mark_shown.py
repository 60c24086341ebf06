"""The bot's interpretations are shown as such on every surface, with no code of their own in bot/:
the mark is part of the Answer's text (issue 15)."""

from __future__ import annotations

import json
from datetime import datetime

from bot.slack.blocks import answer_body, staff_card_blocks, to_dicts
from bot.store.cases import Case
from intents import calculations
from knowledge.calendar import JST
from knowledge.models import INTERPRETATION_MARK

NOW = datetime(2027, 4, 1, 10, 0, tzinfo=JST)


def _answer():
    # After the PWP end date: the handbook names no procedure, the lead says so as the bot's reading.
    inputs = {"coverage_end": "2027-03-31", "years": 1, "care_level": None, "pwp_end": None, "pwp_status": None}
    return calculations.pwp_answer(inputs, NOW, 1.0, [])


def test_slack_reply_shows_the_mark() -> None:
    answer = _answer()
    assert INTERPRETATION_MARK in answer.lead
    assert INTERPRETATION_MARK in json.dumps(to_dicts(answer_body(answer)), ensure_ascii=False)


def test_staff_card_shows_the_mark() -> None:
    case = Case(id=1, channel="C1", thread_ts="1.0", question="PWPは？", answer=_answer(), escalated_by="U1", via="button",
                created_at=NOW, updated_at=NOW)
    assert INTERPRETATION_MARK in json.dumps(to_dicts(staff_card_blocks(case)), ensure_ascii=False)


def test_cli_text_shows_the_mark() -> None:
    assert INTERPRETATION_MARK in _answer().as_text()
