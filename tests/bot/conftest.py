"""What every suite under tests/bot shares, once: the Slack test doubles in tests/bot/support
(the Web API recorder, signed requests, the Harness, the reliability Bot) are importable from
each test module, and the fixtures that build the real Bolt app over them live here.

- `recorder`: a Web API recorder on 127.0.0.1 of the test's own.
- `make_harness` / `harness`: the Bolt app and services over the recorder (tests/bot/slack).
- `make_workbench` / `workbench`: the same with a clock the test moves and a recorder that
  also answers conversations.open and chat.scheduleMessage as Slack does (App Home, SLA,
  reminders, teaching).
- `make` / `bot`: the app with a handle on the outbox, for faults injected into Slack.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

from rel_support import Bot, make_bot  # noqa: E402
from slack_harness import Harness, make_settings  # noqa: E402
from slack_support import Recorder, TrackingExecutor  # noqa: E402
from workbench_support import MovableClock  # noqa: E402

from bot.desk import teaching  # noqa: E402
from bot.runtime.clock import Clock  # noqa: E402
from bot.slack.app import build_app, create_app  # noqa: E402
from bot.slack.services import Services  # noqa: E402
from bot.store import Store  # noqa: E402
from intents import router  # noqa: E402
from knowledge.dates import parse_moment  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def warm_router() -> None:
    """Load the matcher once up front: faults timed in tenths of seconds must not race its cold start."""
    from datetime import datetime

    router.route("保証終了日が2027年3月31日ですが、ポストワランティはいつから発注できますか", datetime.now())


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder().start()
    yield rec
    rec.stop()


@pytest.fixture
def make_harness(recorder: Recorder, tmp_path) -> Iterator[Any]:
    made: list[tuple[Store, TrackingExecutor]] = []

    def make(**overrides: str) -> Harness:
        settings = make_settings(recorder, tmp_path, **overrides)
        store = Store(settings.db_path)
        executor = TrackingExecutor()
        app = create_app(settings, store, Clock.from_setting(settings.now), listener_executor=executor)
        made.append((store, executor))
        return Harness(app, recorder, store, executor)

    yield make
    for store, executor in made:
        executor.drain()
        executor.shutdown()
        store.close()


@pytest.fixture
def harness(make_harness) -> Harness:
    return make_harness()


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
def workbench_recorder() -> Iterator[WorkbenchRecorder]:
    rec = WorkbenchRecorder().start()
    yield rec
    rec.stop()


@pytest.fixture
def make_workbench(workbench_recorder: WorkbenchRecorder, tmp_path) -> Iterator[Any]:
    made: list[tuple[Store, TrackingExecutor]] = []

    def make(**overrides: str) -> Workbench:
        settings = make_settings(workbench_recorder, tmp_path, **overrides)
        store = Store(settings.db_path)
        clock = MovableClock(parse_moment(settings.now))
        services = Services.build(settings, store, clock)
        executor = TrackingExecutor()
        app = build_app(services, listener_executor=executor)
        made.append((store, executor))
        return Workbench(Harness(app, workbench_recorder, store, executor), services, clock, workbench_recorder)

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


@pytest.fixture
def make(recorder: Recorder, tmp_path) -> Iterator[Any]:
    """make(**env overrides) -> Bot; every Bot made is shut down after the test."""
    made: list[Bot] = []

    def build(**overrides: str) -> Bot:
        bot = make_bot(recorder, tmp_path, **overrides)
        made.append(bot)
        return bot

    yield build
    for bot in made:
        bot.close()


@pytest.fixture
def bot(make) -> Bot:
    return make()
