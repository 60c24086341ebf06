"""A task run now and then every so often, in a thread of its own, until stopped.

For what `faqbot serve` does beside answering on a fixed interval of real time
(the daily purge, picking up what another worker taught). A failing run is
logged and the task is tried again at its next turn.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("faqbot.periodic")

STOP_TIMEOUT_SECONDS = 10.0


class Periodic:
    def __init__(self, name: str, every: float, task: Callable[[], object]) -> None:
        self.name = name
        self._every = every
        self._task = task
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"faqbot-{name}", daemon=True)

    def start(self) -> Periodic:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(STOP_TIMEOUT_SECONDS)

    def _run(self) -> None:
        while True:
            try:
                self._task()
            except Exception:
                log.exception("%s failed; trying again in %.0f s", self.name, self._every)
            if self._stop.wait(self._every):
                return
