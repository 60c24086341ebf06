"""/pwp, /contact and /faq: answered in the acknowledgement, usage help on bad arguments."""

from __future__ import annotations

import json
import time

import pytest
from slack_harness import action_ids, action_value

from bot.desk.controls import ESCALATE, FEEDBACK_RESOLVED, SHARE_ANSWER


def ack_body(response) -> dict:
    assert response.status == 200
    return json.loads(response.body)


def all_text(body: dict) -> str:
    return json.dumps(body.get("blocks", []), ensure_ascii=False) + body.get("text", "")


def test_slack_pwp_answers_within_the_ack(harness):
    started = time.monotonic()
    body = ack_body(harness.command("/pwp", "2027-03-31"))
    assert time.monotonic() - started < 3.0
    assert body["response_type"] == "ephemeral"
    assert "発注可能期間" in all_text(body) and "2027年3月31日" in all_text(body)
    assert SHARE_ANSWER in action_ids(body["blocks"])
    saved = harness.store.command_answer(int(action_value(body["blocks"], SHARE_ANSWER)))
    assert saved.answer.calculation["inputs"]["years"] == 1


def test_slack_pwp_with_term_end_date_and_status(harness):
    body = ack_body(harness.command("/pwp", "2027-03-31 2年 終了日=2029-01-31 確定"))
    saved = harness.store.command_answer(int(action_value(body["blocks"], SHARE_ANSWER)))
    inputs = saved.answer.calculation["inputs"]
    assert inputs == {
        "coverage_end": "2027-03-31",
        "years": 2,
        "care_level": None,
        "pwp_end": "2029-01-31",
        "pwp_status": "fixed",
    }
    assert saved.answer.calculation["result"]["verdict"] == "not_orderable"


def test_slack_pwp_accepts_japanese_dates(harness):
    body = ack_body(harness.command("/pwp", "令和9年3月31日　２年"))
    saved = harness.store.command_answer(int(action_value(body["blocks"], SHARE_ANSWER)))
    assert saved.answer.calculation["inputs"]["coverage_end"] == "2027-03-31"
    assert saved.answer.calculation["inputs"]["years"] == 2


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", None),
        ("あした", "日付として読めません"),
        ("2027-02-30", "存在しない日付"),
        ("2027-03-31 3年", "1年か2年"),
        ("2027-03-31 確定", "終了日=…"),
        ("2027-03-31 2028-01-01", "読み取れませんでした"),
    ],
)
def test_slack_pwp_bad_arguments_get_usage(harness, text, problem):
    body = ack_body(harness.command("/pwp", text))
    assert body["response_type"] == "ephemeral"
    shown = all_text(body)
    assert "/pwp の使い方" in shown
    if problem:
        assert problem in shown
    assert SHARE_ANSWER not in shown


def test_slack_contact_routes_purpose_and_product(harness):
    body = ack_body(harness.command("/contact", "修理 サーバー"))
    saved = harness.store.command_answer(int(action_value(body["blocks"], SHARE_ANSWER)))
    assert saved.answer.calculator == "contact"
    assert saved.answer.calculation["inputs"]["purpose"] == "repair"
    assert saved.answer.calculation["inputs"]["product"] == "server"
    result = saved.answer.calculation["result"]
    assert result["center"] in all_text(body)
    # Tuesday 10:00 JST: the weekday repair desk is open.
    assert result["open_now"] is True


def test_slack_contact_initial_defect(harness):
    body = ack_body(harness.command("/contact", "初期不良"))
    saved = harness.store.command_answer(int(action_value(body["blocks"], SHARE_ANSWER)))
    assert saved.answer.calculation["inputs"]["purpose"] == "missing_or_defective"
    assert "一週間" in all_text(body)


def test_slack_contact_alone_lists_every_desk_with_its_state(harness):
    body = ack_body(harness.command("/contact"))
    shown = all_text(body)
    assert "一覧" in shown
    assert "受付中" in shown
    saved = harness.store.command_answer(int(action_value(body["blocks"], SHARE_ANSWER)))
    assert len(saved.answer.calculation["result"]["contacts"]) >= 5


def test_slack_contact_bad_purpose_gets_usage(harness):
    shown = all_text(ack_body(harness.command("/contact", "宇宙旅行")))
    assert "/contact の使い方" in shown and "宇宙旅行" in shown


def test_slack_faq_is_ephemeral_and_can_be_shared(harness):
    body = ack_body(harness.command("/faq", "CSNのIDはどうやって取るの？", channel="C0002"))
    assert body["response_type"] == "ephemeral"
    answer_id = action_value(body["blocks"], SHARE_ANSWER)
    harness.recorder.clear()

    harness.click(SHARE_ANSWER, answer_id, channel="C0002", message_ts="0", ephemeral=True)
    harness.drain()
    posts = harness.posts("C0002")
    assert len(posts) == 1
    shared = posts[0]
    assert shared.get("thread_ts") is None
    assert "UPARTNER" in json.dumps(shared["blocks"])
    assert {FEEDBACK_RESOLVED, ESCALATE} <= set(action_ids(shared["blocks"]))
    replaced = harness.recorder.of("response_url")
    assert replaced and replaced[-1].params["replace_original"] is True


def test_slack_shared_answer_starts_a_thread_the_bot_follows(harness):
    body = ack_body(harness.command("/pwp", "2027-03-31"))
    harness.click(SHARE_ANSWER, action_value(body["blocks"], SHARE_ANSWER), message_ts="0", ephemeral=True)
    harness.drain()
    question = harness.store.question(2)
    assert question["via"] == "share"
    root = question["thread_ts"]
    assert harness.store.thread("C0001", root).last_answer.calculator == "pwp"


def test_slack_faq_without_a_question_gets_usage(harness):
    assert "/faq の使い方" in all_text(ack_body(harness.command("/faq", "  ")))
