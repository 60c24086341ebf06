"""Web API calls whose failure must be logged and survived, never silenced.

A failed call returns None; the caller decides what the user is told. Both
Slack's own errors (ok: false, 5xx with a non-JSON body) and transport errors
(connection refused, timeouts) end up here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

log = logging.getLogger("faqbot.slack")


def describe(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        data = error.response.data if isinstance(error.response.data, dict) else {}
        code = data.get("error") or f"HTTP {error.response.status_code}"
        return f"{code} (HTTP {error.response.status_code})"
    return f"{type(error).__name__}: {error}"


def try_call(what: str, method: Callable[..., SlackResponse], **kwargs: Any) -> SlackResponse | None:
    try:
        return method(**kwargs)
    except (SlackClientError, OSError) as error:
        log.error("Slack API call failed: %s: %s", what, describe(error))
        return None
