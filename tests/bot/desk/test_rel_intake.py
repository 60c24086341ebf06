"""The event journal: Slack's duplicates dropped, acknowledged events never lost, nothing else stored."""

from __future__ import annotations

import logging

from rel_support import DeadListeners, keys_posted, make_bot
from slack_harness import STAFF_CHANNEL, count
from slack_support import BOT_USER, mention, message

from bot.desk.intake import MAX_REPLAYS

QUESTION = "CSNのIDはどうやって取るの？"


def replies(recorder, thread_ts: str, channel: str = "C0001") -> list[dict]:
    return [m for m in recorder.messages_in(channel) if m.get("thread_ts") == thread_ts]


def test_rel_only_messages_for_the_bot_are_stored(bot, recorder):
    h = bot.harness
    h.event(message("今日の会議は15時からです", ts="700.000001"))
    h.event(message("了解です", ts="700.000002", thread_ts="700.000001"))
    h.event(message("別の話", ts="700.000003", subtype="channel_join"))
    h.event({"type": "reaction_added", "user": "UPARTNER", "reaction": "thumbsup",
             "item": {"type": "message", "channel": "C0001", "ts": "700.000001"}, "event_ts": "1.0"})
    h.drain()
    for table in ("seen", "questions", "threads", "outbox", "cases"):
        assert count(bot.store, table) == 0, table

    h.event(mention(QUESTION, ts="700.000010"))
    h.drain()
    [entry] = list(bot.store.db.table("seen").rows)
    # Settled: the key stays for deduplication, the text is not kept twice.
    assert entry["key"] == "message:C0001:700.000010" and entry["state"] == "done" and entry["job"] is None


def test_rel_retry_while_the_original_is_in_flight_is_dropped(bot, recorder):
    recorder.slow("chat.postMessage", seconds=0.5)
    event = mention(QUESTION, ts="701.000001")
    assert bot.harness.event(event, event_id="EvINFLIGHT").status == 200
    # Slack gave up waiting and retries while the first delivery is still being answered.
    assert bot.harness.event(event, event_id="EvINFLIGHT", retry_num=1).status == 200
    assert bot.harness.event(event, event_id="EvINFLIGHT", retry_num=2).status == 200
    bot.flush()
    assert len(replies(recorder, "701.000001")) == 1


def replay(bot) -> int:
    """What `faqbot serve` does after a start: the journal's unfinished jobs, run again."""
    return bot.services.intake.replay(bot.services.outbox.client, bot.store.unsettled(), lambda: False)


def test_rel_event_acknowledged_then_lost_is_answered_after_restart(recorder, tmp_path):
    crashed = make_bot(recorder, tmp_path, executor=DeadListeners())
    event = mention(QUESTION, ts="702.000001")
    assert crashed.harness.event(event, event_id="EvCRASH").status == 200
    assert not recorder.messages_in("C0001")
    crashed.close()

    restarted = make_bot(recorder, tmp_path)
    try:
        assert replay(restarted) == 1
        restarted.flush()
        assert len(replies(recorder, "702.000001")) == 1
        # Slack's own retry of it, now or later, is acknowledged and not answered again.
        assert restarted.harness.event(event, event_id="EvCRASH", retry_num=1).status == 200
        restarted.harness.event({**event, "type": "message", "channel_type": "channel"})
        restarted.flush()
        assert len(replies(recorder, "702.000001")) == 1
        assert replay(restarted) == 0
    finally:
        restarted.close()


def test_rel_reaction_escalation_lost_after_ack_is_replayed_once(recorder, tmp_path):
    recorder.threads[("C0002", "703.000003")] = [
        {"type": "message", "ts": "703.000001", "thread_ts": "703.000001", "user": "UCUSTOMER", "text": "RAIDが壊れた"}
    ]
    crashed = make_bot(recorder, tmp_path, executor=DeadListeners())
    reaction = {
        "type": "reaction_added",
        "user": "UCUSTOMER",
        "reaction": "sos",
        "item": {"type": "message", "channel": "C0002", "ts": "703.000003"},
        "event_ts": "703.000009",
    }
    assert crashed.harness.event(reaction, event_id="EvSOS").status == 200
    crashed.close()

    restarted = make_bot(recorder, tmp_path)
    try:
        replay(restarted)
        restarted.flush()
        case = restarted.store.case_for_thread("C0002", "703.000001")
        assert case is not None and case.question == "RAIDが壊れた" and case.escalations == 1
        assert len(recorder.messages_in(STAFF_CHANNEL)) == 1
        restarted.harness.event(reaction, event_id="EvSOS", retry_num=1)
        restarted.flush()
        assert restarted.store.case(case.id).escalations == 1
    finally:
        restarted.close()


def test_rel_an_event_that_keeps_failing_is_dropped_after_a_few_starts(bot, recorder, caplog):
    job = {"kind": "question", "channel": "C0001", "ts": "704.000001", "thread_ts": None, "user": "UPARTNER",
           "text": f"<@{BOT_USER}> {QUESTION}", "via": "mention", "bot_user_id": BOT_USER}
    bot.store.claim("message:C0001:704.000001", bot.services.clock.now(), job)
    for _ in range(MAX_REPLAYS):
        bot.store.count_replay("message:C0001:704.000001")
    with caplog.at_level(logging.ERROR, logger="faqbot.intake"):
        assert replay(bot) == 0
    assert "dropped" in caplog.text
    assert not bot.store.unsettled() and not recorder.messages_in("C0001")


def test_rel_duplicate_deliveries_across_a_restart_answer_once(recorder, tmp_path):
    first = make_bot(recorder, tmp_path)
    first.harness.event(mention(QUESTION, ts="705.000001"))
    first.flush()
    first.close()
    second = make_bot(recorder, tmp_path)
    try:
        text = f"<@{BOT_USER}> {QUESTION}"
        second.harness.event(message(text, ts="705.000001"))
        second.harness.event(mention(QUESTION, ts="705.000001"), retry_num=1)
        second.flush()
        assert keys_posted(recorder, "C0001") == ["reply:1"]
    finally:
        second.close()
