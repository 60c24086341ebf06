"""What an HTTP request must be before Bolt sees it: small, well-formed, and never logged whole.

Anyone can reach /slack/events. Bolt reads the whole body before it checks the signature,
fails with a traceback on a timestamp that is not an integer or a body that is not UTF-8,
and logs a badly signed body in full at INFO. So the gate answers first, from the headers
and a capped read: 413 for a body larger than Slack ever sends, 400 for a malformed
request, with one short log line each; what passes is handed on exactly as it came.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("faqbot.http")

# Slack's payloads are a few KiB; a modal's state with long inputs stays well under this.
MAX_BODY_BYTES = 256 * 1024

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def gate(scope: Scope, receive: Receive, send: Send) -> Receive | None:
    """A `receive` that replays the checked body, or None when the request was answered here."""
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
    declared = headers.get("content-length", "0")
    if not (declared.isascii() and declared.isdigit()):
        await _refuse(send, 400, "malformed Content-Length", f"{len(declared)} characters")
        return None
    if int(declared) > MAX_BODY_BYTES:
        await _refuse(send, 413, "request body too large", f"{declared} bytes")
        return None
    body = await _read(receive)
    if body is None:
        await _refuse(send, 413, "request body too large", "streamed")
        return None
    # A missing timestamp is Bolt's to refuse (401, unsigned); one that is not a number fails in it.
    timestamp = headers.get("x-slack-request-timestamp", "")
    if timestamp and not (timestamp.isascii() and timestamp.isdigit()):
        await _refuse(send, 400, "malformed X-Slack-Request-Timestamp", f"{len(timestamp)} characters")
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        await _refuse(send, 400, "request body is not UTF-8", f"{len(body)} bytes")
        return None
    return _replay(body)


async def _read(receive: Receive) -> bytes | None:
    """The body, or None as soon as it grows past the cap (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _refuse(send: Send, status: int, reason: str, detail: str) -> None:
    log.warning("refused a request to /slack/events (%d %s: %s)", status, reason, detail)
    body = json.dumps({"error": reason}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
