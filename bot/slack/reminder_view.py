"""`/pwp reminders` rendered as Block Kit: one's upcoming reminders, each with a cancel button."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.desk import texts
from bot.desk.controls import REMINDER_CANCEL, escape
from bot.slack.blocks import _button
from bot.store import Reminder
from knowledge.calculators.common import fmt_date

MAX_LISTED = 20


def listing_blocks(reminders: list[Reminder], notice: str | None = None) -> list[Block]:
    blocks: list[Block] = []
    if notice:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=escape(notice))))
    if not reminders:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=texts.REMINDERS_NONE)))
        return blocks
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(
                text="*登録中のリマインド*（発注開始日の 9:00 に、このアプリからダイレクトメッセージでお知らせします）"
            )
        )
    )
    for reminder in reminders[:MAX_LISTED]:
        window_end = date.fromisoformat(reminder.window_end)
        coverage_end = date.fromisoformat(reminder.coverage_end)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{texts.moment(reminder.post_at)}*\n"
                    f"保証・契約終了日 {fmt_date(coverage_end)}・ポストワランティ {reminder.years}年・"
                    f"発注可能期間 ～{fmt_date(window_end)}\n`/pwp {escape(reminder.recheck)}`"
                ),
                accessory=_button("取り消す", REMINDER_CANCEL, str(reminder.id), style="danger"),
            )
        )
    if len(reminders) > MAX_LISTED:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"ほか {len(reminders) - MAX_LISTED} 件")])
        )
    return blocks
