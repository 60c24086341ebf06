"""The real Bolt app and services over the recorder, with a handle on the outbox.

The Slack test doubles (recorder, signed requests, the Harness) live in
tests/bot/slack_app and are shared, not copied.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rel_support import Bot, make_bot
from slack_support import Recorder


@pytest.fixture(scope="session", autouse=True)
def warm_router() -> None:
    """Load the matcher once up front: faults timed in tenths of seconds must not race its cold start."""
    from datetime import datetime

    from intents.router import route

    route("保証終了日が2027年3月31日ですが、ポストワランティはいつから発注できますか", datetime.now())


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
