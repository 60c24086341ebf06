"""Nobody where they don't belong: signatures, staff checks, forged button values and modal metadata."""

from __future__ import annotations

import json
import time

import pytest
from slack_bolt.request import BoltRequest
from slack_harness import OTHER_STAFF, STAFF, STAFF_CHANNEL, action_value, count
from slack_support import SIGNING_SECRET, event_body, mention, signed_headers

from bot.desk import texts
from bot.desk.case_state import CaseStatus
from bot.desk.controls import (
    CASE_CLAIM,
    CASE_RESOLVE,
    CHOOSE_INTENT_PREFIX,
    ESCALATE,
    ESCALATE_MODAL,
    FEEDBACK_RESOLVED,
    SHARE_ANSWER,
    choice_value,
)

QUESTION = "CSNのIDはどうやって取るの？"


def ask(bot, ts: str, channel: str = "C0001") -> dict:
    bot.harness.event(mention(QUESTION, ts=ts, channel=channel))
    bot.flush()
    return [m for m in bot.recorder.messages_in(channel) if m.get("thread_ts") == ts][-1]


def ephemerals(recorder, user: str | None = None) -> list[str]:
    return [c.params["text"] for c in recorder.of("chat.postEphemeral") if user in (None, c.params["user"])]


def escalated(bot, ts: str) -> int:
    reply = ask(bot, ts)
    bot.harness.click(ESCALATE, action_value(reply["blocks"], ESCALATE), message_ts=reply["ts"], thread_ts=ts)
    bot.flush()
    return bot.store.case_for_thread("C0001", ts).id


# --- request signatures (HTTP mode) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "headers"),
    [
        ("unsigned", lambda body: {"Content-Type": "application/json"}),
        ("wrong secret", lambda body: signed_headers(body, "application/json", secret="not-the-secret")),
        ("stale (6 minutes)", lambda body: signed_headers(body, "application/json", timestamp=int(time.time()) - 360)),
        ("from the future", lambda body: signed_headers(body, "application/json", timestamp=int(time.time()) + 360)),
        (
            "body changed after signing",
            lambda body: signed_headers(body.replace("CSN", "XSN"), "application/json"),
        ),
    ],
)
def test_rel_badly_signed_requests_are_rejected_and_do_nothing(bot, recorder, case, headers):
    body = event_body(mention(QUESTION, ts="800.000001"))
    response = bot.harness.app.dispatch(BoltRequest(body=body, headers=headers(body)))
    assert response.status == 401, case
    bot.harness.drain()
    assert count(bot.store, "seen") == 0 and not recorder.of("chat.postMessage")


def test_rel_fresh_signature_within_five_minutes_is_accepted(bot):
    body = event_body(mention(QUESTION, ts="800.000002"))
    headers = signed_headers(body, "application/json", secret=SIGNING_SECRET, timestamp=int(time.time()) - 240)
    assert bot.harness.app.dispatch(BoltRequest(body=body, headers=headers)).status == 200


# --- staff ----------------------------------------------------------------------------------


def test_rel_staff_from_a_user_group(make, recorder):
    recorder.usergroups["S0STAFF"] = ["UGROUPIE"]
    bot = make(FAQBOT_STAFF_USERS="", FAQBOT_STAFF_GROUP="S0STAFF")
    case_id = escalated(bot, "801.000001")
    staff_ts = bot.store.case(case_id).staff_ts
    bot.harness.click(CASE_CLAIM, str(case_id), user="UOUTSIDER", channel=STAFF_CHANNEL, message_ts=staff_ts)
    bot.flush()
    assert bot.store.case(case_id).status is CaseStatus.open
    assert "担当者のみ" in ephemerals(recorder, "UOUTSIDER")[-1]
    bot.harness.click(CASE_CLAIM, str(case_id), user="UGROUPIE", channel=STAFF_CHANNEL, message_ts=staff_ts)
    bot.flush()
    assert bot.store.case(case_id).claimed_by == "UGROUPIE"
    # Slack cannot be asked for a while: the members last seen still count, outsiders still do not.
    bot.services.staff._next_fetch = 0.0
    recorder.outage(60)
    assert "UGROUPIE" in bot.services.staff and "UOUTSIDER" not in bot.services.staff
    assert len(recorder.of("usergroups.users.list")) == 2


def test_rel_forged_case_id_cannot_touch_another_threads_case(bot, recorder):
    first = escalated(bot, "802.000001")
    second = escalated(bot, "802.000002")
    first_card = bot.store.case(first).staff_ts
    # The button on the first card, carrying the second case's id.
    bot.harness.click(CASE_RESOLVE, str(second), user=STAFF, channel=STAFF_CHANNEL, message_ts=first_card)
    bot.flush()
    assert bot.store.case(second).status is CaseStatus.open and bot.store.case(first).status is CaseStatus.open
    assert ephemerals(recorder, STAFF)[-1] == texts.INVALID_BUTTON
    # Pressed anywhere but on a card (a partner's channel) it is refused too.
    bot.harness.click(CASE_RESOLVE, str(first), user=STAFF, channel="C0001", message_ts=first_card)
    bot.flush()
    assert bot.store.case(first).status is CaseStatus.open


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "1.5", "1e3", "0x10", "9" * 40, " 1", "１"])
def test_rel_malformed_ids_are_refused_politely(bot, recorder, value):
    reply = ask(bot, "803.000001")
    case_id = escalated(bot, "803.000002")
    staff_ts = bot.store.case(case_id).staff_ts
    for action_id, user, channel, ts, thread in (
        (FEEDBACK_RESOLVED, "UPARTNER", "C0001", reply["ts"], "803.000001"),
        (ESCALATE, "UPARTNER", "C0001", reply["ts"], "803.000001"),
        (CASE_CLAIM, OTHER_STAFF, STAFF_CHANNEL, staff_ts, None),
        (SHARE_ANSWER, "UPARTNER", "C0001", "0", None),
    ):
        response = bot.harness.click(action_id, value, user=user, channel=channel, message_ts=ts, thread_ts=thread)
        assert response.status == 200, action_id
    bot.flush()
    assert count(bot.store, "cases") == 1 and count(bot.store, "feedback") == 0
    assert bot.store.case(case_id).status is CaseStatus.open


def test_rel_question_of_another_thread_is_refused(bot, recorder):
    here = ask(bot, "804.000001")
    elsewhere = ask(bot, "804.000002", channel="C0009")
    other_id = action_value(elsewhere["blocks"], ESCALATE)
    bot.harness.click(ESCALATE, other_id, message_ts=here["ts"], thread_ts="804.000001")
    bot.harness.click(FEEDBACK_RESOLVED, other_id, message_ts=here["ts"], thread_ts="804.000001")
    bot.flush()
    assert count(bot.store, "cases") == 0 and count(bot.store, "feedback") == 0
    assert ephemerals(recorder, "UPARTNER") == [texts.INVALID_BUTTON, texts.FEEDBACK_UNKNOWN_QUESTION]


def test_rel_forged_choice_values_are_refused(bot, recorder):
    reply = ask(bot, "805.000001")
    elsewhere = ask(bot, "805.000002", channel="C0009")
    other_id = int(action_value(elsewhere["blocks"], ESCALATE))
    for value in ("not json", "[]", '{"intent": 5}', choice_value("Q1; DROP TABLE questions", None),
                  choice_value("Q1", other_id)):
        bot.harness.click(CHOOSE_INTENT_PREFIX + "Q1", value, message_ts=reply["ts"], thread_ts="805.000001")
    # A well-formed value naming an intent the bot does not have.
    bot.harness.click(CHOOSE_INTENT_PREFIX + "Q99", choice_value("Q99", None), message_ts=reply["ts"],
                      thread_ts="805.000001")
    bot.flush()
    told = ephemerals(recorder, "UPARTNER")
    assert told == [texts.INVALID_BUTTON] * 5 + [texts.ANSWER_FAILED]
    assert len([m for m in recorder.messages_in("C0001") if m.get("thread_ts") == "805.000001"]) == 1


def test_rel_a_genuine_choice_is_answered_in_its_thread(bot, recorder):
    reply = ask(bot, "805.000009")
    question_id = int(action_value(reply["blocks"], ESCALATE))
    bot.harness.click(CHOOSE_INTENT_PREFIX + "Q5", choice_value("Q5", question_id), message_ts=reply["ts"],
                      thread_ts="805.000009", text="Q5 の項目")
    bot.flush()
    replies = [m for m in recorder.messages_in("C0001") if m.get("thread_ts") == "805.000009"]
    assert len(replies) == 2 and bot.store.thread("C0001", "805.000009").last_answer.intent == "Q5"
    assert not ephemerals(recorder)


def test_rel_only_the_person_who_ran_a_command_can_share_its_answer(bot, recorder):
    ack = bot.harness.command("/faq", QUESTION, user="UFIRST")
    answer_id = action_value(json.loads(ack.body)["blocks"], SHARE_ANSWER)
    bot.harness.click(SHARE_ANSWER, answer_id, user="USECOND", channel="C0001", message_ts="0", ephemeral=True)
    bot.flush()
    assert not recorder.messages_in("C0001")
    assert texts.SHARE_EXPIRED in str(recorder.of("response_url")[-1].params)
    bot.harness.click(SHARE_ANSWER, answer_id, user="UFIRST", channel="C0001", message_ts="0", ephemeral=True)
    bot.flush()
    assert len(recorder.messages_in("C0001")) == 1


@pytest.mark.parametrize(
    "metadata",
    [
        "not json",
        "[]",
        json.dumps({"channel": "C0001; DROP", "thread_ts": "1.0", "text": "", "author": None}),
        json.dumps({"channel": "C0001", "thread_ts": "../../etc", "text": "", "author": None}),
        json.dumps({"channel": "C0001", "thread_ts": "1.0", "text": "x" * 5000, "author": None}),
        json.dumps({"channel": "C0001", "thread_ts": "1.0", "text": "", "author": "<script>"}),
    ],
)
def test_rel_forged_modal_metadata_is_refused_in_the_modal(bot, metadata):
    response = bot.harness.submit_view(ESCALATE_MODAL, metadata, {}, user=STAFF)
    bot.flush()
    assert response.status == 200 and json.loads(response.body)["response_action"] == "errors"
    assert count(bot.store, "cases") == 0


# --- what users are shown when something breaks ------------------------------------------------


def test_rel_internal_errors_show_no_trace_or_path(bot, recorder, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom in /work/main/intents/router.py line 42")

    monkeypatch.setattr("bot.desk.answering.route", broken)
    monkeypatch.setattr("bot.slack.listeners.commands.route", broken)
    bot.harness.event(mention(QUESTION, ts="806.000001"))
    ack = bot.harness.command("/faq", QUESTION)
    bot.flush()
    shown = [m["text"] for m in recorder.messages_in("C0001")] + [json.loads(ack.body)["text"]]
    assert shown == [texts.INTERNAL_ERROR, texts.INTERNAL_ERROR]
    for text in shown:
        assert "Traceback" not in text and "/work" not in text and ".py" not in text and "boom" not in text


def test_rel_a_shortcut_without_a_message_opens_nothing(bot, recorder):
    response = bot.harness.payload(
        {
            "type": "message_action",
            "callback_id": "escalate_message",
            "trigger_id": "trigger.9",
            "token": "legacy",
            "team": {"id": "T0001"},
            "user": {"id": STAFF},
            "channel": {"id": "C0001"},
            "message": {"type": "message", "text": "ts がない"},
            "response_url": recorder.url + "/response/shortcut",
        }
    )
    bot.flush()
    assert response.status == 200 and not recorder.of("views.open")


# --- partner text never pings anyone -----------------------------------------------------------

HOSTILE = "<!channel> <!everyone> <!here> <@U0BOSS> <!subteam^S0TEAM> <https://evil.example|公式サイト> 保守の登録方法は？"
PINGS = ("<!", "<@", "<http")


def test_rel_partner_text_never_pings_the_staff_channel(bot, recorder):
    bot.harness.event(mention(HOSTILE, ts="1901.000001"))
    bot.flush()
    reply = [m for m in recorder.messages_in("C0001") if m.get("thread_ts") == "1901.000001"][-1]
    bot.harness.click(ESCALATE, action_value(reply["blocks"], ESCALATE), message_ts=reply["ts"], thread_ts="1901.000001")
    bot.flush()
    case = bot.store.case_for_thread("C0001", "1901.000001")
    bot.harness.click(CASE_CLAIM, str(case.id), user=STAFF, channel=STAFF_CHANNEL, message_ts=case.staff_ts)
    bot.flush()
    card_texts = [
        c.params["text"]
        for c in recorder.of("chat.postMessage") + recorder.of("chat.update")
        if c.params.get("channel") == STAFF_CHANNEL
    ]
    assert len(card_texts) >= 2  # the card posted, then updated when claimed
    for text in card_texts:
        assert "保守の登録方法は" in text and not any(ping in text for ping in PINGS), text
    for call in recorder.of("chat.postMessage"):
        assert not any(ping in (call.params.get("text") or "") for ping in ("<!", "<https://evil")), call.params


def test_rel_usage_errors_do_not_echo_markup(bot):
    response = bot.harness.command("/pwp", "<!channel> 2027-02-30")
    body = json.loads(response.body)
    assert not any(ping in body["text"] for ping in PINGS), body["text"]


# --- a button pressed twice acts once -------------------------------------------------------------


def test_rel_a_choice_pressed_twice_answers_once(bot, recorder):
    reply = ask(bot, "1905.000001")
    question_id = int(action_value(reply["blocks"], ESCALATE))
    for _ in range(2):
        bot.harness.click(CHOOSE_INTENT_PREFIX + "Q5", choice_value("Q5", question_id), message_ts=reply["ts"],
                          thread_ts="1905.000001", text="Q5 の項目")
        bot.flush()
    replies = [m for m in recorder.messages_in("C0001") if m.get("thread_ts") == "1905.000001"]
    assert len(replies) == 2  # the question's answer and one answer for the choice
    bot.harness.click(CHOOSE_INTENT_PREFIX + "Q6", choice_value("Q6", question_id), message_ts=reply["ts"],
                      thread_ts="1905.000001", text="Q6 の項目")
    bot.flush()
    replies = [m for m in recorder.messages_in("C0001") if m.get("thread_ts") == "1905.000001"]
    assert len(replies) == 3  # another choice is another answer


def test_rel_share_pressed_twice_posts_once(bot, recorder):
    ack = bot.harness.command("/faq", QUESTION, user="UFIRST")
    answer_id = action_value(json.loads(ack.body)["blocks"], SHARE_ANSWER)
    for _ in range(3):
        bot.harness.click(SHARE_ANSWER, answer_id, user="UFIRST", channel="C0001", message_ts="0", ephemeral=True)
        bot.flush()
    assert len(recorder.messages_in("C0001")) == 1
    assert texts.ALREADY_SHARED in str(recorder.of("response_url")[-1].params)
