"""`faqbot serve --http --workers N`: several processes on one socket, one answer per question."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from serve_process import free_port, request, serve_argv, serve_env, start, stop
from slack_support import BOT_USER, event_body, mention, message, signed_headers

from bot.cli import main as cli

WORKERS = 2


def workers_of(parent: int) -> set[int]:
    """The worker processes `faqbot serve` forked (Linux: /proc)."""
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                children.add(int(entry.name))
    return children


def wait_for_workers(parent: int, count: int, other_than: set[int] = frozenset(), timeout: float = 60.0) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = workers_of(parent) - other_than
        if len(found) == count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"expected {count} workers, found {workers_of(parent)}")


@pytest.fixture
def pool(recorder, tmp_path):
    port = free_port()
    env = serve_env(recorder.api_url, tmp_path / "server.db")
    process = start([*serve_argv(port), "--workers", str(WORKERS)], port, env, tmp_path, tmp_path / "server.log")
    yield port, process
    assert stop(process) == 0, (tmp_path / "server.log").read_text()[-4000:]


def post(port: int, body: str, extra: dict[str, str] | None = None) -> None:
    status, _ = request(port, "POST", "/slack/events", body, signed_headers(body, "application/json") | (extra or {}))
    assert status == 200


def test_workers_answer_each_question_once_whichever_worker_gets_it(pool, recorder):
    port, process = pool
    assert len(wait_for_workers(process.pid, WORKERS)) == WORKERS
    deliveries = []
    stamps = [f"600.{i:06d}" for i in range(40)]
    for i, ts in enumerate(stamps):
        body = event_body(mention("CSNのIDはどうやって取るの？", ts=ts), f"EvW{i}")
        deliveries.append((body, {}))
        # Slack's retry, and the message event of the same message: to whichever worker accepts them.
        deliveries.append((body, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}))
        if i % 2:
            deliveries.append((event_body(message(f"<@{BOT_USER}> CSNのIDは？", ts=ts), f"EvWm{i}"), {}))
    # Each delivery on a new connection from one of several threads: the kernel spreads them over the workers.
    batches = [deliveries[k::4] for k in range(4)]
    threads = [threading.Thread(target=lambda b=b: [post(port, *d) for d in b]) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    recorder.wait_for("chat.postMessage", len(stamps), timeout=30)
    time.sleep(1.0)  # a second answer would arrive now
    answers = Counter(call.params.get("thread_ts") for call in recorder.of("chat.postMessage"))
    assert {ts: answers[ts] for ts in stamps} == {ts: 1 for ts in stamps}


def test_a_dead_worker_is_replaced_and_questions_are_still_answered(pool, recorder):
    port, process = pool
    before = wait_for_workers(process.pid, WORKERS)
    os.kill(next(iter(before)), signal.SIGKILL)
    # The pool restarts all of its workers, as a restart would.
    wait_for_workers(process.pid, WORKERS, other_than=before)
    deadline = time.monotonic() + 30
    while request(port, "GET", "/healthz")[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    post(port, event_body(mention("修理の電話番号は？", ts="601.000001"), "EvWdead"))
    [reply] = recorder.wait_for("chat.postMessage", timeout=30)
    assert reply.params["thread_ts"] == "601.000001"


def test_a_pool_replaces_its_workers_while_slack_is_unreachable(recorder, tmp_path):
    port = free_port()
    env = serve_env(recorder.api_url, tmp_path / "server.db")
    log = tmp_path / "server.log"
    process = start([*serve_argv(port), "--workers", str(WORKERS)], port, env, tmp_path, log)
    try:
        before = wait_for_workers(process.pid, WORKERS)
        recorder.down()
        os.kill(next(iter(before)), signal.SIGKILL)
        # The new workers come up although auth.test cannot be asked (Bolt does not ask it in App()).
        wait_for_workers(process.pid, WORKERS, other_than=before)
        deadline = time.monotonic() + 30
        # /healthz answers 200 "degraded": Slack is unreachable, the bot is serving.
        while request(port, "GET", "/healthz")[0] != 200:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.1)
        post(port, event_body(mention("修理の電話番号は？", ts="602.000001"), "EvWdown"))
        recorder.up()
        [reply] = recorder.wait_for("chat.postMessage", timeout=90)
        assert reply.params["thread_ts"] == "602.000001"
        assert process.poll() is None
    finally:
        assert stop(process) == 0, log.read_text()[-4000:]


def test_workers_need_http_mode(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-x")
    assert cli.main(["serve", "--workers", "2"]) == 2
    assert "--workers" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert cli.main(["serve", "--http", "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err
