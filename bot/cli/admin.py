"""`faqbot stats` and `faqbot examples export`: the support team's weekly review,
read from the bot's database (FAQBOT_DB).

Both only read what the bot recorded; neither needs Slack.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.runtime import settings as settings_module
from bot.runtime.clock import ClockError, from_environment

if TYPE_CHECKING:
    from bot.store import Store

MAX_DAYS = 366


def register(subparsers: argparse._SubParsersAction) -> None:
    stats = subparsers.add_parser(
        "stats", help="利用状況: インテント、回答できなかった質問、フィードバック、案件の対応時間"
    )
    stats.add_argument("--days", type=int, default=7, help="今日までの何日分か（既定 7）")
    stats.add_argument("--html", type=Path, metavar="FILE", help="グラフ付きの HTML レポートも書き出す")
    stats.set_defaults(func=_stats)

    examples = subparsers.add_parser("examples", help="担当者が教えた例文")
    actions = examples.add_subparsers(
        dest="examples_command", metavar="ACTION", parser_class=type(examples), required=True
    )
    export = actions.add_parser(
        "export", help="教えた例文を YAML で書き出す（knowledge/data/examples.yaml へのレビュー・統合用）"
    )
    export.add_argument("--out", type=Path, metavar="FILE", help="出力先（省略時は標準出力）")
    export.set_defaults(func=_export)


def _fail(message: str) -> int:
    print(f"faqbot: {message}", file=sys.stderr)
    return 2


def _open_store() -> Store | None:
    """The bot's database, or None (after saying so) when there is none yet: reading must not create one."""
    path = settings_module.load().db_path
    if not Path(path).is_file():
        _fail(f"データベースが見つかりません: {path}（FAQBOT_DB でボットのデータベースを指定してください）")
        return None
    from bot.store import Store

    return Store(path)


def _stats(args: argparse.Namespace) -> int:
    from bot.desk import stats
    from bot.desk.sla import ServiceLevel, SlaError
    from bot.desk.stats_html import render_html

    if not 1 <= args.days <= MAX_DAYS:
        return _fail(f"--days は 1～{MAX_DAYS} で指定してください。例: faqbot stats --days 7")
    try:
        now = from_environment().now()
        level = ServiceLevel.from_setting(settings_module.load().sla_minutes)
    except (ClockError, SlaError) as exc:
        return _fail(str(exc))
    store = _open_store()
    if store is None:
        return 2
    try:
        report = stats.report(store, now, args.days, level)
    finally:
        store.close()
    print(stats.render_text(report), end="")
    if args.html:
        args.html.write_text(render_html(report), encoding="utf-8")
        print(f"\nHTML レポートを書き出しました: {args.html}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from bot.desk.teaching import export_yaml

    store = _open_store()
    if store is None:
        return 2
    try:
        examples = store.taught_examples()
    finally:
        store.close()
    if not examples:
        return _fail("教えた例文はまだありません。")
    try:
        now = from_environment().now()
    except ClockError as exc:
        return _fail(str(exc))
    text = export_yaml(examples, now)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{len(examples)} 件の例文を書き出しました: {args.out}", file=sys.stderr)
    else:
        print(text, end="")
    return 0
