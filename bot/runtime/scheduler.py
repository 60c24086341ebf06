"""The background jobs of `faqbot serve`, run by one small thread.

A job runs when the clock enters a new slot for it: a new JST date for the
daily reminder scheduling, a new minute for the SLA watch. Slots come from the
bot's Clock, so a test drives the jobs with a clock of its own and calls
run_due() without any thread, and a frozen FAQBOT_NOW runs each job once.
A failing job is logged and tried again in its next slot, never in a loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from bot.runtime.clock import Clock

log = logging.getLogger("faqbot.scheduler")

# How often the thread looks at the clock; the finest slot is a minute.
TICK_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 10.0


def daily(now: datetime) -> Hashable:
    return now.date()


def every_minute(now: datetime) -> Hashable:
    return now.replace(second=0, microsecond=0)


@dataclass
class Job:
    name: str
    slot: Callable[[datetime], Hashable]
    run: Callable[[], object]
    last_slot: Hashable | None = None


class Scheduler:
    def __init__(self, clock: Clock, jobs: list[Job], tick_seconds: float = TICK_SECONDS) -> None:
        self.clock = clock
        self.jobs = jobs
        self.tick_seconds = tick_seconds
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self) -> list[str]:
        """Run every job whose slot changed since its last run; the names of those run."""
        now = self.clock.now()
        ran = []
        for job in self.jobs:
            slot = job.slot(now)
            if slot == job.last_slot:
                continue
            job.last_slot = slot
            try:
                job.run()
            except Exception:
                log.exception("background job %s failed", job.name)
            ran.append(job.name)
        return ran

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self._loop, name="faqbot-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            self.run_due()
            if self._stopped.wait(self.tick_seconds):
                return
