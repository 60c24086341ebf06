"""The bot on Slack: connect, finish what the last run left, then serve events in Socket Mode
or over HTTP (one process or a pool), with the outbox, the taught-examples sync, the daily
purge and the scheduler running beside it. `faqbot serve` (bot/cli/serve.py) starts it
once the settings are checked.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from datetime import timedelta

from slack_bolt import App
from slack_sdk.errors import SlackClientError

from bot.desk import teaching
from bot.desk.retention import PURGE_EVERY_SECONDS, purge
from bot.runtime import logs, scheduler
from bot.runtime.clock import Clock
from bot.runtime.periodic import Periodic
from bot.runtime.settings import Settings
from bot.slack.app import ListenerPools, build_app
from bot.slack.outbox import settle_seconds
from bot.slack.services import Services, bot_jobs
from bot.slack.web_api import create_client, describe
from bot.store import Store
from intents.router import route

# Slack stops retrying an event within hours; dedupe keys older than this are dead weight.
SEEN_KEYS_KEPT = timedelta(days=2)
# One question per code path that loads something on first use (calculators, date parsing).
WARM_UP_QUESTIONS = (
    "こんにちは",
    "保証終了日が2027年3月31日ですが、ポストワランティはいつから発注できますか",
    "修理の電話番号は？",
)

# Socket Mode pings this often, and checks its connection as often: a dropped or
# silent connection is replaced within this many seconds.
SOCKET_PING_SECONDS = 5
# /healthz answers within seconds even when Slack does not.
HEALTH_TIMEOUT_SECONDS = 3

log = logging.getLogger("faqbot.serve")


class StartError(Exception):
    """The bot cannot start: what to tell the operator, in Japanese and in English."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ja = message_ja
        self.message_en = message_en


def run(settings: Settings, clock: Clock, days: int, *, http: bool, host: str, port: int, workers: int) -> int:
    """Serve until stopped; raises StartError when Slack does not accept the bot token."""
    try:
        settle_seconds(settings.slack_settle_seconds)
    except ValueError:
        raise StartError(
            "FAQBOT_SLACK_SETTLE_SECONDS は正の秒数で指定してください（既定 60）。",
            "FAQBOT_SLACK_SETTLE_SECONDS must be a positive number of seconds",
        ) from None
    try:
        identity = create_client(settings).auth_test()
    except (SlackClientError, OSError) as exc:
        raise StartError(
            f"SLACK_BOT_TOKEN で Slack に接続できませんでした: {describe(exc)}",
            f"auth.test failed at {settings.api_url}: check SLACK_BOT_TOKEN and SLACK_API_URL",
        ) from None
    # From here on the process is the bot: its log is JSON lines on stderr.
    logs.configure(settings)
    store = Store(settings.db_path)
    store.forget_seen_before(clock.now() - SEEN_KEYS_KEPT)
    # What staff taught before this start is answered from the first question on.
    log.info("taught examples restored: %d", teaching.restore(store))
    store.close()
    # Load the dictionaries, the matcher and the date parser now, not on the first partners' questions
    # (and, with several workers, once for all of them).
    for question in WARM_UP_QUESTIONS:
        route(question, clock.now())
    if not settings.staff_channel:
        log.warning("FAQBOT_STAFF_CHANNEL is not set: escalations are stored but no staff card is posted")
    if not settings.staff_users and not settings.staff_group:
        log.warning("FAQBOT_STAFF_USERS and FAQBOT_STAFF_GROUP are empty: nobody can claim or resolve an escalation")
    if clock.frozen:
        log.warning("FAQBOT_NOW freezes the clock at %s", clock.now().isoformat())
    log.info(
        "connected as %s (%s); database %s", identity.get("user"), identity.get("team"), settings.db_path
    )

    if workers > 1:
        from bot.slack.workers import bind, run_pool

        listening = bind(host, port)
        log.info("HTTP mode on %s:%d with %d workers, Slack requests at /slack/events", host, port, workers)
        return run_pool(
            workers,
            lambda: _finish_last_run(settings, clock),
            lambda index: _run_bot(settings, clock, days, leader=index == 0, http=True, sockets=[listening]),
        )
    _finish_last_run(settings, clock)
    if http:
        log.info("HTTP mode on %s:%d, Slack requests at /slack/events", host, port)
    return _run_bot(settings, clock, days, leader=True, http=http, address=(host, port))



def _finish_last_run(settings: Settings, clock: Clock) -> None:
    """What the last run left unfinished: writes caught mid-send, events acknowledged
    but not done. Before anything serves, so no live sender is working on them."""
    store = Store(settings.db_path)
    try:
        services = Services.build(settings, store, clock)
        services.outbox.recover()
        services.intake.replay(services.outbox.client)
    finally:
        store.close()


def _run_bot(
    settings: Settings,
    clock: Clock,
    days: int,
    *,
    leader: bool,
    http: bool,
    address: tuple[str, int] | None = None,
    sockets: list[socket.socket] | None = None,
) -> int:
    """Serve until stopped. `leader`: this process also runs the jobs that must run once
    (the scheduler, the daily purge); every process delivers the outbox and picks up
    what another one taught."""
    store = Store(settings.db_path)
    services = Services.build(settings, store, clock)
    executor = ListenerPools()
    app = build_app(services, socket_mode=not http, listener_executor=executor, verify_token=True)
    services.outbox.start()
    background: list[Periodic | scheduler.Scheduler] = [Periodic("taught-sync", teaching.SYNC_SECONDS, lambda: teaching.sync(store)).start()]
    if leader:
        background.append(Periodic("purge", PURGE_EVERY_SECONDS, lambda: purge(store, clock, days)).start())
        # After the outbox: the jobs' messages go through it.
        background.append(scheduler.Scheduler(clock, bot_jobs(services)).start())
    try:
        if http:
            from bot.slack.health import Health
            from bot.slack.http_server import serve as serve_http

            health = Health(store, create_client(settings, timeout=HEALTH_TIMEOUT_SECONDS, retry=False), mode="http")
            # uvicorn shuts down on SIGTERM and then raises it again: land it here, so the
            # clean-up below runs and the exit code says "stopped", not "killed".
            signal.signal(signal.SIGTERM, lambda *_: None)
            serve_http(app, health, address=address, sockets=sockets)
        else:
            _serve_socket_mode(app, settings)
    finally:
        # Let running listeners finish (their writes are recorded), then stop delivering.
        executor.shutdown(wait=True)
        for job in background:
            job.stop()
        services.outbox.stop()
        store.close()
        log.info("stopped")
    return 0


def _serve_socket_mode(app: App, settings: Settings) -> None:
    """Connect and stay connected until SIGTERM or SIGINT.

    slack_sdk's client reconnects by itself when the connection drops or Slack
    asks it to (each reconnect is logged through faqbot.socket), and pings
    every SOCKET_PING_SECONDS so that a dead connection is noticed.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(
        app, settings.app_token, logger=logging.getLogger("faqbot.socket"), ping_interval=SOCKET_PING_SECONDS
    )
    handler.client.on_close_listeners.append(
        lambda code, reason: log.warning("Socket Mode connection closed (%s %s): reconnecting", code, reason or "")
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("Socket Mode: connecting")
    handler.connect()
    stop.wait()
    log.info("Socket Mode: disconnecting")
    handler.close()
