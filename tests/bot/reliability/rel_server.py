"""`faqbot serve --http` as a real process on loopback, for faults a process must survive.

Used by tests/bot/reliability/test_rel_process.py and scripts/fault_injection.py.
The server talks to a Recorder (tests/bot/slack_app/slack_support.py) as its
Slack Web API; requests to it are signed as Slack signs them.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from slack_support import BOT_TOKEN, SIGNING_SECRET, Recorder, event_body, signed_headers

ROOT = Path(__file__).resolve().parents[3]
STAFF_CHANNEL = "CSTAFF"
STAFF = "USTAFF1"
NOW = "2026-11-24T10:00:00+09:00"
START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `faqbot serve --http` process at a time on a fixed port and database; restartable."""

    def __init__(self, recorder: Recorder, workdir: Path, **env: str) -> None:
        self.recorder = recorder
        self.workdir = workdir
        self.port = free_port()
        self.db = workdir / "faqbot.db"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FAQBOT_"))}
        self.env.update(
            {
                "PYTHONPATH": str(ROOT),
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": recorder.api_url,
                "FAQBOT_DB": str(self.db),
                "FAQBOT_STAFF_CHANNEL": STAFF_CHANNEL,
                "FAQBOT_STAFF_USERS": STAFF,
                "FAQBOT_NOW": NOW,
                **env,
            }
        )
        self.process: subprocess.Popen | None = None
        self.logs: list[Path] = []

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Server:
        log = self.workdir / f"server-{len(self.logs) + 1}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=self.workdir,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if self.request("GET", "/healthz")[0] in (200, 503):
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"server did not start:\n{self.log_text()[-4000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, nothing."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM, as systemd or docker stop do; the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def log_text(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in self.logs if p.exists())

    # --- talking to it ---------------------------------------------------------------------------

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None, timeout: float = 10
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body.encode(), headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

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
