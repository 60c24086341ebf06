"""`faqbot serve`: connect to Slack. Socket Mode by default, `--http --port N` for HTTP mode.

Slack libraries are imported inside the functions: `faqbot ask` imports this
module (for `faqbot run`) and must stay fast.
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from bot import logs
from bot import settings as settings_module
from bot.clock import Clock, ClockError
from bot.retention import PURGE_EVERY_SECONDS, RetentionError, retention_days
from bot.settings import Settings

if TYPE_CHECKING:
    from slack_bolt import App

DEFAULT_PORT = 3000
DEFAULT_HOST = "0.0.0.0"
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


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="Slack に接続してボットを起動する（既定: Socket Mode、--http: HTTP モード）",
    )
    serve.add_argument("--http", action="store_true", help="HTTP モードで待ち受ける（/slack/events）")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"HTTP モードのポート（既定 {DEFAULT_PORT}）"
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"HTTP モードのアドレス（既定 {DEFAULT_HOST}）")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="HTTP モードで応答するプロセス数（既定 1。CPU コア数まで増やすと処理量が増える）",
    )
    serve.set_defaults(func=_serve_command)


def slack_configured(settings: Settings) -> bool:
    """Enough settings to connect to Slack in one of the two modes."""
    return bool(settings.bot_token and (settings.app_token or settings.signing_secret))


def serve_from_settings(settings: Settings) -> int:
    """`faqbot run` with Slack configured: Socket Mode when an app token is set, else HTTP."""
    return serve(settings, http=not settings.app_token, host=DEFAULT_HOST, port=DEFAULT_PORT)


def _serve_command(args: argparse.Namespace) -> int:
    return serve(settings_module.load(), http=args.http, host=args.host, port=args.port, workers=args.workers)


def missing_settings(settings: Settings, http: bool) -> list[str]:
    needed = {"SLACK_BOT_TOKEN": settings.bot_token}
    if http:
        needed["SLACK_SIGNING_SECRET"] = settings.signing_secret
    else:
        needed["SLACK_APP_TOKEN"] = settings.app_token
    return [name for name, value in needed.items() if not value]


def _fail(message_ja: str, message_en: str) -> int:
    print(f"faqbot serve: {message_ja}\n  ({message_en})", file=sys.stderr)
    return 2


def serve(settings: Settings, *, http: bool, host: str, port: int, workers: int = 1) -> int:
    from bot.sla import ServiceLevel, SlaError

    mode = "HTTP モード" if http else "Socket Mode"
    missing = missing_settings(settings, http)
    if missing:
        hint = "" if http else "（HTTP モードで起動する場合は faqbot serve --http --port N）"
        return _fail(
            f"{mode}には {'、'.join(missing)} の設定が必要です{hint}。環境変数か .env に設定してください。",
            f"{'HTTP mode' if http else 'Socket Mode'} needs {', '.join(missing)}: set it in the environment or in .env",
        )
    if workers < 1 or (workers > 1 and not http):
        return _fail(
            "--workers は1以上で、2以上は HTTP モード（--http）でのみ指定できます（Socket Mode の接続は1本です）。",
            "--workers must be >= 1, and more than 1 needs --http (Socket Mode is one connection)",
        )
    try:
        clock = Clock.from_setting(settings.now)
        days = retention_days(settings.retention_days)
        ServiceLevel.from_setting(settings.sla_minutes)
    except (ClockError, RetentionError, SlaError) as exc:
        return _fail(
            str(exc),
            "FAQBOT_NOW must be ISO 8601; FAQBOT_RETENTION_DAYS and FAQBOT_SLA_MINUTES whole numbers",
        )

    from slack_sdk.errors import SlackClientError

    from bot import teaching
    from bot.slack_api import create_client, describe
    from bot.store import Store
    from intents.router import route

    try:
        identity = create_client(settings).auth_test()
    except (SlackClientError, OSError) as exc:
        return _fail(
            f"SLACK_BOT_TOKEN で Slack に接続できませんでした: {describe(exc)}",
            f"auth.test failed at {settings.api_url}: check SLACK_BOT_TOKEN and SLACK_API_URL",
        )
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
        from bot.workers import bind, run_pool

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
    from bot.services import Services
    from bot.store import Store

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
    from bot import scheduler, teaching
    from bot.app import build_app, listener_pool
    from bot.periodic import Periodic
    from bot.retention import purge
    from bot.services import Services
    from bot.slack_api import create_client
    from bot.store import Store

    store = Store(settings.db_path)
    services = Services.build(settings, store, clock)
    executor = listener_pool()
    app = build_app(services, socket_mode=not http, listener_executor=executor, verify_token=True)
    services.outbox.start()
    background = [Periodic("taught-sync", teaching.SYNC_SECONDS, lambda: teaching.sync(store)).start()]
    if leader:
        background.append(Periodic("purge", PURGE_EVERY_SECONDS, lambda: purge(store, clock, days)).start())
        # After the outbox: the jobs' messages go through it.
        background.append(scheduler.start(services))
    try:
        if http:
            from bot.health import Health
            from bot.http_server import serve as serve_http

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
