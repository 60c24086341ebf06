"""Case transitions, the store, settings, the clock and slash-command arguments."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime

import pytest
from slack_harness import count

from bot.desk import case_state
from bot.desk.case_state import Case, CaseStatus, NotStaff, Resolution, TransitionError
from bot.desk.command_args import UsageError, contact_inputs, pwp_inputs
from bot.runtime.clock import Clock, ClockError
from bot.runtime.settings import from_mapping, load
from bot.store import Store
from intents.answer import Answer
from knowledge.calendar import JST

AT = datetime(2026, 11, 24, 10, 0, tzinfo=JST)
LATER = datetime(2026, 11, 24, 11, 0, tzinfo=JST)


def new_case(**fields) -> Case:
    return Case(
        id=1,
        channel="C",
        thread_ts="1.0",
        escalated_by="UP",
        via="button",
        created_at=AT,
        updated_at=AT,
        **fields,
    )


# --- case transitions --------------------------------------------------------------------


def test_slack_case_claim_resolve_and_reopen():
    claimed = case_state.claim(new_case(), "US", LATER)
    assert claimed.status is CaseStatus.claimed and claimed.claimed_by == "US" and claimed.updated_at == LATER
    with pytest.raises(TransitionError):
        case_state.claim(claimed, "US", LATER)
    taken_over = case_state.claim(claimed, "US2", LATER)
    assert taken_over.claimed_by == "US2"
    done = case_state.resolve(taken_over, "US2", LATER, Resolution.staff)
    assert done.status is CaseStatus.resolved and done.resolution is Resolution.staff
    for move in (
        lambda c: case_state.claim(c, "US", LATER),
        lambda c: case_state.resolve(c, "US", LATER, Resolution.staff),
    ):
        with pytest.raises(TransitionError, match="解決済み"):
            move(done)
    reopened = case_state.escalate_again(done, "UP2", LATER)
    assert reopened.status is CaseStatus.open and reopened.claimed_by is None and reopened.escalations == 2
    still_open = case_state.escalate_again(new_case(), "UP2", LATER)
    assert still_open.status is CaseStatus.open and still_open.escalated_by == "UP"


def test_slack_resolving_an_unclaimed_case_records_the_resolver_as_handler():
    done = case_state.resolve(new_case(), "US", LATER, Resolution.bot_correct)
    assert done.claimed_by == "US" and done.resolved_by == "US"


def test_slack_only_staff_may_act():
    case_state.require_staff("US", frozenset({"US"}))
    with pytest.raises(NotStaff, match="担当者のみ"):
        case_state.require_staff("UP", frozenset({"US"}))


# --- store --------------------------------------------------------------------------------


def test_slack_store_schema_is_created_in_wal_and_migrated_idempotently(tmp_path):
    path = tmp_path / "state" / "faqbot.db"
    Store(path).close()
    # An older database lacking a column gets it at start, keeping its rows.
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE cases DROP COLUMN note")
    conn.execute("INSERT INTO seen (key, at) VALUES ('k', '2026-11-24T10:00:00+09:00')")
    conn.commit()
    conn.close()
    store = Store(path)
    assert "note" in store.db.table("cases").columns_dict
    assert count(store, "seen") == 1
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    store.close()
    Store(path).close()


def test_slack_store_claim_is_atomic_across_threads(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        wins.append(store.claim("message:C:1.0", AT))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]
    # A journalled key (bot/intake.py) is kept until its job settles, however old.
    assert store.claim("event:Ev1", AT, {"kind": "question"})
    assert store.forget_seen_before(LATER) == 1
    store.settle("event:Ev1")
    assert store.forget_seen_before(LATER) == 1


def test_slack_store_one_case_per_thread(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    args = {
        "channel": "C",
        "thread_ts": "1.0",
        "via": "button",
        "asked_by": "UP",
        "question": "q",
        "answer": None,
        "note": "",
        "at": AT,
    }
    first, created = store.open_case(escalated_by="UP", **args)
    again, created_again = store.open_case(escalated_by="UX", **args)
    assert created and not created_again and first.id == again.id and again.escalated_by == "UP"
    changed = store.change_case(first.id, lambda c: case_state.claim(c, "US", LATER))
    assert store.case(first.id) == changed
    with pytest.raises(TransitionError):
        store.change_case(first.id, lambda c: case_state.claim(c, "US", LATER))
    assert store.case(first.id).updated_at == LATER


def test_slack_store_thread_keeps_its_root_question(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    a = Answer(kind="answer", intent="Q1", confidence=0.9, title="t", lead="l")
    b = a.model_copy(update={"intent": "Q2"})
    for user, text, answer, at in (("UP", "最初の質問", a, AT), ("UX", "2年なら？", b, LATER)):
        question_id = store.log_question(
            channel="C", ts=None, thread_ts="1.0", user=user, text=text, via="mention", answer=answer, at=at
        )
        store.record_reply(
            question_id,
            f"2.{question_id}",
            channel="C",
            thread_ts="1.0",
            asked_by=user,
            question=text,
            answer=answer.model_dump(mode="json"),
            at=at,
        )
    thread = store.thread("C", "1.0")
    assert (thread.asked_by, thread.question, thread.last_answer.intent) == ("UP", "最初の質問", "Q2")
    assert store.thread_of_message("C", "2.2") == "1.0" and store.question(2)["reply_ts"] == "2.2"


# --- settings and clock --------------------------------------------------------------------


def test_slack_settings_mask_secrets_and_parse_lists():
    settings = from_mapping(
        {
            "SLACK_BOT_TOKEN": "xoxb-secret-1",
            "SLACK_APP_TOKEN": "xapp-secret-2",
            "SLACK_SIGNING_SECRET": "secret-3",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "FAQBOT_STAFF_USERS": " U1, U2 ,,",
            "FAQBOT_ESCALATION_EMOJI": ":rotating_light:",
        }
    )
    shown = repr(settings) + str(settings)
    assert not any(secret in shown for secret in ("xoxb-secret-1", "xapp-secret-2", "secret-3"))
    assert shown.count("'***'") == 6
    assert settings.api_url == "http://127.0.0.1:9/api/"
    assert settings.staff_users == frozenset({"U1", "U2"})
    assert settings.escalation_emoji == "rotating_light"
    defaults = from_mapping({})
    assert defaults.api_url == "https://slack.com/api/" and defaults.db_path == "faqbot.db"
    assert defaults.escalation_emoji == "sos" and defaults.bot_token is None


def test_slack_settings_read_dotenv_under_the_environment(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nFAQBOT_STAFF_CHANNEL=CFILE\n", encoding="utf-8")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("FAQBOT_STAFF_CHANNEL", "CENV")
    settings = load(env_file)
    assert settings.bot_token == "xoxb-from-file"
    assert settings.staff_channel == "CENV"


def test_slack_clock_frozen_naive_is_jst():
    clock = Clock.from_setting("2026-11-24T10:00:00")
    assert clock.frozen and clock.now() == AT and clock.now().utcoffset().total_seconds() == 9 * 3600
    assert Clock.from_setting("2026-11-24T01:00:00Z").now() == AT
    live = Clock.from_setting(None).now()
    assert live.tzinfo is not None and live.utcoffset().total_seconds() == 9 * 3600
    with pytest.raises(ClockError, match="FAQBOT_NOW"):
        Clock.from_setting("あした")


# --- slash-command arguments ---------------------------------------------------------------


def test_slack_pwp_arguments():
    assert pwp_inputs("2027/3/31") == {
        "coverage_end": "2027-03-31",
        "years": 1,
        "care_level": None,
        "pwp_end": None,
        "pwp_status": None,
    }
    full = pwp_inputs("２０２７年３月３１日　２年　終了日＝令和11年1月31日　予定 FC")
    assert full == {
        "coverage_end": "2027-03-31",
        "years": 2,
        "care_level": "foundation",
        "pwp_end": "2029-01-31",
        "pwp_status": "planned",
    }
    for bad, message in [
        ("", "終了日を指定"),
        ("2027-03-31 5年", "1年か2年"),
        ("2027-13-01", "月"),
        ("終了日=2029-01-31", "終了日を指定"),
    ]:
        with pytest.raises(UsageError, match=message):
            pwp_inputs(bad)


def test_slack_contact_arguments():
    assert contact_inputs("修理 サーバー", AT) == {
        "purpose": "repair",
        "product": "server",
        "at": AT.isoformat(),
        "delivered": None,
    }
    assert contact_inputs("サーバー 修理", AT)["purpose"] == "repair"
    assert contact_inputs("初期不良 納品日=2026-11-20", AT)["delivered"] == "2026-11-20"
    assert contact_inputs("", AT)["purpose"] is None
    with pytest.raises(UsageError):
        contact_inputs("サーバー", AT)
    with pytest.raises(UsageError, match="宇宙旅行"):
        contact_inputs("宇宙旅行", AT)
