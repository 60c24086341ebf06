"""`faqbot serve`: its arguments and settings checked, then the Slack adapter started
(bot/slack/serve.py). Socket Mode by default, `--http --port N` for HTTP mode.

The adapter is imported only once the settings are good: `faqbot ask` imports this
module (for `faqbot run`) and must stay fast.
"""

from __future__ import annotations

import argparse
import sys
import urllib.request

from bot.desk.retention import RetentionError, retention_days
from bot.runtime import heartbeat
from bot.runtime import settings as settings_module
from bot.runtime.clock import Clock, ClockError
from bot.runtime.settings import Settings

DEFAULT_PORT = 3000
# Behind the documented reverse proxy (deploy/INSTALL.md); a container passes --host 0.0.0.0.
DEFAULT_HOST = "127.0.0.1"
# /healthz answers within seconds (bot/slack/health.py); a hung server must not hang its check.
HEALTHCHECK_TIMEOUT_SECONDS = 5


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
    check = subparsers.add_parser(
        "healthcheck",
        help="起動中のボットが応答しているか確認する（HTTP モード: /healthz、Socket Mode: 接続の記録）。正常なら終了コード 0",
    )
    check.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"HTTP モードのポート（既定 {DEFAULT_PORT}）")
    check.set_defaults(func=_healthcheck)


def _healthcheck(args: argparse.Namespace) -> int:
    """The container's HEALTHCHECK: 0 healthy, 1 not. Socket Mode listens on no port, so its
    connection's heartbeat file (bot/runtime/heartbeat.py) is read instead."""
    settings = settings_module.load()
    if settings.app_token:
        age = heartbeat.age(settings)
        if age is not None and age < heartbeat.STALE_SECONDS:
            return 0
        shown = "記録がありません" if age is None else f"最後の記録は{age:.0f}秒前です"
        print(f"faqbot healthcheck: Socket Mode の接続が確認できません（{shown}）。", file=sys.stderr)
        return 1
    url = f"http://127.0.0.1:{args.port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=HEALTHCHECK_TIMEOUT_SECONDS) as response:
            return 0 if response.status == 200 else 1
    except (OSError, ValueError) as error:
        print(f"faqbot healthcheck: {url} が応答しません（{error}）。", file=sys.stderr)
        return 1


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
    from bot.desk.sla import ServiceLevel, SlaError

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

    from bot.slack import serve as slack_serve

    try:
        return slack_serve.run(settings, clock, days, http=http, host=host, port=port, workers=workers)
    except slack_serve.StartError as exc:
        return _fail(exc.message_ja, exc.message_en)
