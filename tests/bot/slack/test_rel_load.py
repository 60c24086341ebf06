"""Concurrent load: many listener threads and a second database connection writing at once."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from slack_support import BOT_USER, mention, message

from bot.desk.retention import purge
from bot.store import Store

QUESTIONS = ["CSNのIDはどうやって取るの？", "修理の電話番号は？", "ケアパックの登録方法を教えてください", "こんにちは"]
MESSAGES = 200
CLIENTS = 16


def test_rel_concurrent_burst_with_retries_and_a_second_writer(bot, recorder, caplog):
    rng = random.Random(5)
    deliveries = []
    for i in range(MESSAGES):
        ts = f"1500.{i:06d}"
        text = QUESTIONS[i % len(QUESTIONS)]
        deliveries.append((mention(text, ts=ts), f"EvLOAD{i}", None))
        if rng.random() < 0.3:  # Slack's retry of the same event
            deliveries.append((mention(text, ts=ts), f"EvLOAD{i}", 1))
        if rng.random() < 0.1:  # the message event of the same mention
            deliveries.append((message(f"<@{BOT_USER}> {text}", ts=ts), f"EvLOADM{i}", None))
    rng.shuffle(deliveries)

    stop = threading.Event()
    other_writes = Counter()

    def second_writer() -> None:
        # Another connection on the same file, as `faqbot purge` or a report would be,
        # writing every few milliseconds for as long as the burst lasts.
        other = Store(bot.store.path)
        try:
            while not stop.wait(0.005):
                purge(other, bot.services.clock, 90)
                other.claim(f"other:{other_writes['n']}", bot.services.clock.now())
                other_writes["n"] += 1
        finally:
            other.close()

    writer = threading.Thread(target=second_writer, daemon=True)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        writer.start()
        try:
            with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
                statuses = list(
                    pool.map(lambda d: bot.harness.event(d[0], event_id=d[1], retry_num=d[2]).status, deliveries)
                )
            bot.flush(timeout=60)
        finally:
            stop.set()
            writer.join(timeout=30)
    elapsed = time.monotonic() - started

    assert set(statuses) == {200}
    answered = Counter(m["thread_ts"] for m in recorder.messages_in("C0001"))
    assert len(answered) == MESSAGES and set(answered.values()) == {1}
    assert other_writes["n"] > 0
    assert "database is locked" not in caplog.text and "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # Not a benchmark, a sanity bound: 2 cores handle this in a few seconds.
    assert elapsed < 60


def test_rel_a_transaction_that_reads_first_is_not_refused_by_another_connection(tmp_path, bot):
    # A staff action reads the case, then writes it; another connection commits in between.
    first, second = Store(tmp_path / "shared.db"), Store(tmp_path / "shared.db")
    now = bot.services.clock.now()
    try:
        with first.transaction():
            first.thread("C0001", "1.0")
            other = threading.Thread(target=second.claim, args=("theirs", now))
            other.start()
            other.join(timeout=0.3)
            first.claim("mine", now)
        other.join(timeout=10)
        assert first.claim("theirs", now) is False and first.claim("mine", now) is False
    finally:
        first.close()
        second.close()
