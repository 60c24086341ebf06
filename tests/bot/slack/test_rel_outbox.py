"""Slack faults against the outbox: each answer, card and notice reaches Slack exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from rel_support import keys_posted, make_bot
from slack_harness import STAFF, STAFF_CHANNEL, action_value
from slack_support import mention

from bot.desk import texts
from bot.desk.controls import CASE_CLAIM, ESCALATE

QUESTION = "CSNのIDはどうやって取るの？"


def ask(bot, ts: str, text: str = QUESTION) -> None:
    assert bot.harness.event(mention(text, ts=ts)).status == 200
    bot.harness.drain()


def answers_in(bot, thread_ts: str) -> list[dict]:
    return [m for m in bot.recorder.messages_in("C0001") if m.get("thread_ts") == thread_ts]


def test_rel_rate_limit_is_waited_out_by_the_client(bot, recorder):
    recorder.rate_limit("chat.postMessage", times=1, retry_after=1)
    started = time.monotonic()
    ask(bot, "600.000001")
    assert time.monotonic() - started >= 1.0  # Retry-After honoured
    assert [c.method for c in recorder.calls if c.method == "chat.postMessage"] == ["chat.postMessage"] * 2
    [answer] = answers_in(bot, "600.000001")
    assert answer["blocks"]
    [row] = bot.outbox_rows()
    # Retried inside slack_sdk (RateLimitErrorRetryHandler): one outbox attempt.
    assert row["state"] == "sent" and row["attempts"] == 1 and row["result_ts"] == answer["ts"]


def test_rel_rate_limit_longer_than_the_client_waits_goes_to_the_outbox(bot, recorder):
    recorder.rate_limit("chat.postMessage", times=4, retry_after=0)
    ask(bot, "601.000001")
    assert bot.pending() == 1
    bot.flush()
    assert len(answers_in(bot, "601.000001")) == 1
    # 429 means Slack did not post: no look-up before the resend.
    assert not recorder.of("conversations.replies")


def test_rel_slack_5xx_for_a_while_then_every_write_once(bot, recorder):
    recorder.outage(60, status=503)
    ask(bot, "602.000001")
    ask(bot, "602.000002", "修理の電話番号は？")
    assert bot.pending() == 2 and not recorder.messages_in("C0001")
    recorder.outage(0)
    bot.flush()
    assert len(answers_in(bot, "602.000001")) == 1 and len(answers_in(bot, "602.000002")) == 1
    assert sorted(keys_posted(recorder, "C0001")) == ["reply:1", "reply:2"]
    # A 5xx may come after Slack acted: the thread was read back before posting again.
    assert len(recorder.of("conversations.replies")) >= 2
    # Delivered late, the reply is still remembered for the thread's follow-ups.
    assert bot.store.question(1)["reply_ts"] == answers_in(bot, "602.000001")[0]["ts"]


def test_rel_slack_unreachable_then_back(bot, recorder):
    recorder.down()
    try:
        ask(bot, "603.000001")
        [row] = bot.outbox_rows()
        assert row["state"] == "pending" and row["maybe_sent"] == 0 and "URLError" in row["error"]
    finally:
        recorder.up()
    bot.flush()
    assert len(answers_in(bot, "603.000001")) == 1
    # Refused connections never reached Slack: nothing to look for.
    assert not recorder.of("conversations.replies")


def test_rel_lost_response_is_not_posted_twice(bot, recorder):
    recorder.lose_responses("chat.postMessage")
    ask(bot, "604.000001")
    # Slack has the answer, the bot does not know it yet.
    assert len(answers_in(bot, "604.000001")) == 1 and bot.pending() == 1
    bot.flush()
    assert len(answers_in(bot, "604.000001")) == 1
    [row] = bot.outbox_rows()
    assert row["state"] == "sent" and row["result_ts"] == answers_in(bot, "604.000001")[0]["ts"]
    assert len(recorder.of("chat.postMessage")) == 1


def test_rel_timeout_is_treated_like_a_lost_response(bot, recorder):
    bot.services.outbox.client.timeout = 1
    recorder.slow("chat.postMessage", seconds=2.0)
    ask(bot, "605.000001")
    assert bot.pending() == 1
    bot.flush()
    assert len(answers_in(bot, "605.000001")) == 1


def test_rel_an_answer_posted_late_after_the_client_gave_up_is_not_posted_twice(bot, recorder):
    # Slack takes 2.5 s to post and only then answers; the client gives up after 1 s, so when
    # the outbox retries, a look at the thread does not show the message yet.
    outbox = bot.services.outbox
    outbox.client.timeout = 1
    outbox.settle = 4.0
    recorder.slow_to_act("chat.postMessage", seconds=2.5, times=3)
    ask(bot, "605.000002")
    bot.flush(timeout=20)
    # Looked for once the call had had its time, not posted again (a second call would post too).
    assert len(recorder.of("chat.postMessage")) == 1
    [row] = bot.outbox_rows()
    assert row["state"] == "sent" and row["result_ts"] == answers_in(bot, "605.000002")[0]["ts"]


def test_rel_a_staff_card_posted_late_is_not_posted_twice(bot, recorder):
    outbox = bot.services.outbox
    outbox.client.timeout = 1
    outbox.settle = 4.0
    ask(bot, "605.000003")
    [answer] = answers_in(bot, "605.000003")
    recorder.slow_to_act("chat.postMessage", seconds=2.5, times=3)
    value = action_value(answer["blocks"], ESCALATE)
    assert bot.harness.click(ESCALATE, value, message_ts=answer["ts"], thread_ts="605.000003").status == 200
    bot.flush(timeout=30)
    # The card and the thread's notice: each posted by one call.
    staff_posts = [c for c in recorder.of("chat.postMessage") if c.params["channel"] == STAFF_CHANNEL]
    notices = [c for c in recorder.of("chat.postMessage") if c.params["text"] == texts.HANDED_OVER]
    assert (len(staff_posts), len(notices)) == (1, 1)
    assert len(recorder.messages_in(STAFF_CHANNEL)) == 1


def test_rel_writes_in_a_thread_keep_their_order(bot, recorder):
    recorder.outage(60)
    ask(bot, "606.000001", "保証終了日が2027年3月31日ですが、ポストワランティはいつから発注できますか")
    recorder.outage(0)
    # A follow-up while the first answer waits: it must not overtake it.
    bot.harness.event(mention("2年なら？", ts="606.000002", thread_ts="606.000001"))
    bot.harness.drain()
    assert not answers_in(bot, "606.000001")
    bot.flush()
    keys = [m["metadata"]["event_payload"]["key"] for m in answers_in(bot, "606.000001")]
    assert keys == ["reply:1", "reply:2"]


def test_rel_escalation_during_an_outage_reaches_the_staff_and_the_thread_once(bot, recorder):
    ask(bot, "607.000001")
    reply = answers_in(bot, "607.000001")[0]
    recorder.outage(60)
    bot.harness.click(ESCALATE, action_value(reply["blocks"], ESCALATE), message_ts=reply["ts"], thread_ts="607.000001")
    bot.harness.drain()
    case = bot.store.case_for_thread("C0001", "607.000001")
    assert case is not None and case.staff_ts is None
    # The escalator is told it is recorded and will follow (Slack refuses that too, mid-outage).
    assert recorder.of("chat.postEphemeral")[-1].params["text"] == texts.HANDOVER_DELAYED
    recorder.outage(0)
    bot.flush()
    assert len(recorder.messages_in(STAFF_CHANNEL)) == 1
    notices = [m["text"] for m in answers_in(bot, "607.000001") if m["text"] == texts.HANDED_OVER]
    assert notices == [texts.HANDED_OVER]
    case = bot.store.case(case.id)
    assert case.staff_ts == recorder.messages_in(STAFF_CHANNEL)[0]["ts"]

    # A claim during another outage: the card update and the notice follow when Slack is back.
    recorder.outage(60)
    bot.harness.click(CASE_CLAIM, str(case.id), user=STAFF, channel=STAFF_CHANNEL, message_ts=case.staff_ts)
    bot.harness.drain()
    assert bot.store.case(case.id).claimed_by == STAFF and bot.pending() == 2
    recorder.outage(0)
    bot.flush()
    assert bot.store.case(case.id).claimed_by == STAFF
    assert [m["text"] for m in answers_in(bot, "607.000001")].count(texts.claimed(STAFF)) == 1
    assert "対応中" in str(recorder.of("chat.update")[-1].params["blocks"])


def test_rel_refused_write_is_given_up_not_retried(bot, recorder):
    recorder.fail("chat.postMessage", error="not_in_channel")
    ask(bot, "608.000001", "こんにちは")
    bot.harness.drain()
    [row] = bot.outbox_rows()
    assert row["state"] == "dead" and row["error"].startswith("not_in_channel")
    assert bot.pending() == 0


def test_rel_a_write_failing_for_a_day_is_given_up(bot, recorder):
    bot.services.outbox.give_up = 0.2
    recorder.outage(30)
    ask(bot, "609.000001")
    time.sleep(0.3)
    bot.services.outbox.deliver_due()
    [row] = bot.outbox_rows()
    assert row["state"] == "dead"


def test_rel_pending_writes_survive_a_restart(recorder, tmp_path):
    first = make_bot(recorder, tmp_path)
    recorder.outage(60)
    ask(first, "610.000001")
    ask(first, "610.000002", "修理の電話番号は？")
    assert first.pending() == 2
    first.close()

    recorder.outage(0)
    second = make_bot(recorder, tmp_path)
    try:
        second.services.outbox.recover()
        second.flush()
        assert sorted(keys_posted(recorder, "C0001")) == ["reply:1", "reply:2"]
    finally:
        second.close()


def test_rel_write_caught_mid_send_by_a_crash_is_found_not_doubled(recorder, tmp_path):
    bot = make_bot(recorder, tmp_path)
    ask(bot, "611.000001")
    [row] = bot.outbox_rows()
    # As if the process died after Slack posted and before the row was marked sent.
    bot.store.db.execute("UPDATE outbox SET state = 'sending', result_ts = NULL WHERE id = ?", [row["id"]])
    bot.close()

    again = make_bot(recorder, tmp_path)
    try:
        assert again.services.outbox.recover() == 1
        again.flush()
        assert len(answers_in(again, "611.000001")) == 1
        assert len(recorder.of("chat.postMessage")) == 1
        assert again.outbox_rows()[0]["result_ts"] == answers_in(again, "611.000001")[0]["ts"]
    finally:
        again.close()


def test_rel_outbox_worker_thread_delivers_by_itself(bot, recorder):
    bot.services.outbox.start()
    recorder.outage(0.3)
    ask(bot, "612.000001")
    deadline = time.monotonic() + 10
    while not answers_in(bot, "612.000001") and time.monotonic() < deadline:
        time.sleep(0.05)
    bot.services.outbox.stop()
    assert len(answers_in(bot, "612.000001")) == 1


def test_rel_retries_back_off_and_are_capped(bot, recorder):
    recorder.outage(60)
    ask(bot, "613.000001")
    delays = []
    for _ in range(4):
        [row] = bot.outbox_rows()
        time.sleep(max(0.0, row["next_at"] - time.time()))
        bot.services.outbox.deliver_due()
        [row] = bot.outbox_rows()
        delays.append(row["next_at"] - time.time())
    # first_retry 0.05 s doubling, capped at max_retry 0.3 s (seconds to a minute in production).
    for measured, expected in zip(delays, [0.1, 0.2, 0.3, 0.3], strict=True):
        assert expected - 0.08 <= measured <= expected + 0.01


def worker_passes(outbox, monkeypatch) -> Callable[[], int]:
    """Start the outbox worker and let it reach its idle wait; a count of its passes since."""
    passes = []
    deliver_due = outbox.deliver_due
    monkeypatch.setattr(outbox, "deliver_due", lambda: passes.append(None) or deliver_due())
    outbox.start()
    time.sleep(0.1)
    idle = len(passes)
    return lambda: len(passes) - idle


def test_rel_a_write_waiting_in_its_lane_goes_once_the_one_in_front_is_sent(bot, recorder, monkeypatch):
    outbox = bot.services.outbox
    passes = worker_passes(outbox, monkeypatch)
    first = outbox.add_message(key="first", channel="C0001", thread_ts="614.000001", text="1")
    second = outbox.add_message(key="second", channel="C0001", thread_ts="614.000001", text="2")
    recorder.slow("chat.postMessage", 0.5)
    in_front = threading.Thread(target=outbox.send, args=([first],))
    in_front.start()
    while bot.outbox_rows()[0]["state"] != "sending":
        time.sleep(0.01)
    # Behind a write being sent: left to the worker, which has nothing it may send yet.
    assert outbox.send([second]) == {second: "pending"}
    in_front.join()
    sent_first = time.monotonic()
    deadline = sent_first + 10
    while bot.pending() and time.monotonic() < deadline:
        time.sleep(0.01)
    delivered = time.monotonic()
    outbox.stop()
    assert keys_posted(recorder, "C0001") == ["first", "second"]
    # Woken by the send in front, not by its idle timer (5 s) …
    assert delivered - sent_first < 1.0
    # … and not spinning in between: the pass the blocked write woke, the one that sent it.
    assert passes() <= 3


def test_rel_a_write_sent_by_its_listener_leaves_the_worker_asleep(bot, recorder, monkeypatch):
    outbox = bot.services.outbox
    passes = worker_passes(outbox, monkeypatch)
    for i in range(5):
        ask(bot, f"615.00000{i}")
    time.sleep(0.1)
    outbox.stop()
    assert len(keys_posted(recorder, "C0001")) == 5
    # The worker would only race the listeners for their own writes (one store round each).
    assert passes() == 0
