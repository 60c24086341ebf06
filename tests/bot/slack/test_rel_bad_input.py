"""The bad-input corpus through the real app: every request acknowledged, every one a clear Japanese reply."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from rel_corpus import BAD_COMMANDS, BAD_MESSAGES
from rel_support import Bot, make_bot
from slack_bolt import BoltRequest
from slack_support import Recorder, event_body, mention, signed_headers

from bot.desk import texts

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# What must never reach a partner: internals.
LEAKS = re.compile(r"Traceback|File \"|/work/|\.py\b|Error:|Exception")


@pytest.fixture(scope="module")
def corpus_bot(tmp_path_factory) -> Iterator[Bot]:
    recorder = Recorder().start()
    bot = make_bot(recorder, tmp_path_factory.mktemp("corpus"))
    yield bot
    bot.close()
    recorder.stop()


def reply_ok(text: str) -> bool:
    return bool(JAPANESE.search(text)) and not LEAKS.search(text) and text != texts.INTERNAL_ERROR


def test_rel_corpus_is_large_and_labelled_uniquely():
    labels = [label for label, _ in BAD_MESSAGES]
    assert len(BAD_MESSAGES) + len(BAD_COMMANDS) >= 100
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize(("label", "text"), BAD_MESSAGES, ids=[label for label, _ in BAD_MESSAGES])
def test_rel_bad_message_gets_one_clear_reply(corpus_bot, label, text):
    index = [lbl for lbl, _ in BAD_MESSAGES].index(label)
    ts = f"1000.{index + 1:06d}"
    response = corpus_bot.harness.event(mention(text, ts=ts))
    assert response.status == 200
    corpus_bot.flush()
    replies = [m for m in corpus_bot.recorder.messages_in("C0001") if m.get("thread_ts") == ts]
    assert len(replies) == 1, label
    assert reply_ok(replies[0]["text"]), (label, replies[0]["text"][:200])


@pytest.mark.parametrize(("command", "text"), BAD_COMMANDS, ids=[f"{c} {t[:20]!r}" for c, t in BAD_COMMANDS])
def test_rel_bad_command_arguments_get_usage_help_in_japanese(corpus_bot, command, text):
    response = corpus_bot.harness.command(command, text)
    assert response.status == 200
    body = json.loads(response.body)
    assert body["response_type"] == "ephemeral"
    assert reply_ok(body["text"]), (command, text[:40], body["text"][:200])


def test_rel_lone_surrogates_in_slack_json_are_answered(corpus_bot):
    raw = event_body(mention("保守SURROGATEはいつまで？", ts="1001.000001")).replace("SURROGATE", "\\ud800")
    response = corpus_bot.harness.app.dispatch(BoltRequest(body=raw, headers=signed_headers(raw, "application/json")))
    assert response.status == 200
    corpus_bot.flush()
    [reply] = [m for m in corpus_bot.recorder.messages_in("C0001") if m.get("thread_ts") == "1001.000001"]
    assert reply_ok(reply["text"])
    assert corpus_bot.store.question(corpus_bot.store.db.table("questions").count)["text"] == "保守\ufffdはいつまで？"


def test_rel_still_serving_after_the_corpus(corpus_bot):
    corpus_bot.harness.event(mention("修理の電話番号は？", ts="1002.000001"))
    corpus_bot.flush()
    [reply] = [m for m in corpus_bot.recorder.messages_in("C0001") if m.get("thread_ts") == "1002.000001"]
    assert "0120" in json.dumps(reply["blocks"], ensure_ascii=False)
