"""The Bolt app factory: the listeners over the services, a request id per request, error logging."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.runtime import logs
from bot.runtime.clock import Clock
from bot.runtime.settings import Settings
from bot.slack import listeners
from bot.slack.identity import Identity
from bot.slack.payloads import scrub
from bot.slack.services import Services
from bot.store import Store

log = logging.getLogger("faqbot.app")

# Listener work is mostly waiting on the Web API, so more threads than cores
# keep answers flowing while some calls are slow.
LISTENER_THREADS = 16
# Threads for commands, buttons, modals and shortcuts. Their listeners acknowledge first and
# then wait on Slack, each in its thread: this many presses can wait on a slow Slack at once
# before a new one queues. A thread is started only when none is idle.
INTERACTIVE_THREADS = 64

# Whether the request being dispatched is an Events API event (see ListenerPools).
_EVENT = contextvars.ContextVar("faqbot_event", default=False)


class FaqbotApp(App):
    """Bolt's App, with a request id for every log line of a request (and of the listener it
    starts), and with text no later write can choke on (bot/payloads.py: scrub)."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        req.body = scrub(req.body)
        is_event = _EVENT.set(req.body.get("type") == "event_callback")
        try:
            with logs.request(logs.request_id_for(req.body)):
                return super().dispatch(req)
        finally:
            _EVENT.reset(is_event)


class ListenerPools(Executor):
    """Event jobs in one pool, the listeners of interactive requests in another.

    Bolt acknowledges an event before its listener is queued, but a command or
    a button press only once its listener calls ack(), within Slack's 3
    seconds. Behind event jobs waiting on a slow Slack in one shared pool, the
    press would wait for a free thread and miss them; in a pool of their own,
    acknowledging never waits behind a Slack call. Each listener runs in its
    request's context (the request id).
    """

    def __init__(self) -> None:
        self.events = logs.ContextExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="faqbot-event")
        self.interactive = logs.ContextExecutor(
            max_workers=INTERACTIVE_THREADS, thread_name_prefix="faqbot-interactive"
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        # Bolt submits from the dispatching thread, inside FaqbotApp.dispatch.
        pool = self.events if _EVENT.get() else self.interactive
        return pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        for pool in (self.events, self.interactive):
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def build_app(
    services: Services,
    *,
    socket_mode: bool = False,
    listener_executor: Executor | None = None,
    identity: Identity | None = None,
) -> App:
    """The Bolt app over `services`. `listener_executor` runs the listeners; its owner can wait for it to drain.

    `identity`: who the bot is (bot/slack/identity.py); Bolt never calls auth.test
    itself. Without one (tests, tools) the bot's user id comes from each event.
    """
    settings = services.settings
    client = services.outbox.client
    known = identity or Identity(client, None)

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # A function, not the bound method: Bolt passes what the parameter names ask for, `self` included.
        return known.authorize(enterprise_id, team_id)

    app = FaqbotApp(
        # Bolt copies this client's settings for each request, with the token `authorize` gives.
        client=WebClient(base_url=client.base_url, timeout=client.timeout, retry_handlers=client.retry_handlers),
        signing_secret=settings.signing_secret or "",
        # Socket Mode messages are not signed; HTTP requests must be.
        request_verification_enabled=not socket_mode,
        authorize=authorize,
        listener_executor=listener_executor or ListenerPools(),
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
