"""Logs: one JSON object per line, a request id per Slack request, secrets scrubbed.

The request id lives in a context variable: a Bolt middleware sets it when a
request arrives, `ContextExecutor` carries it into the listener thread, and
the outbox stores it with the writes the request causes, so a delivery
minutes later logs the same id.

Tokens and the signing secret are removed from every line, whatever logged
them (slack_sdk at DEBUG prints request headers, an exception may quote a
URL): the configured values themselves and anything shaped like a Slack
token or a Socket Mode ticket.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.runtime.settings import Settings

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("faqbot_request_id", default=None)
REDACTED = "[REDACTED]"
# xoxb- (bot), xoxp- (user), xoxe- (refresh), xapp- (app-level) and the rest of the family.
_TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)-[0-9A-Za-z-]+")
# Socket Mode WebSocket URLs carry a one-time ticket.
_TICKET = re.compile(r"(ticket=)[^&\s\"']+")
LOG_LEVEL_DEFAULT = "INFO"


def request_id_for(body: Any) -> str:
    """Slack's event_id when there is one (it matches Slack's own logs), else a fresh id."""
    event_id = body.get("event_id") if isinstance(body, dict) else None
    return event_id if isinstance(event_id, str) and event_id else uuid.uuid4().hex[:12]


@contextmanager
def request(request_id: str | None) -> Iterator[None]:
    token = REQUEST_ID.set(request_id)
    try:
        yield
    finally:
        REQUEST_ID.reset(token)


class Redactor:
    def __init__(self, secrets: Iterable[str | None]) -> None:
        # Longest first, so a secret containing another is removed whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _TOKEN.sub(REDACTED, text)
        return _TICKET.sub(r"\1" + REDACTED, text)


class JsonFormatter(logging.Formatter):
    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._redact(record.getMessage()),
        }
        request_id = REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self._redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(settings: Settings, stream: TextIO | None = None) -> None:
    """Replace the root logger's handlers with one JSON line writer (stderr by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter(Redactor([settings.bot_token, settings.app_token, settings.signing_secret]))
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    level = (settings.log_level or LOG_LEVEL_DEFAULT).upper()
    known = isinstance(logging.getLevelName(level), int)
    root.setLevel(level if known else LOG_LEVEL_DEFAULT)
    logging.captureWarnings(True)
    if not known:
        logging.getLogger("faqbot.logs").warning(
            "FAQBOT_LOG_LEVEL=%r is not a level name (DEBUG, INFO, WARNING, ERROR): using INFO", settings.log_level
        )


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's context (the request id)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)
