"""Escalation: three ways in, one case per thread, the staff card and the thread notices."""

from __future__ import annotations

import json
import logging

from slack_harness import OTHER_STAFF, STAFF, STAFF_CHANNEL, action_ids, action_value, count, rows
from slack_support import BOT_USER, mention

from bot.desk import texts
from bot.desk.case_state import CaseStatus, Resolution
from bot.desk.controls import (
    CASE_BOT_CORRECT,
    CASE_CLAIM,
    CASE_RESOLVE,
    ESCALATE,
    ESCALATE_MODAL,
    ESCALATE_SHORTCUT,
)

QUESTION = "CSNのIDはどうやって取るの？"


def answered(harness, ts: str = "300.000001", text: str = QUESTION) -> tuple[str, str]:
    """Ask in a channel; returns (question id, the reply's ts)."""
    harness.event(mention(text, ts=ts))
    harness.drain()
    reply = harness.replies_in("C0001", ts)[-1]
    question_id = action_value(reply["blocks"], ESCALATE)
    return question_id, harness.store.question(int(question_id))["reply_ts"]


def press_escalate(
    harness, question_id: str, reply_ts: str, root: str = "300.000001", user: str = "UPARTNER"
):
    harness.click(ESCALATE, question_id, user=user, message_ts=reply_ts, thread_ts=root)
    harness.drain()


def cards(harness) -> list[dict]:
    """Staff cards (with blocks), not the plain notices posted beside them."""
    return [post for post in harness.posts(STAFF_CHANNEL) if post.get("blocks")]


def card_text(params: dict) -> str:
    return json.dumps(params["blocks"], ensure_ascii=False)


def react(
    harness, channel: str, ts: str, user: str = "UPARTNER", reaction: str = "sos", event_id: str | None = None
):
    event = {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item_user": BOT_USER,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": "399.000001",
    }
    harness.event(event, event_id=event_id)
    harness.drain()


def shortcut(harness, channel: str, message: dict, user: str = STAFF) -> None:
    harness.payload(
        {
            "type": "message_action",
            "callback_id": ESCALATE_SHORTCUT,
            "trigger_id": "trigger.3",
            "token": "legacy",
            "action_ts": "1.0",
            "team": {"id": "T0001"},
            "user": {"id": user},
            "channel": {"id": channel},
            "message_ts": message["ts"],
            "message": message,
            "response_url": harness.recorder.url + "/response/shortcut",
        }
    )
    harness.drain()


def submit_modal(harness, note: str, user: str = STAFF) -> None:
    view = harness.recorder.of("views.open")[-1].params["view"]
    assert view["callback_id"] == ESCALATE_MODAL
    harness.submit_view(
        ESCALATE_MODAL,
        view.get("private_metadata", ""),
        {"note": {"note_input": {"type": "plain_text_input", "value": note}}},
        user=user,
    )
    harness.drain()


def staff_press(harness, action_id: str, case_id: int, user: str = STAFF) -> None:
    card = cards(harness)[0]
    harness.click(
        action_id,
        str(case_id),
        user=user,
        channel=STAFF_CHANNEL,
        message_ts=harness.store.case(case_id).staff_ts,
    )
    harness.drain()
    assert card


def test_slack_escalate_button_stores_a_case_posts_the_card_and_tells_the_thread(harness):
    question_id, reply_ts = answered(harness)
    press_escalate(harness, question_id, reply_ts)

    case = harness.store.case_for_thread("C0001", "300.000001")
    assert case is not None and case.status is CaseStatus.open and case.via == "button"
    assert case.asked_by == "UPARTNER" and case.question == QUESTION
    [card] = cards(harness)
    shown = card_text(card)
    assert QUESTION in shown
    assert "確信度" in shown and "上位候補" in shown
    assert "<@UPARTNER>" in shown
    assert "https://example.slack.com/archives/C0001/p300000001" in shown
    assert action_ids(card["blocks"]) == [CASE_CLAIM, CASE_RESOLVE, CASE_BOT_CORRECT]
    assert case.staff_ts and case.staff_channel == STAFF_CHANNEL
    notices = [p["text"] for p in harness.replies_in("C0001", "300.000001")]
    assert notices[-1] == texts.HANDED_OVER


def test_slack_calculator_inputs_are_on_the_card(harness):
    question_id, reply_ts = answered(
        harness, text="保証終了日が2027年3月31日ですが、ポストワランティはいつから発注できますか"
    )
    press_escalate(harness, question_id, reply_ts)
    shown = card_text(cards(harness)[0])
    assert "計算の入力と結果" in shown and "coverage_end" in shown and "2027-03-31" in shown


def test_slack_one_case_per_thread_however_it_is_escalated(harness):
    question_id, reply_ts = answered(harness)
    press_escalate(harness, question_id, reply_ts)
    press_escalate(harness, question_id, reply_ts, user="UOTHER")
    react(harness, "C0001", reply_ts)
    shortcut(
        harness,
        "C0001",
        {"type": "message", "ts": reply_ts, "thread_ts": "300.000001", "text": "回答", "user": BOT_USER},
    )
    submit_modal(harness, "")

    assert count(harness.store, "cases") == 1
    case = harness.store.case_for_thread("C0001", "300.000001")
    assert case.escalations == 4
    assert len(cards(harness)) == 1
    # The card shows the count; the thread was told only once.
    assert "×4" in card_text(harness.recorder.of("chat.update")[-1].params)
    notices = [p["text"] for p in harness.replies_in("C0001", "300.000001") if p["text"] == texts.HANDED_OVER]
    assert len(notices) == 1
    told = [c.params for c in harness.recorder.of("chat.postEphemeral")]
    assert {t["user"] for t in told} == {"UOTHER", "UPARTNER", STAFF}
    assert all(t["text"] == texts.ALREADY_HANDED_OVER for t in told)


def test_slack_shortcut_on_any_message_escalates_with_a_note(harness):
    message = {
        "type": "message",
        "ts": "310.000003",
        "thread_ts": "310.000001",
        "text": "見積もりの件で相談です",
        "user": "UCUSTOMER",
    }
    shortcut(harness, "C0003", message)
    assert count(harness.store, "cases") == 0  # only the modal so far
    submit_modal(harness, "至急対応をお願いします")

    case = harness.store.case_for_thread("C0003", "310.000001")
    assert case.via == "shortcut" and case.escalated_by == STAFF
    assert case.note == "至急対応をお願いします"
    assert case.asked_by == "UCUSTOMER" and case.question == "見積もりの件で相談です"
    shown = card_text(cards(harness)[0])
    assert "至急対応をお願いします" in shown and "ボットは回答していません" in shown
    assert harness.replies_in("C0003", "310.000001")[-1]["text"] == texts.HANDED_OVER


def test_slack_shortcut_and_its_modal_are_for_staff_only(harness):
    message = {"type": "message", "ts": "311.000001", "text": "至急", "user": "UCUSTOMER"}
    shortcut(harness, "C0003", message, user="UPARTNER")
    assert harness.recorder.of("views.open") == []
    [told] = harness.recorder.of("chat.postEphemeral")
    assert told.params["user"] == "UPARTNER" and "担当者のみ" in told.params["text"]

    # A modal a staff member opened cannot be submitted by anyone else, nor twice.
    shortcut(harness, "C0003", message)
    note = {"note": {"note_input": {"type": "plain_text_input", "value": ""}}}
    for user in ("UPARTNER", OTHER_STAFF):
        response = harness.submit_view(ESCALATE_MODAL, "", note, user=user)
        assert json.loads(response.body)["response_action"] == "errors"
    assert count(harness.store, "cases") == 0
    submit_modal(harness, "")
    assert harness.store.case_for_thread("C0003", "311.000001").escalated_by == STAFF
    response = harness.submit_view(ESCALATE_MODAL, "", note, user=STAFF)
    assert json.loads(response.body)["response_action"] == "errors"


def test_slack_modal_metadata_cannot_name_another_thread(harness):
    message = {"type": "message", "ts": "312.000001", "text": "至急", "user": "UCUSTOMER"}
    shortcut(harness, "C0003", message)
    forged = json.dumps({"channel": "C0SECRET", "thread_ts": "1.000001", "text": "でっちあげ", "author": None})
    harness.submit_view(ESCALATE_MODAL, forged, {}, user=STAFF)
    harness.drain()
    assert harness.store.case_for_thread("C0SECRET", "1.000001") is None
    assert harness.store.case_for_thread("C0003", "312.000001") is not None
    assert not harness.recorder.messages_in("C0SECRET")


def test_slack_reaction_escalates_the_thread_of_the_message(harness, recorder):
    # A message the bot never saw: the thread is found through conversations.replies.
    recorder.threads[("C0004", "320.000005")] = [
        {
            "type": "message",
            "ts": "320.000001",
            "thread_ts": "320.000001",
            "user": "UCUSTOMER",
            "text": "RAIDが壊れた",
        }
    ]
    react(harness, "C0004", "320.000005", user="UCUSTOMER")
    case = harness.store.case_for_thread("C0004", "320.000001")
    assert case.via == "reaction" and case.question == "RAIDが壊れた" and case.asked_by == "UCUSTOMER"
    assert harness.replies_in("C0004", "320.000001")[-1]["text"] == texts.HANDED_OVER


def test_slack_other_reactions_and_retried_reactions_do_nothing_more(harness):
    _, reply_ts = answered(harness)
    react(harness, "C0001", reply_ts, reaction="thumbsup")
    assert count(harness.store, "cases") == 0
    react(harness, "C0001", reply_ts, event_id="EvREACT1")
    harness.event(
        {
            "type": "reaction_added",
            "user": "UPARTNER",
            "reaction": "sos",
            "item": {"type": "message", "channel": "C0001", "ts": reply_ts},
            "event_ts": "399.000001",
        },
        event_id="EvREACT1",
        retry_num=1,
    )
    harness.drain()
    assert harness.store.case_for_thread("C0001", "300.000001").escalations == 1


def test_slack_escalation_emoji_is_configurable(make_harness):
    harness = make_harness(FAQBOT_ESCALATION_EMOJI=":rotating_light:")
    _, reply_ts = answered(harness)
    react(harness, "C0001", reply_ts)
    assert count(harness.store, "cases") == 0
    react(harness, "C0001", reply_ts, reaction="rotating_light")
    assert count(harness.store, "cases") == 1


def test_slack_staff_claim_and_resolve_update_the_card_and_the_thread(harness):
    question_id, reply_ts = answered(harness)
    press_escalate(harness, question_id, reply_ts)
    case = harness.store.case_for_thread("C0001", "300.000001")

    staff_press(harness, CASE_CLAIM, case.id)
    case = harness.store.case(case.id)
    assert case.status is CaseStatus.claimed and case.claimed_by == STAFF
    update = harness.recorder.of("chat.update")[-1].params
    assert update["channel"] == STAFF_CHANNEL and update["ts"] == case.staff_ts
    assert "対応中" in card_text(update) and f"<@{STAFF}>" in card_text(update)
    assert CASE_CLAIM not in action_ids(update["blocks"])
    assert harness.replies_in("C0001", "300.000001")[-1]["text"] == texts.claimed(STAFF)

    staff_press(harness, CASE_CLAIM, case.id, user=OTHER_STAFF)
    assert harness.store.case(case.id).claimed_by == OTHER_STAFF
    assert harness.replies_in("C0001", "300.000001")[-1]["text"] == texts.reassigned(OTHER_STAFF)

    staff_press(harness, CASE_RESOLVE, case.id, user=OTHER_STAFF)
    case = harness.store.case(case.id)
    assert case.status is CaseStatus.resolved and case.resolution is Resolution.staff
    update = harness.recorder.of("chat.update")[-1].params
    assert "解決済み" in card_text(update) and action_ids(update["blocks"]) == []
    assert harness.replies_in("C0001", "300.000001")[-1]["text"] == texts.resolved(OTHER_STAFF)
    actions = [e["action"] for e in rows(harness.store, "case_events", "case_id = ?", [case.id])]
    assert actions == ["escalated", "claim", "claim", "resolve"]


def test_slack_bot_answer_confirmed_by_staff(harness):
    question_id, reply_ts = answered(harness)
    press_escalate(harness, question_id, reply_ts)
    case = harness.store.case_for_thread("C0001", "300.000001")
    staff_press(harness, CASE_BOT_CORRECT, case.id)
    case = harness.store.case(case.id)
    assert case.status is CaseStatus.resolved and case.resolution is Resolution.bot_correct
    assert harness.replies_in("C0001", "300.000001")[-1]["text"] == texts.bot_answer_confirmed(STAFF)


def test_slack_non_staff_are_refused_on_the_server(harness):
    question_id, reply_ts = answered(harness)
    press_escalate(harness, question_id, reply_ts)
    case = harness.store.case_for_thread("C0001", "300.000001")
    updates_before = len(harness.recorder.of("chat.update"))
    posts_before = len(harness.posts())

    for action_id in (CASE_CLAIM, CASE_RESOLVE, CASE_BOT_CORRECT):
        staff_press(harness, action_id, case.id, user="UPARTNER")
    assert harness.store.case(case.id).status is CaseStatus.open
    assert len(harness.recorder.of("chat.update")) == updates_before
    assert len(harness.posts()) == posts_before
    refusals = [c.params for c in harness.recorder.of("chat.postEphemeral")]
    assert len(refusals) == 3
    assert all(
        r["user"] == "UPARTNER" and r["channel"] == STAFF_CHANNEL and "担当者のみ" in r["text"]
        for r in refusals
    )


def test_slack_resolved_thread_escalated_again_reopens_the_same_case(harness):
    question_id, reply_ts = answered(harness)
    press_escalate(harness, question_id, reply_ts)
    case = harness.store.case_for_thread("C0001", "300.000001")
    staff_press(harness, CASE_RESOLVE, case.id)
    press_escalate(harness, question_id, reply_ts)
    again = harness.store.case_for_thread("C0001", "300.000001")
    assert again.id == case.id and again.status is CaseStatus.open and again.resolved_by is None
    assert harness.replies_in("C0001", "300.000001")[-1]["text"] == texts.REOPENED
    assert len(cards(harness)) == 1


def test_slack_a_reopened_case_is_announced_in_the_staff_channel(harness):
    question_id, reply_ts = answered(harness)
    press_escalate(harness, question_id, reply_ts)
    case = harness.store.case_for_thread("C0001", "300.000001")
    staff_press(harness, CASE_RESOLVE, case.id)
    before = len(harness.posts(STAFF_CHANNEL))
    press_escalate(harness, question_id, reply_ts)
    [announced] = harness.posts(STAFF_CHANNEL)[before:]
    assert f"#{case.id}" in announced["text"] and not announced.get("thread_ts")
    press_escalate(harness, question_id, reply_ts)  # still open: nothing new for the channel
    assert len(harness.posts(STAFF_CHANNEL)) == before + 1


def test_slack_follow_ups_wait_while_staff_hold_the_thread(harness):
    from slack_support import message

    question_id, reply_ts = answered(harness)
    press_escalate(harness, question_id, reply_ts)
    before = len(harness.replies_in("C0001", "300.000001"))
    harness.event(message("電話しても繋がりません", ts="300.000009", thread_ts="300.000001"))
    harness.drain()
    assert len(harness.replies_in("C0001", "300.000001")) == before


def test_slack_failed_card_is_stored_and_posted_on_the_next_escalation(harness, recorder, caplog):
    question_id, reply_ts = answered(harness)
    recorder.fail("chat.postMessage", error="channel_not_found")
    with caplog.at_level(logging.ERROR, logger="faqbot.slack"):
        press_escalate(harness, question_id, reply_ts)
    assert "channel_not_found" in caplog.text
    case = harness.store.case_for_thread("C0001", "300.000001")
    assert case is not None and case.staff_ts is None
    told = recorder.of("chat.postEphemeral")[-1].params
    assert told["text"] == texts.HANDOVER_FAILED and told["user"] == "UPARTNER"

    press_escalate(harness, question_id, reply_ts)
    assert harness.store.case(case.id).staff_ts
    assert len(cards(harness)) == 2  # the failed attempt was recorded too
    assert harness.replies_in("C0001", "300.000001")[-1]["text"] == texts.HANDED_OVER


def test_slack_without_a_staff_channel_the_case_is_kept_and_the_partner_told(make_harness):
    harness = make_harness(FAQBOT_STAFF_CHANNEL="")
    question_id, reply_ts = answered(harness)
    press_escalate(harness, question_id, reply_ts)
    assert count(harness.store, "cases") == 1
    assert harness.recorder.of("chat.postEphemeral")[-1].params["text"] == texts.STAFF_NOT_CONFIGURED


def test_slack_a_press_naming_no_card_cannot_act_on_a_case_without_one(make_harness):
    from slack_support import block_actions

    harness = make_harness(FAQBOT_STAFF_CHANNEL="")
    question_id, reply_ts = answered(harness)
    press_escalate(harness, question_id, reply_ts)
    case = harness.store.case_for_thread("C0001", "300.000001")
    assert case.staff_ts is None
    # No container, no message, no channel: (None, None) must not match the missing card.
    harness.payload(block_actions(CASE_CLAIM, str(case.id), user=STAFF, surface={}))
    harness.drain()
    assert harness.store.case(case.id).status is CaseStatus.open


def test_slack_a_card_posted_but_not_recorded_is_not_posted_again(harness, monkeypatch):
    question_id, reply_ts = answered(harness)
    store = harness.store
    real = store.change_case
    failed = []

    def change_case(case_id, change):
        case = store.case(case_id)
        if case is not None and case.staff_ts is None and change(case).staff_ts and not failed:
            failed.append(case_id)
            raise OSError("disk I/O error")
        return real(case_id, change)

    monkeypatch.setattr(store, "change_case", change_case)
    press_escalate(harness, question_id, reply_ts)
    case = store.case_for_thread("C0001", "300.000001")
    assert failed == [case.id] and case.staff_ts is None
    assert [r["state"] for r in rows(store, "outbox", "key LIKE ?", ["card:%"])] == ["sent"]
    press_escalate(harness, question_id, reply_ts)  # the thread's case again: its card is redrawn
    assert len(cards(harness)) == 1
    [update] = harness.recorder.of("chat.update")
    assert store.case(case.id).staff_ts == update.params["ts"]


def test_slack_a_reaction_during_an_outage_gets_its_question_when_slack_is_back(harness, recorder):
    root = {"type": "message", "ts": "321.000001", "user": "UCUSTOMER", "text": "電源が入らない"}
    recorder.threads[("C0004", "321.000001")] = [root]
    recorder.fail("conversations.replies")
    react(harness, "C0004", "321.000001", user="UCUSTOMER")
    case = harness.store.case_for_thread("C0004", "321.000001")
    assert case.question == "電源が入らない"
    assert "電源が入らない" in card_text(cards(harness)[0])
