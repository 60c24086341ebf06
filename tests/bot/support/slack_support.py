"""Test doubles at Slack's edges: a Web API recorder on 127.0.0.1 and signed requests.

The recorder is a real HTTP server the bot reaches through SLACK_API_URL, so
the bot's own WebClient, its error handling and its JSON/form encoding are all
exercised. Requests to the bot are signed exactly as Slack signs them.

It keeps the messages the bot posted (with their metadata, for
conversations.history / .replies) and injects Slack's faults on demand:
`ok: false` errors and bare 5xx (`fail`), 429 with Retry-After (`rate_limit`),
an outage of every method for N seconds (`outage`), responses lost after Slack
acted (`lose_responses`), slow answers (`slow`), calls Slack carries out only as it
answers late (`slow_to_act`) and refused connections
(`down` / `up`).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import sys
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


@dataclass(frozen=True)
class Fault:
    """One way to answer a call instead of plain success."""

    status: int = 200
    body: dict[str, Any] | str = ""
    headers: dict[str, str] = field(default_factory=dict)
    # Slack acts on the call (posts the message), and then …
    acts: bool = False
    # … the connection closes without an answer, or the answer comes this late.
    drop: bool = False
    delay: float = 0.0
    # Slack acts only as it answers, `delay` after the call: until then nothing shows it.
    late: bool = False


@dataclass(frozen=True)
class _Reply:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay: float = 0.0


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


class Recorder:
    """Records every Web API call and answers like Slack would, or fails on demand."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        # method -> faults to answer with instead of success, used in order.
        self._faults: dict[str, list[Fault]] = {}
        # Until then (time.monotonic), every call answers with _outage_fault.
        self._outage_until = 0.0
        self._outage_fault = Fault()
        # (channel, ts) -> messages for conversations.replies, set by a test
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        # channel -> the messages the bot posted there, as Slack would keep them
        self.messages: dict[str, list[dict[str, Any]]] = {}
        # user group id -> member ids, for usergroups.users.list
        self.usergroups: dict[str, list[str]] = {}
        # What apps.connections.open hands out (a Socket Mode test's WebSocket server).
        self.socket_url: str | None = None
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
                reply = recorder._answer(method, params)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    # The answer is lost on the way back: the client sees the connection close.
                    self.close_connection = True
                    return
                body = reply.body
                payload = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(reply.status)
                self.send_header(
                    "Content-Type", "application/json" if not isinstance(body, str) else "text/plain"
                )
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self._handler = Handler
        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_url = self.url + "/api/"
        self._thread = self._serve_thread()

    def _serve_thread(self) -> threading.Thread:
        return threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> Recorder:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self.down()

    def down(self) -> None:
        """Slack unreachable: connections to the recorder's port are refused until `up`."""
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def up(self) -> None:
        """Reachable again, on the same port."""
        self.server = _Server(("127.0.0.1", self.port), self._handler)
        self._thread = self._serve_thread()
        self._thread.start()

    # --- answering -----------------------------------------------------------------

    def fail(self, method: str, status: int = 200, error: str = "internal_error", times: int = 1) -> None:
        """The next `times` calls of `method` fail: ok:false with `error`, or a bare HTTP `status`."""
        body: dict[str, Any] | str = (
            {"ok": False, "error": error} if status == 200 else "Internal Server Error"
        )
        self.inject(method, Fault(status, body), times)

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls of `method` are refused with 429 and Retry-After."""
        fault = Fault(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        self.inject(method, fault, times)

    def lose_responses(self, method: str, times: int = 1) -> None:
        """The next `times` calls of `method` take effect, but their answers never arrive."""
        self.inject(method, Fault(acts=True, drop=True), times)

    def slow(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` take effect and are answered `seconds` later."""
        self.inject(method, Fault(acts=True, delay=seconds), times)

    def slow_to_act(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` take `seconds` at Slack: they take effect (the message
        appears in conversations.history / .replies) and are answered only then."""
        self.inject(method, Fault(acts=True, delay=seconds, late=True), times)

    def outage(self, seconds: float, status: int = 503) -> None:
        """For `seconds` from now every call answers a bare HTTP `status` (Slack is down)."""
        with self._cond:
            self._outage_until = time.monotonic() + seconds
            self._outage_fault = Fault(status, "Service Unavailable")

    def inject(self, method: str, fault: Fault, times: int = 1) -> None:
        with self._cond:
            self._faults.setdefault(method, []).extend([fault] * times)

    def next_ts(self) -> str:
        return f"1800000000.{next(self._ts):06d}"

    def _answer(self, method: str, params: dict[str, Any]) -> _Reply:
        with self._cond:
            if time.monotonic() < self._outage_until:
                fault: Fault | None = self._outage_fault
            else:
                faults = self._faults.get(method)
                fault = faults.pop(0) if faults else None
            call = Call(method, params)
            self.calls.append(call)
            refused = fault is not None and not fault.acts
            if method == "chat.postMessage" and not refused:
                self._replies.setdefault(params.get("thread_ts"), []).append(call.at)
            self._cond.notify_all()
        if fault is not None and not fault.acts:
            return _Reply(fault.status, fault.body, fault.headers)
        if fault is not None and fault.late:
            time.sleep(fault.delay)
            return _Reply(*self._succeed(method, params))
        status, body = self._succeed(method, params)
        return _Reply(status, body, drop=bool(fault and fault.drop), delay=fault.delay if fault else 0.0)

    def _succeed(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any] | str]:
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
            kept = {"type": "message", "ts": ts, "text": params.get("text"), "user": BOT_USER, "bot_id": BOT_ID}
            for name in ("thread_ts", "metadata", "blocks"):
                if params.get(name):
                    kept[name] = params[name]
            with self._cond:
                self.messages.setdefault(channel, []).append(kept)
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
            ts = params.get("ts")
            found = self.threads.get((channel, ts))
            if found is None:
                found = [m for m in self.messages_in(channel) if ts in (m["ts"], m.get("thread_ts"))]
            return 200, {"ok": True, "messages": self._shown(found, params)}
        if method == "conversations.history":
            top = [m for m in self.messages_in(channel) if m.get("thread_ts") in (None, m["ts"])]
            return 200, {"ok": True, "messages": self._shown(top[::-1], params)}
        if method == "usergroups.users.list":
            members = self.usergroups.get(params.get("usergroup"))
            if members is None:
                return 200, {"ok": False, "error": "no_such_subteam"}
            return 200, {"ok": True, "users": members}
        if method == "apps.connections.open":
            return 200, {"ok": True, "url": self.socket_url}
        if method == "views.open":
            return 200, {"ok": True, "view": {"id": "V0001"}}
        return 200, {"ok": True}

    @staticmethod
    def _shown(messages: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
        """Messages as Slack lists them: metadata only when asked for with include_all_metadata."""
        if _truthy(params.get("include_all_metadata")):
            return messages
        return [{k: v for k, v in m.items() if k != "metadata"} for m in messages]

    # --- inspecting ---------------------------------------------------------------------

    def messages_in(self, channel: str | None) -> list[dict[str, Any]]:
        """What Slack shows in `channel`: the messages the bot's calls actually posted there."""
        with self._cond:
            return list(self.messages.get(channel, []))

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

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed mid-request (the SIGKILL tests) is expected, not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


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


def block_actions(action_id: str, value: str, *, user: str, surface: dict[str, Any], text: str = "") -> dict[str, Any]:
    """A button press as Slack posts it. `surface` says where the button was: a message
    (container, channel, message, response_url) or a view (container, view)."""
    return {
        "type": "block_actions",
        "user": {"id": user},
        "api_app_id": "A0001",
        "team": {"id": TEAM},
        "token": "legacy",
        "trigger_id": "trigger.2",
        **surface,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "text": {"type": "plain_text", "text": text or action_id},
                "action_ts": "1.0",
            }
        ],
    }


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
