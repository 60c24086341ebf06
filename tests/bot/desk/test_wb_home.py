"""App Home: app_home_opened -> views.publish, the staff's workbench and the partners' guide."""

from __future__ import annotations

from slack_harness import OTHER_STAFF, STAFF, STAFF_CHANNEL, action_value
from workbench_support import (
    PARTNER,
    ask,
    button,
    buttons,
    escalate,
    home_click,
    open_home,
    published,
    text_of,
)

from bot.desk import texts
from bot.desk.case_state import CaseStatus
from bot.desk.controls import FEEDBACK_UNRESOLVED, HOME_ANSWER_PREFIX, HOME_CLAIM, TEACH_OPEN
from knowledge.loader import load_knowledge

OUT_OF_SCOPE_QUESTION = "15時の会議のZoomリンク送って"


def test_wb_staff_home_shows_cases_today_and_unanswered(workbench):
    wb, h = workbench, workbench.harness
    reply = ask(h, "CSNのIDはどうやって取るの？", ts="800.000001")
    case_id = escalate(h, reply, ts="800.000001")
    ask(h, OUT_OF_SCOPE_QUESTION, ts="800.000002")
    ask(h, "１５時の会議の  Zoomリンク送って", ts="800.000003", user="UOTHER")  # the same wording, full-width
    wb.clock.advance(minutes=40)

    open_home(h, STAFF)
    view = published(h, STAFF)
    assert view["type"] == "home"
    text = text_of(view)
    assert "サポート担当者ワークベンチ" in text
    assert "未解決の案件（1件、古い順）" in text
    assert f"*#{case_id}* 未対応・40分経過・:warning: 目標超過・<@{PARTNER}>" in text
    assert button(view["blocks"], HOME_CLAIM)["value"] == str(case_id)
    # Today: three questions typed, one escalation; the CSN one answered, the Zoom ones declined.
    fields = text_of([b for b in view["blocks"] if b.get("fields")])
    assert "*質問*\\n3" in fields and "*回答*\\n1" in fields and "*対象外*\\n2" in fields
    assert "*エスカレーション*\\n1" in fields
    # The two Zoom questions are one wording, asked twice; teaching it teaches the latest.
    teach = button(view["blocks"], TEACH_OPEN)
    assert teach["value"].startswith("question:")
    assert wb.store.question(int(teach["value"].split(":")[1]))["ts"] == "800.000003"
    assert "*2回*・対象外" in text


def test_wb_unhelpful_answer_is_listed_until_staff_decide(workbench):
    wb, h = workbench, workbench.harness
    reply = ask(h, "CSNのIDはどうやって取るの？", ts="801.000001")
    question_id = action_value(reply["blocks"], FEEDBACK_UNRESOLVED)
    reply_ts = wb.store.question(int(question_id))["reply_ts"]
    h.click(FEEDBACK_UNRESOLVED, question_id, user=PARTNER, message_ts=reply_ts, thread_ts="801.000001")
    h.drain()
    open_home(h, STAFF)
    view = published(h, STAFF)
    assert "👎" in text_of(view) and "CSNのIDはどうやって取るの？" in text_of(view)
    assert button(view["blocks"], TEACH_OPEN)["value"] == f"question:{question_id}"
    # A staff decision takes it off the list.
    target = wb.services.teacher.target(f"question:{question_id}")
    wb.services.teacher.record(target, "Q12", STAFF)
    open_home(h, STAFF)
    assert "教える必要のある質問はありません" in text_of(published(h, STAFF))


def test_wb_partner_home_has_the_guide_faq_index_commands_and_own_cases(workbench):
    h = workbench.harness
    reply = ask(h, "CSNのIDはどうやって取るの？", ts="802.000001")
    case_id = escalate(h, reply, ts="802.000001")
    open_home(h, PARTNER)
    view = published(h, PARTNER)
    text = text_of(view)
    assert "サポート担当者ワークベンチ" not in text and HOME_CLAIM not in text
    assert "ポストワランティの発注可能期間の計算" in text  # what the bot can do
    index = [b["value"] for b in buttons(view["blocks"]) if b["action_id"].startswith(HOME_ANSWER_PREFIX)]
    knowledge = load_knowledge()
    assert index == [*knowledge.faq, "websites", "fw-option"]
    for section in ("サポートサービスとは", "購入前", "購入後", "契約や保証が終了するとき"):
        assert f"*{section}*" in text
    for example in (
        "/faq ケアパックの登録方法は？",
        "/pwp 2027-03-31 2年",
        "/contact 修理 サーバー",
        "/pwp reminders",
    ):
        assert example in text
    assert f"*#{case_id}* 未対応" in text and "CSNのIDはどうやって取るの？" in text
    # Another partner's case is not theirs to see.
    open_home(h, "UOTHER")
    assert f"#{case_id}" not in text_of(published(h, "UOTHER"))
    assert len(view["blocks"]) <= 100


def test_wb_messages_tab_publishes_nothing(workbench):
    open_home(workbench.harness, PARTNER, tab="messages")
    assert workbench.harness.recorder.of("views.publish") == []


def test_wb_claim_from_home_claims_tells_the_thread_and_refreshes(workbench):
    wb, h = workbench, workbench.harness
    reply = ask(h, "CSNのIDはどうやって取るの？", ts="803.000001")
    case_id = escalate(h, reply, ts="803.000001")
    home_click(h, STAFF, HOME_CLAIM, str(case_id))
    case = wb.store.case(case_id)
    assert case.status is CaseStatus.claimed and case.claimed_by == STAFF
    assert texts.claimed(STAFF) in [p["text"] for p in h.replies_in("C0001", "803.000001")]
    assert any(c.params["channel"] == STAFF_CHANNEL for c in h.recorder.of("chat.update"))  # the card follows
    view = published(h, STAFF)
    assert texts.home_claimed(case_id) in text_of(view)
    assert f"対応中（<@{STAFF}>）" in text_of(view)
    assert HOME_CLAIM not in text_of(view)
    # Pressed again from a stale tab: refused, and the tab says why.
    home_click(h, STAFF, HOME_CLAIM, str(case_id))
    assert "すでにあなたが担当しています" in text_of(published(h, STAFF))
    assert wb.store.case(case_id).claimed_by == STAFF


def test_wb_claim_from_home_needs_staff_and_a_real_case(workbench):
    wb, h = workbench, workbench.harness
    reply = ask(h, "CSNのIDはどうやって取るの？", ts="804.000001")
    case_id = escalate(h, reply, ts="804.000001")
    home_click(h, PARTNER, HOME_CLAIM, str(case_id))
    assert "サポート担当者のみ" in text_of(published(h, PARTNER))
    assert wb.store.case(case_id).status is CaseStatus.open
    home_click(h, OTHER_STAFF, HOME_CLAIM, "999")
    assert texts.INVALID_BUTTON in text_of(published(h, OTHER_STAFF))
    home_click(h, OTHER_STAFF, HOME_CLAIM, "1; DROP TABLE cases")
    assert wb.store.case(case_id).status is CaseStatus.open


def test_wb_faq_index_button_sends_the_entry_as_a_direct_message(workbench):
    wb, h = workbench, workbench.harness
    home_click(h, PARTNER, HOME_ANSWER_PREFIX + "Q12", "Q12")
    assert h.recorder.of("conversations.open")[-1].params["users"] == PARTNER
    [sent] = h.posts(f"D{PARTNER}")
    assert "出典: Q12" in text_of(sent["blocks"])
    question = wb.store.question(1)
    assert (question["via"], question["intent"], question["channel"]) == ("home", "Q12", f"D{PARTNER}")
    # The DM is a thread the bot follows: its reply is recorded.
    [kept] = h.recorder.messages_in(f"D{PARTNER}")
    assert question["reply_ts"] == kept["ts"]
    assert wb.store.thread(f"D{PARTNER}", kept["ts"]).last_answer.intent == "Q12"
    assert texts.HOME_ANSWER_SENT in text_of(published(h, PARTNER))
    # Not a question typed: today's numbers do not count it.
    open_home(h, STAFF)
    assert "*質問*\\n0" in text_of(published(h, STAFF))


def test_wb_faq_index_forged_intent_is_refused(workbench):
    h = workbench.harness
    home_click(h, PARTNER, HOME_ANSWER_PREFIX + "Q99", "Q99")
    assert h.posts(f"D{PARTNER}") == []
    assert texts.INVALID_BUTTON in text_of(published(h, PARTNER))
