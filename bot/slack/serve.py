"""The bot on Slack: check the token, then serve events in Socket Mode or over HTTP (one
process or a pool), with the outbox, the replay of what the last run left, the taught-examples
sync, the daily purge and the scheduler running beside it. `faqbot serve` (bot/cli/serve.py)
starts it once the settings are checked.

Slack being down or slow never keeps the bot from serving: the token check at start is brief
and only a refused token ends it (bot/slack/identity.py), and the jobs the last run left are
replayed once the bot listens, not before.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from datetime import timedelta
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.desk import teaching
from bot.desk.intake import Unfinished
from bot.desk.retention import PURGE_EVERY_SECONDS, purge
from bot.runtime import heartbeat, logs, scheduler
from bot.runtime.clock import Clock
from bot.runtime.periodic import Periodic
from bot.runtime.settings import Settings
from bot.slack.app import ListenerPools, build_app
from bot.slack.identity import TOKEN_REFUSED, Identity, TokenRefused, ask
from bot.slack.outbox import settle_seconds
from bot.slack.services import Services, bot_jobs
from bot.slack.web_api import create_client, describe
from bot.slack.workers import FATAL_EXIT, bind, run_pool
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
# Slack unreachable at start: connect again after 1 s, doubling up to this.
SOCKET_RETRY_MAX_SECONDS = 60.0
# /healthz answers within seconds even when Slack does not.
HEALTH_TIMEOUT_SECONDS = 3
# The token check before serving: a slow Slack must not keep the port closed for long.
START_CHECK_TIMEOUT_SECONDS = 3
# A job being replayed when the bot stops is given this long to finish (else it is replayed next start).
REPLAY_STOP_SECONDS = 20

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
    identity: dict[str, Any] | None = None
    unanswered = ""
    try:
        identity = ask(create_client(settings, timeout=START_CHECK_TIMEOUT_SECONDS, retry=False))
    except TokenRefused as refusal:
        raise _token_refused(settings, refusal) from None
    except (SlackClientError, OSError) as error:
        unanswered = describe(error)
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
    if identity is not None:
        log.info("connected as %s (%s)", identity.get("user"), identity.get("team"))
    else:
        log.warning(
            "auth.test at %s failed (%s): serving anyway; events are stored and answered once Slack is back",
            settings.api_url,
            unanswered,
        )
    log.info("database %s", settings.db_path)

    if workers > 1:
        listening = bind(host, port)
        log.info("HTTP mode on %s:%d with %d workers, Slack requests at /slack/events", host, port, workers)
        unfinished: list[Unfinished] = []

        def prepare() -> None:
            # In the parent, while no worker runs; worker 0 is forked with the list and replays it.
            unfinished[:] = _finish_last_run(settings, clock)

        return run_pool(
            workers,
            prepare,
            lambda index: _run_bot(
                settings,
                clock,
                days,
                identity,
                leader=index == 0,
                replay=unfinished if index == 0 else [],
                http=True,
                sockets=[listening],
            ),
        )
    unfinished = _finish_last_run(settings, clock)
    if http:
        log.info("HTTP mode on %s:%d, Slack requests at /slack/events", host, port)
    return _run_bot(settings, clock, days, identity, leader=True, replay=unfinished, http=http, address=(host, port))


def _token_refused(settings: Settings, refusal: TokenRefused) -> StartError:
    return StartError(
        f"SLACK_BOT_TOKEN が Slack に拒否されました（{refusal}）。トークンを確認してください。",
        f"Slack refused SLACK_BOT_TOKEN at {settings.api_url} ({refusal}): check SLACK_BOT_TOKEN and SLACK_API_URL",
    )


def _finish_last_run(settings: Settings, clock: Clock) -> list[Unfinished]:
    """What the last run left unfinished: writes caught mid-send are looked for before they are
    sent again, and the events acknowledged but not done are returned, to be replayed once the
    bot listens (Slack may be slow: a backlog must not keep the port closed). Taken before
    anything serves: no live sender is working on them, and no new event is among them."""
    store = Store(settings.db_path)
    try:
        Services.build(settings, store, clock).outbox.recover()
        return store.unsettled()
    finally:
        store.close()


def _run_bot(
    settings: Settings,
    clock: Clock,
    days: int,
    identity_known: dict[str, Any] | None,
    *,
    leader: bool,
    replay: list[Unfinished],
    http: bool,
    address: tuple[str, int] | None = None,
    sockets: list[socket.socket] | None = None,
) -> int:
    """Serve until stopped; the exit code. `leader`: this process also runs the jobs that must run
    once (the scheduler, the daily purge); every process delivers the outbox and picks up what
    another one taught. `replay`: the jobs the last run left, run in the background."""
    store = Store(settings.db_path)
    services = Services.build(settings, store, clock)
    executor = ListenerPools()
    identity = Identity(services.outbox.client, identity_known)
    app = build_app(services, socket_mode=not http, listener_executor=executor, identity=identity)
    refusals: list[TokenRefused] = []

    def refused(refusal: TokenRefused) -> None:
        refusals.append(refusal)
        log.error("%s", _token_refused(settings, refusal).message_en)
        # The same way out as systemctl stop: listeners finish, the outbox keeps what it has.
        os.kill(os.getpid(), signal.SIGTERM)

    identity.learn(refused)
    services.outbox.start()
    background: list[Periodic | scheduler.Scheduler] = [Periodic("taught-sync", teaching.SYNC_SECONDS, lambda: teaching.sync(store)).start()]
    if leader:
        background.append(Periodic("purge", PURGE_EVERY_SECONDS, lambda: purge(store, clock, days)).start())
        # After the outbox: the jobs' messages go through it.
        background.append(scheduler.Scheduler(clock, bot_jobs(services)).start())
    stopping = threading.Event()
    replayer = threading.Thread(
        target=services.intake.replay,
        args=(services.outbox.client, replay, stopping.is_set),
        name="faqbot-replay",
        daemon=True,
    )
    if replay:
        # Beside the server, not before it: with Slack slow, the backlog would keep the port closed.
        replayer.start()
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
        # Jobs not replayed yet stay in the journal for the next start.
        stopping.set()
        if replayer.is_alive():
            replayer.join(REPLAY_STOP_SECONDS)
        identity.stop()
        # Let running listeners finish (their writes are recorded), then stop delivering.
        executor.shutdown(wait=True)
        for job in background:
            job.stop()
        services.outbox.stop()
        store.close()
        log.info("stopped")
    # Slack refused the token while serving: exit as at start, a code nothing restarts on.
    return FATAL_EXIT if refusals else 0


class SessionCheck(logging.Filter):
    """slack_sdk logs "A new session has been established" after every connection attempt, failed
    ones too (the WebSocket error is logged, not raised): such a line is told as what it is."""

    ESTABLISHED = "A new session has been established"

    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith(self.ESTABLISHED) and not self.client.is_connected():
            record.msg, record.args = "Socket Mode: the new session did not connect; slack_sdk tries again", ()
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _serve_socket_mode(app: App, settings: Settings) -> None:
    """Connect and stay connected until SIGTERM or SIGINT.

    Slack unreachable at start: connect again with backoff (events wait at Slack meanwhile);
    a refused app token: one line, exit 2 (StartError). Once connected, slack_sdk's client
    reconnects by itself when the connection drops or Slack asks it to (each reconnect is
    logged through faqbot.socket), and pings every SOCKET_PING_SECONDS so that a dead
    connection is noticed; the heartbeat file says so to `faqbot healthcheck`.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(
        app, settings.app_token, logger=logging.getLogger("faqbot.socket"), ping_interval=SOCKET_PING_SECONDS
    )
    logging.getLogger("faqbot.socket").addFilter(SessionCheck(handler.client))
    handler.client.on_close_listeners.append(
        lambda code, reason: log.warning("Socket Mode connection closed (%s %s): reconnecting", code, reason or "")
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    delay = 1.0
    while not stop.is_set():
        log.info("Socket Mode: connecting")
        try:
            handler.connect()
            break
        except SlackApiError as error:
            if (error.response.data or {}).get("error") in TOKEN_REFUSED:
                raise StartError(
                    f"SLACK_APP_TOKEN が Slack に拒否されました（{describe(error)}）。アプリレベルトークン（xapp-…、"
                    "connections:write）を確認してください。",
                    f"Slack refused SLACK_APP_TOKEN ({describe(error)}): check the app-level token",
                ) from None
            log.warning("Socket Mode: cannot connect (%s): trying again in %.0fs", describe(error), delay)
        except (SlackClientError, OSError) as error:
            log.warning("Socket Mode: cannot connect (%s): trying again in %.0fs", describe(error), delay)
        stop.wait(delay)
        delay = min(delay * 2, SOCKET_RETRY_MAX_SECONDS)
    # The container's health check reads this beat (bot/runtime/heartbeat.py): Socket Mode has no port.
    while True:
        if handler.client.is_connected():
            heartbeat.beat(settings)
        if stop.wait(heartbeat.BEAT_SECONDS):
            break
    log.info("Socket Mode: disconnecting")
    handler.close()
