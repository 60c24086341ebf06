"""An in-process bot for the reliability tests: services, Bolt app, harness, and outbox control."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from slack_harness import Harness, make_settings
from slack_support import Recorder, TrackingExecutor

from bot.runtime.clock import Clock
from bot.runtime.logs import ContextExecutor
from bot.slack.app import build_app
from bot.slack.identity import Identity, ask
from bot.slack.outbox import MARKER_EVENT
from bot.slack.services import Services
from bot.store import Store

# Retries in milliseconds rather than seconds: the schedule is the same, the tests are fast.
FAST_FIRST_RETRY = 0.05
FAST_MAX_RETRY = 0.3
# Slack's time to finish a call whose answer never came, in tenths of seconds too.
FAST_SETTLE = 0.3


@dataclass
class Bot:
    services: Services
    harness: Harness
    recorder: Recorder

    @property
    def store(self) -> Store:
        return self.services.store

    def flush(self, timeout: float = 15.0) -> None:
        """Let the outbox deliver everything it can (as its worker would); fail if it cannot in time."""
        self.harness.drain()
        deadline = time.monotonic() + timeout
        while True:
            wait = self.services.outbox.deliver_due()
            if self.pending() == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"outbox still has {self.pending()} write(s) pending: {self.outbox_rows()}")
            time.sleep(min(max(wait, 0.01), 0.1))

    def pending(self) -> int:
        return self.store.outbox_backlog()["pending"]

    def outbox_rows(self, state: str | None = None) -> list[dict[str, Any]]:
        where, params = ("state = ?", [state]) if state else ("1", [])
        return list(self.store.db.table("outbox").rows_where(where, params, order_by="id"))

    def close(self) -> None:
        self.services.outbox.stop()
        self.harness.executor.drain()
        self.harness.executor.shutdown()
        self.store.close()


def make_bot(recorder: Recorder, tmp_path, executor: TrackingExecutor | None = None, **overrides: str) -> Bot:
    settings = make_settings(recorder, tmp_path, **overrides)
    store = Store(settings.db_path)
    services = Services.build(settings, store, Clock.from_setting(settings.now))
    services.outbox.first_retry = FAST_FIRST_RETRY
    services.outbox.max_retry = FAST_MAX_RETRY
    services.outbox.settle = FAST_SETTLE
    executor = executor or ContextTrackingExecutor()
    client = services.outbox.client
    app = build_app(services, listener_executor=executor, identity=Identity(client, ask(client)))
    return Bot(services, Harness(app, recorder, store, executor), recorder)


class ContextTrackingExecutor(TrackingExecutor, ContextExecutor):
    """The test pool (drain()) with production's context passing (request ids in listener threads)."""


class DeadListeners(TrackingExecutor):
    """Listener threads that never run: the process died right after Slack got its acknowledgement."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        future.set_result(None)
        return future


def keys_posted(recorder: Recorder, channel: str) -> list[str]:
    """The outbox keys of the messages Slack holds in `channel` (one per write, if nothing doubled)."""
    return [
        m["metadata"]["event_payload"]["key"]
        for m in recorder.messages_in(channel)
        if (m.get("metadata") or {}).get("event_type") == MARKER_EVENT
    ]
