"""Block Kit builders, tested directly on Answers built by hand."""

from __future__ import annotations

import json
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.desk import controls
from bot.desk.case_state import Case, CaseStatus, Resolution
from bot.slack import blocks
from intents.answer import Answer, Candidate
from knowledge.calendar import JST
from knowledge.models import Link

AT = datetime(2026, 11, 24, 10, 0, tzinfo=JST)


def answer(**fields) -> Answer:
    base = {
        "kind": "answer",
        "intent": "Q12",
        "confidence": 0.91,
        "title": "Q12 CSN の ID の取得方法",
        "lead": "CSN の ID は登録フォームから申請します。",
        "details": "・手順1\n・手順2",
        "source": "Q12 / ハンドブック P11 / Rev.20181101（2018年11月時点）",
        "links": [Link(title="CSN", url="https://example.com/csn?a=1&b=2")],
        "alternatives": [
            Candidate(intent="Q12", score=0.91, title="Q12 CSN"),
            Candidate(intent="Q11", score=0.4, title="Q11 登録"),
        ],
    }
    base.update(fields)
    return Answer(**base)


def dicts(built: list[Block]) -> list[dict]:
    # to_dict() runs slack_sdk's validators (lengths, counts): a violation raises here.
    return blocks.to_dicts(built)


def ids(built: list[dict]) -> list[str]:
    return [e["action_id"] for b in built if b["type"] == "actions" for e in b["elements"]]


def test_slack_answer_blocks_order_and_buttons():
    built = dicts(blocks.answer_blocks(answer(), 7))
    text = json.dumps(built, ensure_ascii=False)
    assert built[0]["text"]["text"].startswith("*Q12 CSN の ID の取得方法*\nCSN の ID")
    assert "<https://example.com/csn?a=1&b=2|CSN>" in text
    assert built[-2]["type"] == "context" and built[-2]["elements"][0]["text"].startswith("出典: Q12")
    assert ids(built) == [controls.FEEDBACK_RESOLVED, controls.FEEDBACK_UNRESOLVED, controls.ESCALATE]
    assert {e["value"] for b in built if b["type"] == "actions" for e in b["elements"]} == {"7"}


def test_slack_markup_in_answers_is_escaped():
    built = dicts(blocks.answer_blocks(answer(lead="<!channel> & <@U1>"), 1))
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in built[0]["text"]["text"]


def test_slack_did_you_mean_offers_each_candidate_and_a_human():
    candidates = [
        Candidate(intent=f"Q{i}", score=0.5, title=f"Q{i} " + "とても長い題名" * 20) for i in range(1, 8)
    ]
    built = dicts(blocks.answer_blocks(answer(kind="did_you_mean", intent=None, alternatives=candidates), 3))
    choices = [i for i in ids(built) if i.startswith(controls.CHOOSE_INTENT_PREFIX)]
    assert choices == [f"{controls.CHOOSE_INTENT_PREFIX}Q{i}" for i in range(1, blocks.MAX_CHOICES + 1)]
    assert controls.ESCALATE in ids(built) and controls.FEEDBACK_RESOLVED not in ids(built)
    value = next(e["value"] for b in built if b["type"] == "actions" for e in b["elements"])
    assert controls.parse_choice_value(value) == ("Q1", 3)


def test_slack_out_of_scope_offers_only_a_human_and_smalltalk_nothing():
    out = dicts(blocks.answer_blocks(answer(kind="out_of_scope", intent=None, offer_human=True), 1))
    assert ids(out) == [controls.ESCALATE]
    talk = dicts(
        blocks.answer_blocks(answer(kind="smalltalk", intent="smalltalk.thanks", source=None, links=[]), 1)
    )
    assert ids(talk) == []


def test_slack_long_details_are_split_within_slack_limits():
    details = "\n".join(f"・項目{i} " + "あ" * 190 for i in range(60))
    built = dicts(blocks.answer_blocks(answer(details=details), 1))
    sections = [b for b in built if b["type"] == "section"]
    assert len(sections) >= 4
    assert all(len(b["text"]["text"]) <= blocks.SECTION_LIMIT for b in sections)


@given(st.text(alphabet=st.sampled_from("あa\n "), max_size=9000), st.integers(min_value=5, max_value=3000))
def test_slack_split_text_keeps_every_character_within_the_limit(text, limit):
    pieces = blocks.split_text(text, limit)
    assert all(len(p) <= limit for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_slack_command_answer_has_a_share_button():
    built = dicts(blocks.command_answer_blocks(answer(), 42))
    assert ids(built) == [controls.SHARE_ANSWER]
    assert built[-1]["elements"][0]["value"] == "42"


def test_slack_usage_blocks_show_the_problem_first():
    built = dicts(blocks.usage_blocks("/pwp", "「あした」は日付として読めません"))
    assert built[0]["text"]["text"].startswith(":warning: 「あした」は日付として読めません")
    assert "/pwp 2027-03-31 2年 終了日=2029-01-31 確定" in json.dumps(built, ensure_ascii=False)


def make_case(**fields) -> Case:
    base = {
        "id": 5,
        "channel": "C1",
        "thread_ts": "1.0",
        "asked_by": "UP",
        "question": "質問です",
        "answer": answer(
            kind="calculation",
            intent="pwp",
            calculator="pwp",
            calculation={
                "inputs": {"years": 2, "pwp_end": None},
                "result": {"verdict": "orderable", "reasons": ["x"]},
            },
        ),
        "escalated_by": "UP",
        "via": "button",
        "permalink": "https://example.slack.com/archives/C1/p10",
        "created_at": AT,
        "updated_at": AT,
    }
    base.update(fields)
    return Case(**base)


def test_slack_staff_card_for_each_status():
    open_card = dicts(blocks.staff_card_blocks(make_case()))
    text = json.dumps(open_card, ensure_ascii=False)
    assert "エスカレーション #5" in text and "未対応" in text and "質問です" in text
    assert "確信度 91%" in text and "1. Q12 Q12 CSN（0.91）" in text and "• years: 2" in text
    assert "verdict: orderable" in text and "pwp_end" not in text and "reasons" not in text
    assert "<https://example.slack.com/archives/C1/p10|スレッドを開く>" in text
    assert ids(open_card) == [controls.CASE_CLAIM, controls.CASE_RESOLVE, controls.CASE_BOT_CORRECT]

    claimed = dicts(blocks.staff_card_blocks(make_case(status=CaseStatus.claimed, claimed_by="US")))
    assert "対応中（<@US>）" in json.dumps(claimed, ensure_ascii=False)
    assert ids(claimed) == [controls.CASE_RESOLVE, controls.CASE_BOT_CORRECT]

    done = make_case(
        status=CaseStatus.resolved, claimed_by="US", resolved_by="US", resolution=Resolution.bot_correct
    )
    resolved = dicts(blocks.staff_card_blocks(done))
    assert "ボットの回答で正しい <@US>" in json.dumps(resolved, ensure_ascii=False)
    assert ids(resolved) == []


def test_slack_staff_card_without_a_bot_answer_or_permalink():
    card = json.dumps(
        dicts(blocks.staff_card_blocks(make_case(answer=None, permalink=None, channel="D1"))),
        ensure_ascii=False,
    )
    assert (
        "ボットは回答していません" in card
        and "ダイレクトメッセージ" in card
        and "リンクを取得できませんでした" in card
    )


def test_slack_escalate_modal_carries_nothing_to_trust():
    view = blocks.escalate_modal("あ" * 5000).to_dict()
    # The thread is stored on the server under the view's id, not sent round through the client.
    assert "private_metadata" not in view
    assert view["callback_id"] == controls.ESCALATE_MODAL
