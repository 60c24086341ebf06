"""`faqbot serve --http` as a real process on loopback, for faults a process must survive.

Used by tests/bot/cli/test_rel_process.py and scripts/fault_injection.py.
The server talks to a Recorder (tests/bot/support/slack_support.py) as its
Slack Web API; requests to it are signed as Slack signs them.
"""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from serve_process import free_port, request, serve_argv, serve_env, start, stop
from slack_support import Recorder, event_body, signed_headers

START_TIMEOUT = 90.0


class Server:
    """One `faqbot serve --http` process at a time on a fixed port and database; restartable."""

    def __init__(self, recorder: Recorder, workdir: Path, **env: str) -> None:
        self.recorder = recorder
        self.workdir = workdir
        self.port = free_port()
        self.db = workdir / "faqbot.db"
        self.env = serve_env(recorder.api_url, self.db, **env)
        self.process: subprocess.Popen | None = None
        self.logs: list[Path] = []

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self, timeout: float = START_TIMEOUT) -> Server:
        log = self.workdir / f"server-{len(self.logs) + 1}.log"
        self.logs.append(log)
        # A degraded /healthz (503: Slack unreachable) is a server that has started.
        self.process = start(
            serve_argv(self.port), self.port, self.env, self.workdir, log, timeout=timeout, ready=(200, 503)
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, nothing."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM, as systemd or docker stop do; the exit code."""
        assert self.process is not None
        return stop(self.process, timeout=30)

    def log_text(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in self.logs if p.exists())

    # --- talking to it ---------------------------------------------------------------------------

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None, timeout: float = 10
    ) -> tuple[int, bytes]:
        return request(self.port, method, path, body, headers, timeout)

    def send_event(self, event: dict[str, Any], event_id: str, retry_num: int | None = None) -> int | None:
        """POST one event as Slack does; the HTTP status, or None if the server never answered."""
        body = event_body(event, event_id)
        headers = signed_headers(body, "application/json")
        if retry_num:
            headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_error"}
        try:
            return self.request("POST", "/slack/events", body, headers)[0]
        except OSError:
            return None

    def send_payload(self, body: str) -> int | None:
        try:
            return self.request("POST", "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded"))[0]
        except OSError:
            return None

    def burst(
        self, events: Iterable[tuple[dict[str, Any], str]], clients: int = 8, kill_after_acks: int | None = None
    ) -> dict[str, int | None]:
        """Send events from `clients` threads; optionally SIGKILL the server once that many were acknowledged.
        The status of each event_id (None: no answer)."""
        statuses: dict[str, int | None] = {}
        acks = itertools.count(1)

        def send(item: tuple[dict[str, Any], str]) -> None:
            event, event_id = item
            status = self.send_event(event, event_id)
            statuses[event_id] = status
            if status == 200 and next(acks) == kill_after_acks:
                self.kill()

        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(send, events))
        return statuses

    def health(self) -> tuple[int, dict[str, Any]]:
        status, body = self.request("GET", "/healthz")
        return status, json.loads(body)

    def wait_delivered(self, timeout: float = 60.0) -> dict[str, Any]:
        """Until /healthz shows no pending outbox write; the last report."""
        deadline = time.monotonic() + timeout
        while True:
            _, report = self.health()
            if report["outbox"]["pending"] == 0:
                return report
            if time.monotonic() > deadline:
                raise AssertionError(f"still pending after {timeout}s: {report}\n{self.log_text()[-3000:]}")
            time.sleep(0.2)


def reaction(channel: str, ts: str, user: str = "UPARTNER") -> dict[str, Any]:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": "sos",
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": ts,
    }
