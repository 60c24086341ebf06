"""`faqbot purge [--days N]`: delete questions and answers older than the retention period.

The period is FAQBOT_RETENTION_DAYS (default 90) unless --days is given. Safe
to run while the bot serves (SQLite WAL, busy timeout): run it from cron or
a systemd timer, or rely on `faqbot serve`, which purges daily by itself.
"""

from __future__ import annotations

import argparse
import sys

from bot.desk.retention import RetentionError, purge, retention_days
from bot.runtime import settings as settings_module
from bot.runtime.clock import Clock, ClockError

EXAMPLE = "例: faqbot purge --days 90"
TABLE_LABELS = {
    "questions": "質問",
    "feedback": "フィードバック",
    "command_answers": "コマンドの回答",
    "threads": "スレッドの記憶",
    "seen": "重複排除キー",
    "outbox": "送信済みの書き込み",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser("purge", help="保存期間（FAQBOT_RETENTION_DAYS、既定90日）を過ぎた質問の記録を削除する")
    command.add_argument("--days", help="保存期間（日数）。省略時は FAQBOT_RETENTION_DAYS")
    command.set_defaults(func=_purge_command)


def _purge_command(args: argparse.Namespace) -> int:
    settings = settings_module.load()
    try:
        days = retention_days(args.days if args.days is not None else settings.retention_days)
        clock = Clock.from_setting(settings.now)
    except (RetentionError, ClockError) as problem:
        print(f"faqbot purge: {problem} {EXAMPLE}", file=sys.stderr)
        return 2

    from bot.store import Store

    store = Store(settings.db_path)
    try:
        deleted = purge(store, clock, days)
    finally:
        store.close()
    counts = "、".join(f"{TABLE_LABELS[table]} {n}件" for table, n in deleted.items())
    print(f"{days}日より前の記録を削除しました（{settings.db_path}）: {counts}")
    return 0
