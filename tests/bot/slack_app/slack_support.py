"""Test doubles at Slack's edges: a Web API recorder on 127.0.0.1 and signed requests.

The recorder is a real HTTP server the bot reaches through SLACK_API_URL, so
the bot's own WebClient, its error handling and its JSON/form encoding are all
exercised. Requests to the bot are signed exactly as Slack signs them.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class Recorder:
    """Records every Web API call and answers like Slack would, or fails on demand."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        # method -> list of (status, body) to answer with instead of success, used in order.
        self._failures: dict[str, list[tuple[int, dict[str, Any] | str]]] = {}
        # (channel, ts) -> messages for conversations.replies
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        # thread_ts -> when each successful chat.postMessage into it arrived
        self._replies: dict[str | None, list[float]] = {}
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                params = _decode(raw, self.headers.get("Content-Type") or "")
                if self.path.startswith("/api/"):
                    method = self.path[len("/api/") :].split("?")[0]
                else:
                    method = "response_url"
                    params["_path"] = self.path
                status, body = recorder._answer(method, params)
                payload = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type", "application/json" if not isinstance(body, str) else "text/plain"
                )
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.api_url = self.url + "/api/"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> Recorder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- answering -----------------------------------------------------------------

    def fail(self, method: str, status: int = 200, error: str = "internal_error", times: int = 1) -> None:
        """The next `times` calls of `method` fail: ok:false with `error`, or a bare HTTP `status`."""
        body: dict[str, Any] | str = (
            {"ok": False, "error": error} if status == 200 else "Internal Server Error"
        )
        with self._cond:
            self._failures.setdefault(method, []).extend([(status, body)] * times)

    def next_ts(self) -> str:
        return f"1800000000.{next(self._ts):06d}"

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any] | str]:
        with self._cond:
            failures = self._failures.get(method)
            failure = failures.pop(0) if failures else None
            call = Call(method, params)
            self.calls.append(call)
            if method == "chat.postMessage" and not failure:
                self._replies.setdefault(params.get("thread_ts"), []).append(call.at)
            self._cond.notify_all()
        if failure:
            return failure
        channel = params.get("channel")
        if method == "auth.test":
            return 200, {
                "ok": True,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "team_id": TEAM,
                "user": "faqbot",
                "team": "Test",
            }
        if method == "chat.postMessage":
            ts = self.next_ts()
            return 200, {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"ts": ts, "text": params.get("text")},
            }
        if method == "chat.update":
            return 200, {"ok": True, "channel": channel, "ts": params.get("ts")}
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": self.next_ts()}
        if method == "chat.getPermalink":
            ts = str(params.get("message_ts", "")).replace(".", "")
            return 200, {
                "ok": True,
                "channel": channel,
                "permalink": f"https://example.slack.com/archives/{channel}/p{ts}",
            }
        if method == "conversations.replies":
            return 200, {"ok": True, "messages": self.threads.get((channel, params.get("ts")), [])}
        if method == "views.open":
            return 200, {"ok": True, "view": {"id": "V0001"}}
        return 200, {"ok": True}

    # --- inspecting ---------------------------------------------------------------------

    def of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until `count` calls of `method` were seen; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                calls = [c for c in self.calls if c.method == method]
                if len(calls) >= count:
                    return calls
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(
                        f"expected {count} {method} call(s), saw {len(calls)}; all calls: {seen}"
                    )
                self._cond.wait(left)

    def wait_reply(self, thread_ts: str, timeout: float = 10.0) -> float:
        """When the first reply into `thread_ts` arrived (time.monotonic)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while thread_ts not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no reply in thread {thread_ts} within {timeout}s")
                self._cond.wait(left)
            return self._replies[thread_ts][0]

    def clear(self) -> None:
        with self._cond:
            self.calls.clear()
            self._replies.clear()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections under bursts, adding 1 s SYN retries.
    request_queue_size = 256


def _decode(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        data = json.loads(raw or "{}")
    else:
        data = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(raw).items()}
    for key in ("blocks", "view"):
        if isinstance(data.get(key), str):
            data[key] = json.loads(data[key])
    return data


# --- signed requests ---------------------------------------------------------------------------


def signed_headers(
    body: str, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


_event_ids = itertools.count(1)


def event_body(event: dict[str, Any], event_id: str | None = None) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_event_ids):08d}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        },
        ensure_ascii=False,
    )


def mention(
    text: str, *, channel: str = "C0001", ts: str, user: str = "UPARTNER", thread_ts: str | None = None
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(
    text: str,
    *,
    channel: str = "C0001",
    ts: str,
    user: str | None = "UPARTNER",
    thread_ts: str | None = None,
    channel_type: str = "channel",
    **extra: Any,
) -> dict[str, Any]:
    event = {
        "type": "message",
        "text": text,
        "ts": ts,
        "channel": channel,
        "channel_type": channel_type,
        "event_ts": ts,
    }
    if user:
        event["user"] = user
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def command_body(
    command: str, text: str, *, user: str = "UPARTNER", channel: str = "C0001", response_url: str
) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": TEAM,
            "channel_id": channel,
            "user_id": user,
            "command": command,
            "text": text,
            "response_url": response_url,
            "trigger_id": "trigger.1",
            "api_app_id": "A0001",
        }
    )


def payload_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


class TrackingExecutor(ThreadPoolExecutor):
    """A listener pool the test can wait on: after drain(), every listener has finished."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="test-listener")
        self._futures: list[Future] = []
        self._lock = threading.Lock()

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._futures.append(future)
        return future

    def drain(self, timeout: float = 10.0) -> None:
        with self._lock:
            futures = list(self._futures)
        done, not_done = wait(futures, timeout=timeout)
        assert not not_done, f"{len(not_done)} listener(s) still running after {timeout}s"
        for future in done:
            future.result()
