"""Who the bot is on Slack (auth.test), asked at start and, while Slack does not answer, in the
background.

`faqbot serve` asks once before it serves, briefly. A token Slack refuses
(TOKEN_REFUSED) stops it with one line. Any other failure (Slack down, slow,
answering 5xx) does not: restarting would not bring Slack back, while a
serving bot journals and acknowledges events and its outbox delivers once
Slack answers again. The question is then asked again in the background,
with backoff, until Slack answers; a refusal then stops the bot as at start.

Bolt learns who the bot is from `authorize`, never by calling auth.test
itself (in App(), or on the first request, where a Slack outage would fail
the request).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack.web_api import describe

log = logging.getLogger("faqbot.identity")

# Slack's answers that mean "this token will never work": no retry helps.
TOKEN_REFUSED = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})
# Asked again 1 s after a failure, doubling to a minute.
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0


class TokenRefused(Exception):
    """Slack refused the bot token; the message says which error it gave."""


def ask(client: WebClient) -> dict[str, Any]:
    """auth.test once: Slack's answer. Raises TokenRefused, or SlackClientError / OSError when
    Slack could not be asked."""
    try:
        return dict(client.auth_test().data)  # type: ignore[arg-type]  # auth.test answers a JSON object
    except SlackApiError as error:
        data = error.response.data if isinstance(error.response.data, dict) else {}
        if data.get("error") in TOKEN_REFUSED:
            raise TokenRefused(describe(error)) from None
        raise


class Identity:
    """The bot's identity for Bolt's `authorize`, known from the start or learned in the background."""

    def __init__(self, client: WebClient, known: dict[str, Any] | None) -> None:
        self._client = client
        self._known = known
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # The retry schedule, in seconds (tests shorten it).
        self.first_retry = FIRST_RETRY_SECONDS
        self.max_retry = MAX_RETRY_SECONDS

    @property
    def known(self) -> bool:
        return self._known is not None

    def authorize(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # Until Slack has answered, the bot's user id is not known (bot/slack/listeners/events.py
        # then reads it from the event); the token is all a listener needs to call Slack.
        known = self._known or {}
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id or known.get("team_id"),
            bot_user_id=known.get("user_id"),
            bot_id=known.get("bot_id"),
            bot_token=self._client.token,
        )

    def learn(self, refused: Callable[[TokenRefused], None]) -> None:
        """Unless known: ask Slack in a thread until it answers; `refused` if it refuses the token."""
        if self.known:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._learn, args=(refused,), name="faqbot-identity", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _learn(self, refused: Callable[[TokenRefused], None]) -> None:
        delay = self.first_retry
        while not self._stop.wait(delay):
            try:
                self._known = ask(self._client)
            except TokenRefused as error:
                refused(error)
                return
            except (SlackClientError, OSError) as error:
                log.warning("auth.test failed again: %s; asking again in %.0fs", describe(error), delay * 2)
                delay = min(delay * 2, self.max_retry)
                continue
            log.info("connected as %s (%s)", self._known.get("user"), self._known.get("team"))
            return
