"""Block Kit for every message the bot posts, built by pure functions.

slack_sdk's model classes validate Slack's limits when serialised, so a
too-long text fails in a unit test rather than as `invalid_blocks` in
production; the helpers here cut texts to those limits first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.desk.case_state import STATUS_LABELS, VIA_LABELS, Case, CaseStatus, Resolution
from bot.desk.controls import (
    CASE_BOT_CORRECT,
    CASE_CLAIM,
    CASE_RESOLVE,
    CHOOSE_INTENT_PREFIX,
    ESCALATE,
    ESCALATE_MODAL,
    ESCALATE_NOTE_ACTION,
    ESCALATE_NOTE_BLOCK,
    FEEDBACK_RESOLVED,
    FEEDBACK_UNRESOLVED,
    FULL_ENTRY,
    KIND_LABELS,
    REMIND_PWP,
    SHARE_ANSWER,
    TEACH_OPEN,
    choice_value,
    escape,
    teach_value,
    truncate,
)
from bot.desk.reminder_requests import reminder_request
from bot.slack.block_json import json_dict
from intents.answer import Answer

SECTION_LIMIT = 3000
BUTTON_LIMIT = 75
HEADER_LIMIT = 150
# Slack truncates notification text anyway; keep the fallback short and whole.
FALLBACK_LIMIT = 600
MAX_CHOICES = 5

def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Cut a long text into pieces of at most `limit` characters, at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def _sections(text: str) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in split_text(text) if piece.strip()]


def _button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=truncate(text, BUTTON_LIMIT)), action_id=action_id, value=value, style=style
    )


def fallback_text(answer: Answer) -> str:
    return truncate(escape(answer.lead), FALLBACK_LIMIT)


# --- answers ---------------------------------------------------------------------


def answer_body(answer: Answer) -> list[Block]:
    """The answer itself: lead, details, links, source. Shared by every surface."""
    blocks: list[Block] = []
    lead = escape(answer.lead)
    if answer.kind in ("answer", "calculation") and answer.title:
        lead = f"*{escape(truncate(answer.title, 200))}*\n{lead}"
    blocks += _sections(lead)
    if answer.details:
        blocks += _sections(escape(answer.details))
    if answer.links:
        lines = [f"• <{link.url}|{escape(link.title)}>" for link in answer.links]
        blocks += _sections("\n".join(lines))
    if answer.source:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"出典: {escape(answer.source)}")]))
    return blocks


def choice_buttons(answer: Answer, question_id: int | None) -> list[Block]:
    """Did-you-mean: one button per candidate intent."""
    if answer.kind != "did_you_mean" or not answer.alternatives:
        return []
    buttons = [
        _button(
            candidate.title or candidate.intent,
            CHOOSE_INTENT_PREFIX + candidate.intent,
            choice_value(candidate.intent, question_id),
        )
        for candidate in answer.alternatives[:MAX_CHOICES]
    ]
    return [ActionsBlock(block_id="choices", elements=buttons)]


def answer_blocks(answer: Answer, question_id: int) -> list[Block]:
    """A reply in a partner's thread: the answer, then what the partner can do next."""
    return answer_body(answer) + answer_actions(answer, question_id)


def answer_actions(answer: Answer, question_id: int) -> list[Block]:
    """What the partner can do next with an answer: the only part that depends on its question's id."""
    blocks = choice_buttons(answer, question_id)
    value = str(question_id)
    buttons: list[ButtonElement] = []
    if answer.kind in ("answer", "calculation"):
        buttons += [
            _button("解決した", FEEDBACK_RESOLVED, value, style="primary"),
            _button("解決しない", FEEDBACK_UNRESOLVED, value),
        ]
    if answer.kind != "smalltalk" or answer.offer_human:
        buttons.append(
            _button("担当者に相談", ESCALATE, value, style="primary" if answer.offer_human else None)
        )
    if answer.sections:
        buttons.append(_button("全文を見る", FULL_ENTRY, value))
    buttons += reminder_buttons(answer)
    if buttons:
        blocks.append(ActionsBlock(block_id="next", elements=buttons))
    return blocks


def reminder_buttons(answer: Answer) -> list[ButtonElement]:
    """「発注開始日にリマインド」 under a PWP answer whose order window has not opened yet."""
    request = reminder_request(answer)
    return [_button("発注開始日にリマインド", REMIND_PWP, request.to_value())] if request else []


def command_answer_blocks(answer: Answer, answer_id: int) -> list[Block]:
    """An ephemeral slash-command answer with a button that posts it for everyone."""
    return answer_body(answer) + [
        ActionsBlock(
            block_id="share",
            elements=[
                _button("チャンネルに共有", SHARE_ANSWER, str(answer_id), style="primary"),
                *reminder_buttons(answer),
            ],
        )
    ]


def shared_answer_blocks(answer: Answer, question_id: int, shared_by: str, command_text: str) -> list[Block]:
    intro = ContextBlock(
        elements=[
            MarkdownTextObject(
                text=f"<@{shared_by}> さんが `{escape(truncate(command_text, 200))}` の回答を共有しました"
            )
        ]
    )
    return [intro, *answer_blocks(answer, question_id)]


# --- slash-command help ---------------------------------------------------------------

USAGE = {
    "/pwp": (
        "*/pwp の使い方* — ポストワランティサービス（PWP）の購入可否を計算します\n"
        "`/pwp 保証・契約終了日 [期間] [終了日=PWP提供終了日] [予定|確定]`\n"
        "• `/pwp 2027-03-31` — 1年のPWPの発注可能期間\n"
        "• `/pwp 2027-03-31 2年` — 2年のPWP\n"
        "• `/pwp 2027-03-31 2年 終了日=2029-01-31 確定` — 製品のPWP提供終了日とその状態を指定\n"
        "• `/pwp reminders` — 「発注開始日にリマインド」で登録したリマインドの確認・取り消し\n"
        "日付は `2027-03-31`、`2027/3/31`、`2027年3月31日` のように書けます。"
    ),
    "/contact": (
        "*/contact の使い方* — 用途と製品から問い合わせ先と受付時間を案内します\n"
        "`/contact 用途 [製品]`\n"
        "• `/contact 修理 サーバー`\n"
        "• `/contact 初期不良`\n"
        "• `/contact` — 窓口の一覧と、いま受付中かどうか\n"
        "製品は サーバー / ストレージ / ネットワーク / Aruba から選べます。"
    ),
    "/faq": (
        "*/faq の使い方* — サポートサービスについての質問に、あなたにだけ回答します\n"
        "`/faq 質問`  例: `/faq ケアパックの登録方法は？`\n"
        "回答の「チャンネルに共有」ボタンで、チャンネルの全員に見せられます。"
    ),
}


def usage_blocks(command: str, problem: str | None = None) -> list[Block]:
    text = USAGE[command]
    if problem:
        text = f":warning: {escape(problem)}\n\n{text}"
    return _sections(text)


# --- escalation ---------------------------------------------------------------------------


# Result fields worth a glance on the card; the full result stays in the stored answer.
RESULT_LINES_MAX = 12
RESULT_VALUE_MAX = 80


def _value(value: Any) -> str:
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return escape(truncate(str(value), 200))


def _calculation_lines(calculation: dict[str, Any] | None) -> list[str]:
    """The calculator's inputs in full, then the short scalar fields of its result."""
    if not calculation:
        return []
    inputs = calculation.get("inputs") or {}
    lines = [f"• {escape(str(k))}: {_value(v)}" for k, v in inputs.items() if v is not None]
    result = calculation.get("result") or {}
    facts = [
        f"• {escape(str(k))}: {_value(v)}"
        for k, v in result.items()
        if isinstance(v, str | int | float | bool) and len(str(v)) <= RESULT_VALUE_MAX and k not in inputs
    ]
    if facts:
        lines += ["結果（抜粋）:", *facts[:RESULT_LINES_MAX]]
    return lines


def staff_card_blocks(case: Case) -> list[Block]:
    """The card in the staff channel; re-rendered and chat.update'd as the case moves."""
    status = STATUS_LABELS[case.status]
    if case.status is CaseStatus.claimed and case.claimed_by:
        status += f"（<@{case.claimed_by}>）"
    if case.status is CaseStatus.resolved:
        who = f"<@{case.resolved_by}>" if case.resolved_by else ""
        how = "ボットの回答で正しい" if case.resolution is Resolution.bot_correct else "担当者が対応"
        status += f"（{how} {who}）"
    header = truncate(f"エスカレーション #{case.id}", HEADER_LIMIT)
    where = f"<#{case.channel}>" if not case.channel.startswith("D") else "ダイレクトメッセージ"
    link = f"<{case.permalink}|スレッドを開く>" if case.permalink else "（リンクを取得できませんでした）"
    asked = f"<@{case.asked_by}>" if case.asked_by else "不明"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=header)),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*状態*\n{status}"),
                MarkdownTextObject(text=f"*質問者*\n{asked}"),
                MarkdownTextObject(text=f"*場所*\n{where}\n{link}"),
                MarkdownTextObject(
                    text=f"*経路*\n{VIA_LABELS[case.via]}（<@{case.escalated_by}>）"
                    + (f" ×{case.escalations}" if case.escalations > 1 else "")
                ),
            ]
        ),
        SectionBlock(
            text=MarkdownTextObject(text="*質問*\n" + escape(truncate(case.question or "（本文なし）", 2500)))
        ),
    ]
    if case.note:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text="*メモ*\n" + escape(truncate(case.note, 2500))))
        )
    blocks += _bot_answer_summary(case.answer)
    blocks.append(DividerBlock())
    buttons = []
    if case.status is CaseStatus.open:
        buttons.append(_button("担当する", CASE_CLAIM, str(case.id), style="primary"))
    if case.status is not CaseStatus.resolved:
        buttons += [
            _button("解決済み", CASE_RESOLVE, str(case.id)),
            _button("ボットの回答で正しい", CASE_BOT_CORRECT, str(case.id)),
        ]
    if buttons:
        blocks.append(ActionsBlock(block_id="case", elements=buttons))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="この案件は解決済みです。")]))
    # Teaching is not a move of the case: it stays offered after the case is resolved.
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(text="ボットが答えるべきだった項目（または対象外）を教えると、すぐ回答に反映されます。"),
            accessory=_button("正しい回答を教える", TEACH_OPEN, teach_value("case", case.id)),
        )
    )
    return blocks


def _bot_answer_summary(answer: Answer | None) -> list[Block]:
    if answer is None:
        return [
            SectionBlock(
                text=MarkdownTextObject(text="*ボットの回答*\nこのスレッドにボットは回答していません。")
            )
        ]
    kind = KIND_LABELS.get(answer.kind, answer.kind)
    heading = f"*ボットの回答*（{kind} / {answer.intent or '該当なし'} / 確信度 {answer.confidence:.0%}）"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=heading + "\n" + escape(truncate(answer.lead, 1500))))
    ]
    candidates = [
        f"{i}. {escape(c.intent)} {escape(truncate(c.title, 80))}（{c.score:.2f}）"
        for i, c in enumerate(answer.alternatives[:3], start=1)
    ]
    if candidates:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="*上位候補*\n" + "\n".join(candidates))))
    calc = _calculation_lines(answer.calculation)
    if answer.calculator or calc:
        text = f"*計算の入力と結果*（{answer.calculator or '-'}）\n" + "\n".join(calc)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_LIMIT))))
    return blocks


def staff_card_fallback(case: Case) -> str:
    # The notification text is mrkdwn too: the partner's words must not ping the staff channel.
    return truncate(
        f"エスカレーション #{case.id} [{STATUS_LABELS[case.status]}] {escape(case.question)}", FALLBACK_LIMIT
    )


def escalate_modal(text: str) -> View:
    """The message shortcut's confirmation, with an optional note for the staff.

    It carries nothing the submission is trusted with: the thread is stored on the server
    under the view's id (bot/desk/escalation.py: remember_modal).
    """
    return View(
        type="modal",
        callback_id=ESCALATE_MODAL,
        title=PlainTextObject(text="担当者へエスカレーション"),
        submit=PlainTextObject(text="引き継ぐ"),
        close=PlainTextObject(text="キャンセル"),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="このメッセージのスレッドをサポート担当者に引き継ぎます。\n>"
                    + escape(truncate(text or "（本文なし）", 500)).replace("\n", "\n>")
                )
            ),
            InputBlock(
                block_id=ESCALATE_NOTE_BLOCK,
                optional=True,
                label=PlainTextObject(text="担当者へのメモ（任意）"),
                element=PlainTextInputElement(
                    action_id=ESCALATE_NOTE_ACTION, multiline=True, max_length=1000
                ),
            ),
        ],
    )


# Slack's limits: a modal's title, and its blocks.
MODAL_TITLE_LIMIT = 24
MODAL_BLOCKS = 100


def full_entry_modal(answer: Answer) -> View:
    """「全文を見る」: the whole entry (or a calculation with its assumptions and rule), section by
    section, within Slack's 100 blocks; the thread keeps only what the question was about."""
    body: list[Block] = []
    for heading, text in answer.sections:
        body += _sections(f"*{escape(heading)}*\n{escape(text)}" if heading else escape(text))
    shown = body[: MODAL_BLOCKS - 3]
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=truncate(answer.title or "回答の全文", HEADER_LIMIT)))]
    blocks += shown
    if len(shown) < len(body):
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="（長いため一部を省略しました。全文は出典をご覧ください）")]))
    if answer.source:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"出典: {escape(answer.source)}")]))
    return View(
        type="modal",
        title=PlainTextObject(text=truncate("全文", MODAL_TITLE_LIMIT)),
        close=PlainTextObject(text="閉じる"),
        blocks=blocks,
    )


def to_dicts(blocks: Iterable[Block]) -> list[dict[str, Any]]:
    return [json_dict(block) for block in blocks]
