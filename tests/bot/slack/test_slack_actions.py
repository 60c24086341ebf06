"""Buttons on answers: feedback and did-you-mean choices."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from slack_harness import NOW, action_ids, action_value, rows
from slack_support import mention

from bot.desk import texts
from bot.desk.controls import CHOOSE_INTENT_PREFIX, FEEDBACK_RESOLVED, FEEDBACK_UNRESOLVED, FULL_ENTRY
from intents import router
from intents.policy import default_policy
from intents.router import Pipeline, route

# Questions the handbook answers ambiguously; at least one must make the router hesitate.


def ask(harness, text: str, ts: str) -> dict:
    harness.event(mention(text, ts=ts))
    harness.drain()
    replies = harness.replies_in("C0001", ts)
    assert replies, "the bot did not answer"
    return replies[-1]


def test_slack_feedback_buttons_are_stored(harness):
    reply = ask(harness, "CSNのIDはどうやって取るの？", "200.000001")
    question_id = action_value(reply["blocks"], FEEDBACK_RESOLVED)
    reply_ts = harness.store.question(int(question_id))["reply_ts"]

    harness.click(FEEDBACK_RESOLVED, question_id, message_ts=reply_ts, thread_ts="200.000001")
    harness.click(
        FEEDBACK_UNRESOLVED, question_id, user="UOTHER", message_ts=reply_ts, thread_ts="200.000001"
    )
    harness.drain()
    stored = {
        row["user"]: row["resolved"]
        for row in rows(harness.store, "feedback", "question_id = ?", [int(question_id)])
    }
    assert stored == {"UPARTNER": 1, "UOTHER": 0}
    # The two presses are answered by two listener threads: in either order.
    thanks = {c.params["user"]: c.params["text"] for c in harness.recorder.of("chat.postEphemeral")}
    assert set(thanks) == {"UPARTNER", "UOTHER"}
    assert thanks["UOTHER"] == texts.FEEDBACK_THANKS_UNRESOLVED

    # Changing one's mind replaces the earlier answer.
    harness.click(FEEDBACK_UNRESOLVED, question_id, message_ts=reply_ts, thread_ts="200.000001")
    harness.drain()
    stored = {
        row["user"]: row["resolved"]
        for row in rows(harness.store, "feedback", "question_id = ?", [int(question_id)])
    }
    assert stored["UPARTNER"] == 0


@pytest.fixture
def never_sure(monkeypatch):
    """A pipeline whose policy never answers outright: every question gets a did-you-mean.
    The Slack flow is under test here, not how sure the matcher is."""
    policy = default_policy().model_copy(update={"answer_threshold": 1.0, "min_margin": 1.0, "suggest_threshold": 0.0})
    monkeypatch.setattr(router, "_current", Pipeline.build(policy=policy))


def test_slack_did_you_mean_choice_is_answered_in_the_thread(harness, never_sure):
    question = "CSNの登録の流れを教えて"
    assert route(question, datetime.fromisoformat(NOW)).kind == "did_you_mean"
    reply = ask(harness, question, "201.000001")
    choices = [a for a in action_ids(reply["blocks"]) if a.startswith(CHOOSE_INTENT_PREFIX)]
    assert len(choices) >= 2
    chosen = choices[1]
    intent = chosen[len(CHOOSE_INTENT_PREFIX) :]

    harness.click(chosen, action_value(reply["blocks"], chosen), message_ts="x", thread_ts="201.000001")
    harness.drain()
    replies = harness.replies_in("C0001", "201.000001")
    assert len(replies) == 2
    assert FEEDBACK_RESOLVED in action_ids(replies[1]["blocks"])
    assert harness.store.thread("C0001", "201.000001").last_answer.intent == intent


def test_slack_full_entry_opens_the_whole_entry_in_a_modal(harness):
    reply = ask(harness, "MSL 2024の保証は？", "720.000001")
    # The thread: the series' row and a few lines, not the table.
    assert "MSL" in reply["text"] and "StoreVirtual" not in json.dumps(reply["blocks"], ensure_ascii=False)
    question_id = action_value(reply["blocks"], FULL_ENTRY)
    reply_ts = harness.store.question(int(question_id))["reply_ts"]
    harness.click(FULL_ENTRY, question_id, message_ts=reply_ts, thread_ts="720.000001")
    harness.drain()
    [opened] = harness.recorder.of("views.open")
    view = opened.params["view"]
    shown = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "modal" and len(view["blocks"]) <= 100
    assert "StoreVirtual" in shown and "MicroServer" in shown  # every row of the table


def test_slack_full_entry_of_another_thread_is_refused(harness):
    reply = ask(harness, "MSL 2024の保証は？", "721.000001")
    harness.click(FULL_ENTRY, action_value(reply["blocks"], FULL_ENTRY), message_ts="1.000001",
                  thread_ts="9.000001")
    harness.drain()
    assert harness.recorder.of("views.open") == []
    assert harness.recorder.of("chat.postEphemeral")
