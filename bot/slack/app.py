"""The Bolt app factory: the listeners over the services, a request id per request, error logging."""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from slack_bolt import App, BoltRequest, BoltResponse

from bot.runtime import logs
from bot.runtime.clock import Clock
from bot.runtime.settings import Settings
from bot.slack import listeners
from bot.slack.payloads import scrub
from bot.slack.services import Services
from bot.store import Store

log = logging.getLogger("faqbot.app")

# Listener work is mostly waiting on the Web API, so more threads than cores
# keep answers flowing while some calls are slow.
LISTENER_THREADS = 16


class FaqbotApp(App):
    """Bolt's App, with a request id for every log line of a request (and of the listener it
    starts), and with text no later write can choke on (bot/payloads.py: scrub)."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        req.body = scrub(req.body)
        with logs.request(logs.request_id_for(req.body)):
            return super().dispatch(req)


def listener_pool() -> logs.ContextExecutor:
    """The threads listeners run in; each runs in its request's context (the request id)."""
    return logs.ContextExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="faqbot-listener")


def build_app(
    services: Services,
    *,
    socket_mode: bool = False,
    listener_executor: Executor | None = None,
    verify_token: bool = False,
) -> App:
    """The Bolt app over `services`. `listener_executor` runs the listeners; its owner can wait for it to drain.

    `verify_token`: Bolt calls auth.test now rather than on the first request. A
    serving bot wants that: a first request arriving while Slack is down would
    otherwise fail its authorization. Tests and tools build apps without it.
    """
    settings = services.settings
    app = FaqbotApp(
        client=services.outbox.client,
        signing_secret=settings.signing_secret or "",
        # Socket Mode messages are not signed; HTTP requests must be.
        request_verification_enabled=not socket_mode,
        token_verification_enabled=verify_token,
        listener_executor=listener_executor or listener_pool(),
        logger=logging.getLogger("faqbot.bolt"),
    )
    # Bolt's verifier logs a badly signed request's whole body at INFO (unauthenticated input of
    # any size); bot/slack/http_server.py logs one short line instead. Set after App(), which
    # gives the verifier's logger the level of `logger`.
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)

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

    listeners.register(app, services)
    return app


def create_app(
    settings: Settings,
    store: Store,
    clock: Clock,
    *,
    socket_mode: bool = False,
    listener_executor: Executor | None = None,
) -> App:
    """`build_app` over freshly built services (tests and benchmarks that need no handle on them)."""
    return build_app(
        Services.build(settings, store, clock), socket_mode=socket_mode, listener_executor=listener_executor
    )
