"""The container image checks the bot's health with a command the bot has."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.cli.main import build_parser

DOCKERFILE = Path(__file__).resolve().parents[2] / "deploy" / "Dockerfile"


def test_healthcheck_runs_a_faqbot_command():
    [line] = [ln for ln in DOCKERFILE.read_text(encoding="utf-8").splitlines() if ln.startswith("HEALTHCHECK")]
    command = json.loads(re.search(r"CMD (\[.*\])", line).group(1))
    assert command[0] == "faqbot"
    args = build_parser().parse_args(command[1:])
    assert args.func.__name__ == "_healthcheck"
