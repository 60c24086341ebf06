"""The Bolt app factory: one WebClient pointed at SLACK_API_URL, the listeners, error logging."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from bot import listeners
from bot.clock import Clock
from bot.services import Services
from bot.settings import Settings
from bot.store import Store

log = logging.getLogger("faqbot.app")

# Listener work is mostly waiting on the Web API, so more threads than cores
# keep answers flowing while some calls are slow.
LISTENER_THREADS = 16
WEB_API_TIMEOUT_SECONDS = 10


def create_client(settings: Settings) -> WebClient:
    return WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=WEB_API_TIMEOUT_SECONDS)


def create_app(
    settings: Settings,
    store: Store,
    clock: Clock,
    *,
    socket_mode: bool = False,
    listener_executor: Executor | None = None,
) -> App:
    """The Bolt app. `listener_executor` runs the listeners; its owner can wait for it to drain."""
    app = App(
        client=create_client(settings),
        signing_secret=settings.signing_secret or "",
        # Socket Mode messages are not signed; HTTP requests must be.
        request_verification_enabled=not socket_mode,
        # auth.test runs on the first request instead (and `faqbot serve` checks the
        # token itself with a readable message), so building an app needs no network.
        token_verification_enabled=False,
        listener_executor=listener_executor
        or ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="faqbot-listener"),
        logger=logging.getLogger("faqbot.bolt"),
    )

    @app.error
    def log_listener_error(error: Exception, body: dict) -> None:
        # Bolt would log this too, but without saying which request it was.
        kind = body.get("type") if isinstance(body, dict) else None
        event = (
            body.get("event", {}).get("type")
            if isinstance(body, dict) and isinstance(body.get("event"), dict)
            else None
        )
        log.error("listener failed on %s %s", kind, event or "", exc_info=error)

    listeners.register(app, Services.build(settings, store, clock))
    return app
