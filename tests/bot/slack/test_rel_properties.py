"""Property-based tests (hypothesis) of what the bot does with arbitrary input.

The invariants of the domain layers live next to their code: normalisation is
idempotent (tests/intents/test_normalize.py), entity extraction never raises
(tests/intents/test_entities.py), the PWP window ends on the end date and
starts 90 days before (tests/knowledge/test_post_warranty.py), a contact's
next opening is open (tests/knowledge/test_contact_routing.py), business days
round-trip (tests/knowledge/test_calendar.py). These are the bot's own.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rel_support import Bot, make_bot
from slack_support import BOT_USER, Recorder

from bot.desk import texts
from bot.desk.command_args import UsageError, contact_inputs, pwp_inputs
from bot.desk.controls import choice_value, parse_id
from bot.runtime.logs import REDACTED, Redactor
from bot.slack.payloads import parse_choice, scrub
from knowledge.calculators.common import CalculatorInputError

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Any text Slack could deliver, including control, format and private-use characters.
anything = st.text(st.characters(codec="utf-8"), max_size=300)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | anything,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(anything, children, max_size=4),
    max_leaves=12,
)
_ts = itertools.count(1)


@pytest.fixture(scope="module")
def prop_bot(tmp_path_factory) -> Iterator[Bot]:
    recorder = Recorder().start()
    bot = make_bot(recorder, tmp_path_factory.mktemp("props"))
    yield bot
    bot.close()
    recorder.stop()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=anything)
def test_rel_any_question_is_recorded_as_exactly_one_japanese_reply(prop_bot, text):
    ts = f"1100.{next(_ts):06d}"
    writes = prop_bot.services.answerer.answer_message(
        channel="C0001", ts=ts, thread_ts=None, user="UPARTNER", text=f"<@{BOT_USER}> {text}", via="mention",
        bot_user_id=BOT_USER,
    )
    assert len(writes) == 1
    payload = prop_bot.store.outbox_row(writes[0])["payload"]
    assert JAPANESE.search(payload["args"]["text"]) and payload["args"]["text"] != texts.INTERNAL_ERROR


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=st.dictionaries(st.sampled_from(["type", "user", "channel", "ts", "thread_ts", "text", "subtype",
                                              "channel_type", "bot_id", "item", "reaction", "edited"]),
                             json_values, max_size=8),
       kind=st.sampled_from(["app_mention", "message", "reaction_added", "app_home_opened"]))
def test_rel_any_event_shape_is_taken_or_ignored_never_raises(prop_bot, event, kind):
    found = prop_bot.services.intake.job_for({"event": {"type": kind, **event}, "event_id": "Ev1"}, BOT_USER)
    if found is not None:
        key, job = found
        assert key.startswith(("message:", "event:")) and json.dumps(job)


@given(anything)
def test_rel_button_ids_are_strict(value):
    parsed = parse_id(value)
    assert parsed is None or (str(parsed) == value and parsed > 0)


@given(st.integers(min_value=1, max_value=10**15))
def test_rel_button_ids_round_trip(number):
    assert parse_id(str(number)) == number


@given(st.one_of(anything, json_values.map(json.dumps)))
def test_rel_choice_values_never_raise(value):
    parsed = parse_choice(value)
    assert parsed is None or isinstance(parsed[0], str)


@given(st.from_regex(r"[A-Za-z0-9_.\-]{1,64}", fullmatch=True), st.none() | st.integers(1, 10**9))
def test_rel_choice_values_round_trip(intent, question_id):
    assert parse_choice(choice_value(intent, question_id)) == (intent, question_id)


@settings(deadline=None)
@given(anything)
def test_rel_command_arguments_are_read_or_refused_with_a_reason(text):
    from datetime import datetime

    from knowledge.calendar import JST

    for parse in (pwp_inputs, lambda t: contact_inputs(t, datetime(2026, 11, 24, 10, tzinfo=JST))):
        try:
            parse(text)
        except (UsageError, CalculatorInputError) as problem:
            assert JAPANESE.search(str(problem))


@given(anything, anything)
def test_rel_redaction_removes_secrets_wherever_they_are(before, after):
    secret = "s3cr3t-signing"
    redact = Redactor([secret, "xoxb-123-abc"])
    shown = redact(f"{before}{secret}{after} xoxb-123-abc xapp-1-A1-zz")
    assert secret not in shown and "xoxb-123-abc" not in shown and "xapp-1-A1-zz" not in shown
    assert REDACTED in shown and redact(shown) == shown


@given(json_values)
def test_rel_scrubbed_payloads_always_encode(value):
    json.dumps(scrub(value), ensure_ascii=False).encode("utf-8")
