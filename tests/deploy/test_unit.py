"""The systemd unit (deploy/faqbot.service): restarts never run out, and a configuration error
(exit code 2, as `faqbot serve` gives for a refused token) is not restarted."""

from __future__ import annotations

import configparser
from pathlib import Path

from bot.slack.workers import FATAL_EXIT

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "faqbot.service"


def unit() -> configparser.ConfigParser:
    # systemd allows a key twice (SystemCallFilter); configparser keeps the last, enough here.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read(UNIT)
    return parser


def test_a_long_outage_cannot_exhaust_the_start_limit():
    parsed = unit()
    # 0 turns systemd's start rate limiting off: a unit crashing through an hour-long outage
    # is still restarted when Slack is back.
    assert parsed["Unit"]["StartLimitIntervalSec"] == "0"
    assert parsed["Service"]["Restart"] in ("on-failure", "always")


def test_a_refused_token_is_not_restarted():
    assert str(FATAL_EXIT) in unit()["Service"]["RestartPreventExitStatus"].split()


def test_the_documentation_is_where_the_install_steps_put_it():
    """Documentation= names INSTALL.md inside the checkout the documented steps copy into place."""
    doc = unit()["Unit"]["Documentation"].removeprefix("file://")
    assert doc.endswith("/deploy/INSTALL.md")
    checkout = doc.removesuffix("/deploy/INSTALL.md")
    install = (UNIT.parent / "INSTALL.md").read_text(encoding="utf-8")
    assert f"/path/to/faqbot-checkout {checkout}" in install and f"pip install {checkout}" in install
    assert f"pip install {checkout}" in UNIT.read_text(encoding="utf-8")
