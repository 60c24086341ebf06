"""GET /healthz in HTTP mode: can the bot store, can it reach Slack, is anything waiting.

HTTP 200 while the database answers, with `status` "ok", or "degraded" when
Slack cannot be reached (the bot still acknowledges and records everything;
the outbox delivers when Slack is back, so restarting the bot would not
help). HTTP 503 when the database does not answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.slack.web_api import describe
from bot.store import Store

# A probe every few seconds must not become an auth.test every few seconds.
SLACK_CHECK_SECONDS = 30.0


class Health:
    def __init__(
        self,
        store: Store,
        client: WebClient,
        *,
        mode: str,
        clock: Callable[[], float] = time.time,
        slack_check_seconds: float = SLACK_CHECK_SECONDS,
    ) -> None:
        self.store = store
        self.client = client
        self.mode = mode
        self._clock = clock
        self._every = slack_check_seconds
        self._lock = threading.Lock()
        self._slack: str | None = None
        self._checked_at = 0.0

    def __call__(self) -> tuple[int, dict[str, Any]]:
        report: dict[str, Any] = {"mode": self.mode, "slack": self._slack_state()}
        try:
            report["db"] = self.store.ping()
            backlog = self.store.outbox_backlog()
        except Exception as error:  # the report names it; /healthz itself must answer
            report |= {"status": "down", "db": f"error: {type(error).__name__}"}
            return 503, report
        oldest = backlog.pop("oldest_created")
        backlog["oldest_pending_seconds"] = round(self._clock() - oldest, 1) if oldest is not None else None
        report["outbox"] = backlog
        report["status"] = "ok" if report["slack"] == "ok" else "degraded"
        return 200, report

    def _slack_state(self) -> str:
        with self._lock:
            if self._slack is None or self._clock() - self._checked_at >= self._every:
                try:
                    self.client.auth_test()
                    self._slack = "ok"
                except (SlackClientError, OSError) as error:
                    self._slack = f"unreachable: {describe(error)}"
                self._checked_at = self._clock()
            return self._slack
