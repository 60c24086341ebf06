"""The workbench tests drive the real Bolt app over real services, as the
Slack app tests do (tests/bot/slack_app): signed requests in, the Web API
recorder on 127.0.0.1 out. The clock is one the test moves, so the scheduler,
the SLA watch and the reminders can be taken through days in milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from slack_harness import Harness, make_settings
from slack_support import Recorder, TrackingExecutor
from workbench_support import MovableClock

from bot.desk import teaching
from bot.slack.app import build_app
from bot.slack.services import Services
from bot.store import Store
from intents import router
from knowledge.dates import parse_moment


class WorkbenchRecorder(Recorder):
    """The recorder, also answering the methods only the workbench calls as Slack does."""

    def _succeed(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any] | str]:
        if method == "conversations.open":
            return 200, {"ok": True, "channel": {"id": "D" + str(params.get("users"))}}
        if method == "chat.scheduleMessage":
            scheduled = f"Q{len(self.of('chat.scheduleMessage')):08d}"
            return 200, {
                "ok": True,
                "channel": params.get("channel"),
                "scheduled_message_id": scheduled,
                "post_at": params.get("post_at"),
            }
        return super()._succeed(method, params)


@dataclass
class Workbench:
    harness: Harness
    services: Services
    clock: MovableClock
    recorder: WorkbenchRecorder

    @property
    def store(self) -> Store:
        return self.services.store


@pytest.fixture
def recorder() -> Iterator[WorkbenchRecorder]:
    rec = WorkbenchRecorder().start()
    yield rec
    rec.stop()


@pytest.fixture
def make_workbench(recorder: WorkbenchRecorder, tmp_path) -> Iterator[Any]:
    made: list[tuple[Store, TrackingExecutor]] = []

    def make(**overrides: str) -> Workbench:
        settings = make_settings(recorder, tmp_path, **overrides)
        store = Store(settings.db_path)
        clock = MovableClock(parse_moment(settings.now))
        services = Services.build(settings, store, clock)
        executor = TrackingExecutor()
        app = build_app(services, listener_executor=executor)
        made.append((store, executor))
        return Workbench(Harness(app, recorder, store, executor), services, clock, recorder)

    yield make
    for store, executor in made:
        executor.drain()
        executor.shutdown()
        store.close()


@pytest.fixture
def workbench(make_workbench) -> Workbench:
    return make_workbench()


@pytest.fixture
def restores_matcher() -> Iterator[None]:
    """For tests that teach: the process's matcher is put back to the YAML examples afterwards,
    and bot.desk.teaching to "nothing taught" (as a process whose store holds no decision)."""
    yield
    empty = Store(":memory:")
    teaching.sync(empty)
    empty.close()
    router.rebuild({})
