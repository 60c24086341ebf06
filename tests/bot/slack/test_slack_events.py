"""Questions arriving as events, through the real Bolt app and a recorded Web API."""

from __future__ import annotations

import logging

from slack_harness import action_ids, rows
from slack_support import BOT_ID, BOT_USER, mention, message

from bot.desk import texts
from bot.desk.controls import ESCALATE, FEEDBACK_RESOLVED, FEEDBACK_UNRESOLVED

PWP_QUESTION = "保証終了日が2027年3月31日ですが、ポストワランティはいつから発注できますか"


def test_slack_mention_gets_one_threaded_reply_with_blocks(harness):
    response = harness.event(mention("CSNのIDはどうやって取るの？", ts="100.000001"))
    assert response.status == 200
    harness.drain()
    posts = harness.posts("C0001")
    assert len(posts) == 1
    reply = posts[0]
    assert reply["thread_ts"] == "100.000001"
    assert reply["text"]
    ids = action_ids(reply["blocks"])
    assert {FEEDBACK_RESOLVED, FEEDBACK_UNRESOLVED, ESCALATE} <= set(ids)
    assert any(b["type"] == "context" and "出典" in b["elements"][0]["text"] for b in reply["blocks"])
    # The bot's own mention is not part of the question it answered.
    question = harness.store.question(1)
    assert question["text"] == "CSNのIDはどうやって取るの？"
    assert question["reply_ts"] and question["thread_ts"] == "100.000001"


def test_slack_reply_in_a_thread_goes_to_the_thread_root(harness):
    harness.event(mention("修理の電話番号は？", ts="101.000002", thread_ts="101.000001"))
    harness.drain()
    assert [p["thread_ts"] for p in harness.posts()] == ["101.000001"]


def test_slack_direct_message_is_answered(harness):
    harness.event(message("CSNのIDはどうやって取るの？", channel="D0001", channel_type="im", ts="102.000001"))
    harness.drain()
    posts = harness.posts("D0001")
    assert len(posts) == 1 and posts[0]["thread_ts"] == "102.000001"


def test_slack_follow_up_in_answered_thread_needs_no_mention(harness):
    harness.event(mention(PWP_QUESTION, ts="103.000001"))
    harness.drain()
    first = harness.store.thread("C0001", "103.000001").last_answer
    assert first.calculator == "pwp" and first.calculation["inputs"]["years"] == 1

    harness.event(message("2年なら？", ts="103.000005", thread_ts="103.000001"))
    harness.drain()
    replies = harness.replies_in("C0001", "103.000001")
    assert len(replies) == 2
    again = harness.store.thread("C0001", "103.000001").last_answer
    assert again.calculator == "pwp"
    assert again.calculation["inputs"]["years"] == 2
    assert again.calculation["inputs"]["coverage_end"] == "2027-03-31"


def test_slack_unmentioned_messages_outside_answered_threads_are_ignored(harness):
    harness.event(message("CSNのIDはどうやって取るの？", ts="104.000001"))
    harness.event(message("こっちのスレッドの話", ts="104.000003", thread_ts="104.000002"))
    harness.drain()
    assert harness.posts() == []


def test_slack_bots_self_edits_and_deletions_are_ignored(harness):
    harness.event(
        message(
            "CSNのIDは？",
            channel="D0001",
            channel_type="im",
            ts="105.000001",
            user=None,
            bot_id="BOTHER",
            subtype="bot_message",
        )
    )
    harness.event(
        message(
            "CSNのIDは？",
            channel="D0001",
            channel_type="im",
            ts="105.000002",
            user="UOTHERBOT",
            bot_id="BOTHER",
        )
    )
    harness.event(
        message(
            "CSNのIDは？", channel="D0001", channel_type="im", ts="105.000003", user=BOT_USER, bot_id=BOT_ID
        )
    )
    harness.event(
        message(
            "",
            channel="D0001",
            channel_type="im",
            ts="105.000004",
            user=None,
            subtype="message_changed",
            message={"type": "message", "user": "UPARTNER", "text": "CSNのIDは？", "ts": "105.000001"},
        )
    )
    harness.event(
        message(
            "",
            channel="D0001",
            channel_type="im",
            ts="105.000005",
            user=None,
            subtype="message_deleted",
            deleted_ts="105.000001",
        )
    )
    edited = mention("CSNのIDは？", ts="105.000006")
    edited["edited"] = {"user": "UPARTNER", "ts": "105.000007"}
    harness.event(edited)
    harness.drain()
    assert harness.posts() == []


def test_slack_app_mention_and_message_for_one_message_answer_once(harness):
    text = f"<@{BOT_USER}> CSNのIDはどうやって取るの？"
    harness.event(mention("CSNのIDはどうやって取るの？", ts="106.000001"))
    harness.event(message(text, ts="106.000001"))
    # The other order, on another message.
    harness.event(message(text, ts="106.000002"))
    harness.event(mention("CSNのIDはどうやって取るの？", ts="106.000002"))
    harness.drain()
    assert sorted(p["thread_ts"] for p in harness.posts()) == ["106.000001", "106.000002"]


def test_slack_retried_event_is_acknowledged_and_not_answered_again(harness):
    event = mention("CSNのIDはどうやって取るの？", ts="107.000001")
    assert harness.event(event, event_id="EvRETRY1").status == 200
    harness.drain()
    for attempt in (1, 2, 3):
        assert harness.event(event, event_id="EvRETRY1", retry_num=attempt).status == 200
    harness.drain()
    assert len(harness.posts()) == 1


def test_slack_failed_reply_waits_in_the_outbox_and_the_retry_is_not_answered_twice(harness, recorder, caplog):
    event = mention("CSNのIDはどうやって取るの？", ts="108.000001")
    # A 5xx may pass: the answer stays in the outbox for its worker (tests/bot/slack/test_rel_outbox.py
    # delivers it), rather than being posted again as plain text.
    recorder.fail("chat.postMessage", status=500)
    with caplog.at_level(logging.WARNING, logger="faqbot.outbox"):
        harness.event(event, event_id="EvFAIL1")
        harness.drain()
    assert len(recorder.of("chat.postMessage")) == 1
    assert "reply:1 not delivered" in caplog.text and "HTTP 500" in caplog.text
    # Slack's retry of the event is acknowledged and dropped: the answer is already on its way.
    assert harness.event(event, event_id="EvFAIL1", retry_num=1).status == 200
    harness.drain()
    assert len(recorder.of("chat.postMessage")) == 1
    [waiting] = rows(harness.store, "outbox", "state = ?", ["pending"])
    assert waiting["key"] == "reply:1" and waiting["maybe_sent"] == 1


def test_slack_refused_blocks_fall_back_to_plain_text_and_the_bot_survives(harness, recorder, caplog):
    recorder.fail("chat.postMessage", error="invalid_blocks")
    with caplog.at_level(logging.ERROR, logger="faqbot.slack"):
        harness.event(mention("CSNのIDはどうやって取るの？", ts="109.000001"))
        harness.drain()
    assert "invalid_blocks" in caplog.text
    attempts = recorder.of("chat.postMessage")
    assert len(attempts) == 2
    assert "blocks" not in attempts[1].params and attempts[1].params["text"]
    # Still serving.
    harness.event(mention("修理の電話番号は？", ts="109.000002"))
    harness.drain()
    assert len(recorder.of("chat.postMessage")) == 3


def test_slack_empty_and_huge_questions_get_a_clear_reply(harness):
    harness.event({**mention("", ts="110.000001"), "text": f"<@{BOT_USER}>"})
    harness.event(mention("あ" * (texts.MAX_QUESTION_CHARS + 1), ts="110.000002"))
    harness.drain()
    by_thread = {p["thread_ts"]: p["text"] for p in harness.posts()}
    assert by_thread["110.000001"] == texts.EMPTY_QUESTION
    assert by_thread["110.000002"] == texts.TOO_LONG_QUESTION


def test_slack_staff_talking_in_an_answered_thread_is_not_answered(harness):
    harness.event(mention("CSNのIDはどうやって取るの？", ts="111.000001"))
    harness.drain()
    harness.event(
        message("お客様、こちらで確認します", ts="111.000002", thread_ts="111.000001", user="USTAFF1")
    )
    harness.drain()
    assert len(harness.posts()) == 1
