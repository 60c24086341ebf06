"""The `faqbot` command. Subcommands live in sibling modules, each with register(subparsers).

Slack libraries are imported only by the subcommands that need them, so that
`faqbot ask` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from bot.cli import admin, calculators, chat, purge, serve


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors in one Japanese line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"faqbot: 引数が正しくありません（{message}）。使い方: faqbot --help\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="faqbot", description="HPE サポートサービス FAQ ボット")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    chat.register(subparsers)
    calculators.register(subparsers)
    serve.register(subparsers)
    purge.register(subparsers)
    admin.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
