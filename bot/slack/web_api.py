"""The Web API client, and what its failures mean for a retry.

Short trouble is retried inside the client by slack_sdk's retry handlers:
rate limits (429, after Retry-After) and connection errors raised before a
request was fully sent. Everything longer (5xx, timeouts, Slack down for
minutes) is the outbox's job (bot/outbox.py), which can also tell whether
a write whose response was lost reached Slack after all.

Best-effort calls (ephemeral notes, modals, look-ups) go through `try_call`:
a failure is logged and returns None; the caller decides what the user is told.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, RetryHandler
from slack_sdk.web import SlackResponse

from bot.runtime.settings import Settings

log = logging.getLogger("faqbot.slack")

# Generous: a write that times out on our side may still be posted on Slack's, and must then be
# looked for before it is sent again (bot/slack/outbox.py), which takes time. Better to wait here.
WEB_API_TIMEOUT_SECONDS = 30
RATE_LIMIT_RETRIES = 3
CONNECTION_RETRIES = 2
# Slack's `ok: false` errors that say "try again later" rather than "never".
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)

# A gateway's "I gave up waiting": the server behind it may still be working on the call.
GATEWAY_TIMEOUTS = frozenset({502, 504})


def retry_handlers() -> list[RetryHandler]:
    return [
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        # Only URLError: urllib raises it while connecting or sending, before Slack
        # has the whole request. A reset or timeout while waiting for the response
        # may come after Slack acted, and resending blindly could post twice.
        ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES, error_types=[URLError]),
    ]


def create_client(settings: Settings, *, timeout: int = WEB_API_TIMEOUT_SECONDS, retry: bool = True) -> WebClient:
    """The bot's client; `retry=False` for probes that must answer quickly rather than eventually."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=timeout,
        retry_handlers=retry_handlers() if retry else [],
    )


def describe(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        data = error.response.data if isinstance(error.response.data, dict) else {}
        code = data.get("error") or f"HTTP {error.response.status_code}"
        return f"{code} (HTTP {error.response.status_code})"
    return f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class Failure:
    """A failed write, as the outbox needs to see it."""

    text: str
    # Worth trying again later (Slack or the network was down, not "never").
    retry: bool
    # Slack may have acted before the failure: look before resending.
    maybe_sent: bool
    # Slack's Retry-After, when it gave one.
    retry_after: float | None = None
    # No answer came, or a gateway gave up waiting: Slack may still be acting on the call,
    # so a look for its effect right now proves nothing.
    in_flight: bool = False


def classify(error: BaseException) -> Failure:
    text = describe(error)
    if isinstance(error, SlackApiError):
        status = error.response.status_code
        data = error.response.data if isinstance(error.response.data, dict) else {}
        if status == 429:
            after = (error.response.headers or {}).get("Retry-After") or (error.response.headers or {}).get(
                "retry-after"
            )
            return Failure(text, retry=True, maybe_sent=False, retry_after=_seconds(after))
        if status >= 500 or data.get("error") in TRANSIENT_ERRORS:
            return Failure(text, retry=True, maybe_sent=True, in_flight=status in GATEWAY_TIMEOUTS)
        return Failure(text, retry=False, maybe_sent=False)
    if isinstance(error, URLError):
        # Refused, unreachable, DNS: the request never reached Slack.
        return Failure(text, retry=True, maybe_sent=False)
    if isinstance(error, OSError):
        # Reset, disconnected or timed out while waiting for the answer.
        return Failure(text, retry=True, maybe_sent=True, in_flight=True)
    return Failure(text, retry=False, maybe_sent=False)


def _seconds(value: Any) -> float | None:
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def try_call(what: str, method: Callable[..., SlackResponse], **kwargs: Any) -> SlackResponse | None:
    try:
        return method(**kwargs)
    except (SlackClientError, OSError) as error:
        log.error("Slack API call failed: %s: %s", what, describe(error))
        return None
