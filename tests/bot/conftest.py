"""What every suite under tests/bot shares: the Slack test doubles in
tests/bot/slack_app (the Web API recorder, signed requests, the Harness) are
importable from each, and each test gets a recorder of its own."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "slack_app"))

from slack_support import Recorder  # noqa: E402


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder().start()
    yield rec
    rec.stop()
