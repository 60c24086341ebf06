"""bot.slack.block_json serialises exactly as slack_sdk's to_dict() does, and refuses what it refuses."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    Option,
    RichTextBlock,
    RichTextSectionElement,
    SectionBlock,
    StaticSelectElement,
)
from test_slack_blocks import make_case

from bot.desk.case_state import CaseStatus
from bot.desk.teaching import Target
from bot.slack import blocks
from bot.slack.block_json import json_dict
from bot.slack.teach_view import teach_modal
from intents.router import route
from knowledge.calendar import JST

DEV = Path(__file__).resolve().parents[2] / "data" / "dev.jsonl"
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=JST)


def same_as_slack_sdk(built) -> None:
    # Compared as JSON text: the same keys in the same order, not only equal dicts.
    assert json.dumps([json_dict(b) for b in built]) == json.dumps([b.to_dict() for b in built])


def test_block_json_every_answer_of_the_dev_set_renders_as_slack_sdk_does():
    kinds = set()
    for line in DEV.read_text(encoding="utf-8").splitlines():
        answer = route(json.loads(line)["text"], NOW)
        kinds.add(answer.kind)
        same_as_slack_sdk(blocks.answer_blocks(answer, 7))
        same_as_slack_sdk(blocks.command_answer_blocks(answer, 7))
        same_as_slack_sdk(blocks.shared_answer_blocks(answer, 7, "U1", "/faq 質問"))
        if answer.sections:
            modal = blocks.full_entry_modal(answer)
            same_as_slack_sdk(modal.blocks)
            modal.validate_json()  # Slack's view limits: title, 100 blocks
    # Every shape of answer went through: calculators, candidates, refusals, small talk.
    assert kinds == {"answer", "calculation", "did_you_mean", "out_of_scope", "smalltalk"}


def test_block_json_cards_usage_and_modals_render_as_slack_sdk_does():
    for status in CaseStatus:
        same_as_slack_sdk(blocks.staff_card_blocks(make_case(status=status, claimed_by="US")))
    same_as_slack_sdk(blocks.staff_card_blocks(make_case(answer=None, permalink=None)))
    same_as_slack_sdk(blocks.usage_blocks("/pwp", "「あした」は日付として読めません"))
    same_as_slack_sdk(blocks.escalate_modal("質問").blocks)
    # Option groups and options have serialisers of their own.
    target = Target(ref="question:1", text="質問", question_id=1, case=None, asked_at=NOW, bot_did="回答")
    same_as_slack_sdk(teach_modal(target, "home").blocks)


def test_block_json_confirm_dialogs_and_empty_lists_follow_slack_sdk():
    confirm = ConfirmObject(title="確認", text="送信しますか", confirm="はい", deny="いいえ")
    select = StaticSelectElement(action_id="s", options=[Option(value="a", label="A")], confirm=confirm)
    same_as_slack_sdk(
        [ActionsBlock(elements=[select, ButtonElement(text="押す", action_id="b", confirm=confirm)])]
    )
    # An empty list is dropped, except where Slack allows it (rich text elements).
    same_as_slack_sdk([SectionBlock(text="本文", fields=[])])
    assert json_dict(SectionBlock(text="本文", fields=[])).keys() == {"type", "text"}
    rich = RichTextBlock(elements=[RichTextSectionElement(elements=[])])
    same_as_slack_sdk([rich])
    assert json_dict(rich)["elements"] == [{"type": "rich_text_section", "elements": []}]


@pytest.mark.parametrize(
    "built",
    [
        ButtonElement(text="あ" * 75, action_id="b"),
        ButtonElement(text="あ" * 76, action_id="b"),
        ButtonElement(text="押す", action_id="b", value="a" * 2001),
        ActionsBlock(elements=[ButtonElement(text="押す", action_id=f"b{i}") for i in range(26)]),
        SectionBlock(text="あ" * 3001),
    ],
    ids=["label-75", "label-76", "value-2001", "26-buttons", "section-3001"],
)
def test_block_json_refuses_exactly_what_slack_sdk_refuses(built):
    try:
        expected = built.to_dict()
    except SlackObjectFormationError as refused:
        with pytest.raises(SlackObjectFormationError, match=str(refused)):
            json_dict(built)
    else:
        assert json.dumps(json_dict(built)) == json.dumps(expected)
