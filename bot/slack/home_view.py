"""App Home rendered as Block Kit: the staff's workbench and the partners' guide.

bot/desk/home.py decides what each tab shows; this module only draws it.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.desk import stats, teaching, texts
from bot.desk.case_state import STATUS_LABELS, Case, CaseStatus
from bot.desk.controls import HOME_ANSWER_PREFIX, HOME_CLAIM, TEACH_OPEN, escape, teach_value, truncate
from bot.desk.home import UNANSWERED_DAYS
from bot.desk.sla import STAFF_CLOSES, STAFF_OPENS, ServiceLevel
from bot.slack.blocks import USAGE, _button, _sections
from intents.replies import CAPABILITIES
from knowledge.loader import load_knowledge

MAX_CASES = 15
# Entries outside the FAQ that partners look up as often as the FAQ itself.
INDEX_EXTRAS = ("websites", "fw-option")
QUESTION_SHOWN = 300


def _notice(notice: str | None) -> list[Block]:
    return (
        [SectionBlock(text=MarkdownTextObject(text=f":information_source: {escape(notice)}"))]
        if notice
        else []
    )


def _quote(text: str) -> str:
    return ">" + escape(truncate(text or "（本文なし）", QUESTION_SHOWN)).replace("\n", "\n>")


def staff_view(
    *,
    now: datetime,
    cases: list[tuple[Case, datetime]],
    today: stats.Numbers,
    unanswered: list[stats.Abstained],
    level: ServiceLevel,
    notice: str | None = None,
) -> View:
    """`cases` are the unresolved cases, oldest first, each with the moment it was (re)opened."""
    hours = f"{STAFF_OPENS:%H:%M}–{STAFF_CLOSES:%H:%M}"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text="サポート担当者ワークベンチ")),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{texts.moment(now)} 時点・目標: 営業時間内 {level.minutes}分以内に担当決定"
                    f"（営業日 {hours}）"
                )
            ]
        ),
        *_notice(notice),
        HeaderBlock(text=PlainTextObject(text=f"未解決の案件（{len(cases)}件、古い順）")),
    ]
    for case, opened in cases[:MAX_CASES]:
        blocks.append(_case_row(case, opened, now, level))
    if not cases:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="未解決の案件はありません。")))
    elif len(cases) > MAX_CASES:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"ほか {len(cases) - MAX_CASES} 件")]))

    t = today
    blocks += [
        DividerBlock(),
        HeaderBlock(text=PlainTextObject(text="今日の数字")),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*質問*\n{t.questions}"),
                MarkdownTextObject(text=f"*回答*\n{t.answered}"),
                MarkdownTextObject(text=f"*候補の提示*\n{t.did_you_mean}"),
                MarkdownTextObject(text=f"*対象外*\n{t.out_of_scope}"),
                MarkdownTextObject(text=f"*エスカレーション*\n{t.escalated}"),
                MarkdownTextObject(text=f"*フィードバック*\n👍 {t.helpful}　👎 {t.unhelpful}"),
            ]
        ),
        DividerBlock(),
        HeaderBlock(text=PlainTextObject(text=f"回答できなかった質問（過去{UNANSWERED_DAYS}日、多い順）")),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="対象外・候補の提示になった質問と 👎 の付いた回答です。「教える」で正しい項目を選ぶと、"
                    "すぐ回答に反映されます。"
                )
            ]
        ),
    ]
    for item in unanswered:
        reasons = "・".join(stats.REASON_LABELS[r] for r in item.reasons)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{item.count}回*・{reasons}・最終 {texts.moment(item.last_at)}\n{_quote(item.text)}"
                ),
                accessory=_button("教える", TEACH_OPEN, teach_value("question", item.question_id)),
            )
        )
    if not unanswered:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="教える必要のある質問はありません。")))
    return View(type="home", blocks=blocks)


def _case_row(case: Case, opened: datetime, now: datetime, level: ServiceLevel) -> SectionBlock:
    status = STATUS_LABELS[case.status]
    if case.status is CaseStatus.claimed and case.claimed_by:
        status += f"（<@{case.claimed_by}>）"
    overdue = case.status is CaseStatus.open and level.overdue(opened, now)
    age = texts.duration((now - opened).total_seconds() / 60)
    asker = f"<@{case.asked_by}>" if case.asked_by else "質問者不明"
    link = f"・<{case.permalink}|スレッド>" if case.permalink else ""
    text = (
        f"*#{case.id}* {status}・{age}経過{'・:warning: 目標超過' if overdue else ''}・{asker}{link}\n"
        f"{_quote(case.question)}"
    )
    claim = _button("担当する", HOME_CLAIM, str(case.id), style="primary")
    return SectionBlock(
        text=MarkdownTextObject(text=text), accessory=claim if case.status is CaseStatus.open else None
    )


def partner_view(*, cases: list[Case], notice: str | None = None) -> View:
    knowledge = load_knowledge()
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text="HPE サポートサービス FAQ ボット")),
        *_notice(notice),
        *_sections(escape(CAPABILITIES)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="チャンネルでボットにメンションするか、このアプリの「メッセージ」タブで質問してください。"
                    "回答できないときは「担当者に相談」でサポート担当者に引き継げます。"
                )
            ]
        ),
        DividerBlock(),
        HeaderBlock(text=PlainTextObject(text="よくある質問（ハンドブック）")),
        ContextBlock(
            elements=[MarkdownTextObject(text="ボタンを押すと、その回答を「メッセージ」タブにお送りします。")]
        ),
    ]
    sections: dict[str, list[str]] = {}
    for entry in knowledge.faq.values():
        sections.setdefault(entry.section, []).append(entry.id)
    sections["その他の資料"] = [i for i in INDEX_EXTRAS if i in knowledge.examples]
    for section, intents in sections.items():
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{section}*")))
        blocks.append(
            ActionsBlock(
                elements=[
                    _button(teaching.intent_title(i, knowledge), HOME_ANSWER_PREFIX + i, i) for i in intents
                ]
            )
        )
    blocks += [DividerBlock(), HeaderBlock(text=PlainTextObject(text="コマンド"))]
    for command in ("/faq", "/pwp", "/contact"):
        blocks += _sections(USAGE[command])
    blocks += [DividerBlock(), HeaderBlock(text=PlainTextObject(text="担当者が対応中のお問い合わせ"))]
    for case in cases[:MAX_CASES]:
        status = STATUS_LABELS[case.status]
        if case.status is CaseStatus.claimed and case.claimed_by:
            status += f"（担当 <@{case.claimed_by}>）"
        link = f"・<{case.permalink}|スレッドを開く>" if case.permalink else ""
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*#{case.id}* {status}・{texts.moment(case.created_at)}{link}\n{_quote(case.question)}"
                )
            )
        )
    if not cases:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text="担当者に引き継ぎ中のお問い合わせはありません。"))
        )
    return View(type="home", blocks=blocks)
