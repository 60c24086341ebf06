"""HTTP mode: Bolt's ASGI adapter under uvicorn, plus GET /healthz (bot/slack/health.py).

Every other request passes bot/slack/request_gate.py first (size cap, malformed headers).

Events, slash commands and interactivity all arrive at POST /slack/events.
Bolt's sync `App.dispatch` is run in a worker thread rather than on the event
loop: acknowledging a command waits for its listener, and a blocked loop would
hold every other request behind it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.asgi import SlackRequestHandler
from slack_bolt.adapter.asgi.http_request import AsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.request_gate import Receive, Scope, Send, gate

log = logging.getLogger("faqbot.http")

EVENTS_PATH = "/slack/events"
# CPython hands the GIL to a waiting thread only every 5 ms by default. A
# listener thread routing a question (CPU work, ~1 ms) would then hold up the
# event loop thread that sends Slack its acknowledgement; 0.5 ms lets the
# loop in promptly at a negligible switching cost.
GIL_SWITCH_INTERVAL_SECONDS = 0.0005
HEALTH_PATH = "/healthz"



class ThreadedSlackRequestHandler(SlackRequestHandler):
    async def dispatch(self, request: AsgiHttpRequest) -> BoltResponse:
        bolt_request = BoltRequest(
            body=await request.get_raw_body(), query=request.query_string, headers=request.get_headers()
        )
        response = await asyncio.to_thread(self.app.dispatch, bolt_request)
        if response.status == 401:
            # Bolt's own line would quote the whole unauthenticated body (bot/slack/request_gate.py).
            log.warning("refused a request with a bad, stale or missing signature (%d bytes)", len(bolt_request.raw_body))
        return response


def asgi_app(
    app: App, health: Callable[[], tuple[int, dict[str, Any]]]
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    slack = ThreadedSlackRequestHandler(app, path=EVENTS_PATH)

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == HEALTH_PATH and scope["method"] == "GET":
            # The health check may wait on Slack: off the event loop, like Slack's requests.
            status, report = await asyncio.to_thread(health)
            body = json.dumps(report, ensure_ascii=False).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        checked = await gate(scope, receive, send) if scope["type"] == "http" else receive
        if checked is not None:
            await slack(scope, checked, send)

    return application


def serve(
    app: App,
    health: Callable[[], tuple[int, dict[str, Any]]],
    *,
    address: tuple[str, int] | None = None,
    sockets: list[socket.socket] | None = None,
) -> None:
    """Serve on `address` (host, port), or on `sockets` already listening (the workers of one pool)."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    host, port = address if address else ("127.0.0.1", 8000)
    config = uvicorn.Config(
        asgi_app(app, health),
        # Ignored when `sockets` are given: they are already bound.
        host=host,
        port=port,
        # One line per Slack delivery would drown the log; failures are logged where they happen.
        access_log=False,
        # uvicorn's lines go through the root logger: JSON, scrubbed (bot/logs.py).
        log_config=None,
        # Slack holds its connections open between deliveries.
        timeout_keep_alive=30,
    )
    uvicorn.Server(config).run(sockets=sockets)
