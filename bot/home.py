"""App Home: the support staff's workbench, and the partners' guide.

Staff (bot/staff.py) see the open cases oldest first with their age,
today's numbers, and the most frequent questions of the last 7 days that the
bot did not settle, each with a button to teach it. Partners see what the bot
can do, the FAQ index (each button sends them that entry as a direct
message), the slash commands and their own cases still with the staff.

The tab is rebuilt from the store on every app_home_opened and after every
button pressed in it, with a one-line notice saying what the press did.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime

from slack_sdk import WebClient
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

from bot import stats, teaching, texts
from bot.answering import Answerer
from bot.blocks import (
    HOME_ANSWER_PREFIX,
    HOME_CLAIM,
    TEACH_OPEN,
    USAGE,
    _button,
    _sections,
    escape,
    teach_value,
    truncate,
)
from bot.case_state import STATUS_LABELS, Case, CaseStatus, TransitionError
from bot.clock import Clock
from bot.direct_messages import open_dm
from bot.escalation import Escalations, StaffAction
from bot.outbox import DEAD, Outbox
from bot.sla import STAFF_CLOSES, STAFF_OPENS, ServiceLevel, opened_at
from bot.slack_api import try_call
from bot.store import Store
from intents.replies import CAPABILITIES
from intents.router import answer_intent
from knowledge.loader import load_knowledge

MAX_CASES = 15
MAX_UNANSWERED = 10
UNANSWERED_DAYS = 7
# Entries outside the FAQ that partners look up as often as the FAQ itself.
INDEX_EXTRAS = ("websites", "fw-option")
QUESTION_SHOWN = 300


class Home:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        staff: Container[str],
        level: ServiceLevel,
        answerer: Answerer,
        escalations: Escalations,
        outbox: Outbox,
    ) -> None:
        self.store = store
        self.clock = clock
        self.staff = staff
        self.level = level
        self.answerer = answerer
        self.escalations = escalations
        self.outbox = outbox

    def view(self, user: str, notice: str | None = None) -> View:
        now = self.clock.now()
        if user in self.staff:
            start, end = stats.period(now, 1)
            week_start, _ = stats.period(now, UNANSWERED_DAYS)
            found = stats.abstained(self.store, week_start, end, teaching.decided_keys(self.store))
            return staff_view(
                now=now,
                cases=[(c, opened_at(self.store, c)) for c in self.store.unresolved_cases()],
                today=stats.numbers(self.store, start, end),
                unanswered=[a for a in found if not a.decided][:MAX_UNANSWERED],
                level=self.level,
                notice=notice,
            )
        mine = [c for c in self.store.unresolved_cases() if user in (c.asked_by, c.escalated_by)]
        return partner_view(cases=mine, notice=notice)

    def publish(self, client: WebClient, user: str, notice: str | None = None) -> None:
        try_call("views.publish (App Home)", client.views_publish, user_id=user, view=self.view(user, notice))

    def claim(self, *, case_id: int, user: str) -> list[int]:
        """「担当する」 in App Home: the case claimed as from its card; the writes to send.
        Raises TransitionError (Japanese message) to refuse."""
        case = self.store.case(case_id)
        if case is None:
            raise TransitionError(texts.INVALID_BUTTON)
        # The tab has no card to check the id against: being staff is what the claim needs.
        return self.escalations.act(
            case_id=case_id,
            user=user,
            action=StaffAction.claim,
            channel=case.staff_channel,
            message_ts=case.staff_ts,
        )

    def send_answer(self, client: WebClient, *, user: str, intent: str) -> str:
        """An FAQ index button: the entry as a direct message, which starts a thread the partner can
        follow up in. What to tell them in the tab."""
        try:
            answer = answer_intent(intent, self.clock.now())
        except KeyError:
            return texts.INVALID_BUTTON
        channel = open_dm(client, user)
        if channel is None:
            return texts.ANSWER_FAILED
        writes = self.answerer.answer_top_level(
            channel=channel, user=user, question=answer.title or intent, answer=answer, via="home"
        )
        return texts.ANSWER_FAILED if DEAD in self.outbox.send(writes).values() else texts.HOME_ANSWER_SENT


# --- views (pure) --------------------------------------------------------------------------


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
