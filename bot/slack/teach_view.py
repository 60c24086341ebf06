"""The teach modal: a searchable select of every intent, rendered as Block Kit.

bot/desk/teaching.py decides who may teach what and stores the decision; this module draws the form.
"""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.desk.controls import TEACH_INTENT_ACTION, TEACH_INTENT_BLOCK, TEACH_MODAL, escape, truncate
from bot.desk.teaching import Target, intent_choices
from knowledge.loader import load_knowledge

OPTION_LIMIT = 75


def teach_modal(target: Target, origin: str) -> View:
    """A searchable select of every intent, grouped as the handbook's index, and 対象外.

    private_metadata carries only the reference and where the modal was opened
    ("home" or "card"); the question's text is read again from the store.
    """
    knowledge = load_knowledge()
    groups = [
        OptionGroup(
            label=truncate(label, OPTION_LIMIT),
            options=[Option(value=intent, label=truncate(title, OPTION_LIMIT)) for intent, title in choices],
        )
        for label, choices in intent_choices(knowledge)
    ]
    return View(
        type="modal",
        callback_id=TEACH_MODAL,
        title=PlainTextObject(text="正しい回答を教える"),
        submit=PlainTextObject(text="登録する"),
        close=PlainTextObject(text="キャンセル"),
        private_metadata=json.dumps({"ref": target.ref, "origin": origin}),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="*質問*\n>" + escape(truncate(target.text, 1500)).replace("\n", "\n>")
                )
            ),
            ContextBlock(
                elements=[MarkdownTextObject(text="ボットの判断: " + escape(truncate(target.bot_did, 500)))]
            ),
            InputBlock(
                block_id=TEACH_INTENT_BLOCK,
                label=PlainTextObject(text="この質問に答えるべき項目"),
                element=StaticSelectElement(
                    action_id=TEACH_INTENT_ACTION,
                    placeholder=PlainTextObject(text="項目を検索（例: Q22、ポストワランティ、対象外）"),
                    option_groups=groups,
                ),
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="登録するとこの質問がその項目の例文になり、すぐに回答に反映されます。"
                        "「対象外」を選ぶと、同じような質問には回答せず担当者への相談を案内します。"
                    )
                ]
            ),
        ],
    )
