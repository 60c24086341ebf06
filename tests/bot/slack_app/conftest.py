from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_harness import Harness, make_settings
from slack_support import Recorder, TrackingExecutor

from bot.runtime.clock import Clock
from bot.slack.app import create_app
from bot.store import Store


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
