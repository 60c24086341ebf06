"""Runtime settings from the environment and an optional `.env` file.

The variable names are a contract (DESIGN.md, Environment): deploy files and
tests set them from outside. Real environment variables win over `.env`, so a
container or systemd unit can override a developer's file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

SLACK_API_URL_DEFAULT = "https://slack.com/api/"
DB_DEFAULT = "faqbot.db"
ESCALATION_EMOJI_DEFAULT = "sos"

_SECRETS = ("bot_token", "app_token", "signing_secret")


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    # Always ends with "/": slack_sdk joins method names onto it.
    api_url: str = SLACK_API_URL_DEFAULT
    db_path: str = DB_DEFAULT
    staff_channel: str | None = None
    staff_users: frozenset[str] = field(default_factory=frozenset)
    # A Slack user group ID (S…) whose members are staff too (bot.desk.staff).
    staff_group: str | None = None
    # FAQBOT_NOW as given; bot.runtime.clock parses it.
    now: str | None = None
    # Reaction name without colons.
    escalation_emoji: str = ESCALATION_EMOJI_DEFAULT
    # FAQBOT_RETENTION_DAYS and FAQBOT_LOG_LEVEL as given; bot.desk.retention and bot.runtime.logs parse them.
    retention_days: str | None = None
    log_level: str | None = None
    # FAQBOT_SLA_MINUTES as given; bot.desk.sla parses it (a bad value must not stop `faqbot ask`).
    sla_minutes: str | None = None
    # FAQBOT_SLACK_SETTLE_SECONDS as given; bot.slack.outbox parses it.
    slack_settle_seconds: str | None = None

    def __repr__(self) -> str:
        # Tokens must never reach a log line, even through an exception message.
        parts = []
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name in _SECRETS:
                shown = "'***'" if value else "None"
            elif name == "staff_users":
                shown = repr(sorted(value))
            else:
                shown = repr(value)
            parts.append(f"{name}={shown}")
        return f"Settings({', '.join(parts)})"

    __str__ = __repr__


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def from_mapping(env: Mapping[str, str | None]) -> Settings:
    """Settings from a plain mapping of variable names (environment, `.env`, tests)."""
    api_url = _clean(env.get("SLACK_API_URL")) or SLACK_API_URL_DEFAULT
    if not api_url.endswith("/"):
        api_url += "/"
    users = _clean(env.get("FAQBOT_STAFF_USERS")) or ""
    emoji = (_clean(env.get("FAQBOT_ESCALATION_EMOJI")) or ESCALATION_EMOJI_DEFAULT).strip(":")
    return Settings(
        bot_token=_clean(env.get("SLACK_BOT_TOKEN")),
        app_token=_clean(env.get("SLACK_APP_TOKEN")),
        signing_secret=_clean(env.get("SLACK_SIGNING_SECRET")),
        api_url=api_url,
        db_path=_clean(env.get("FAQBOT_DB")) or DB_DEFAULT,
        staff_channel=_clean(env.get("FAQBOT_STAFF_CHANNEL")),
        staff_users=frozenset(u.strip() for u in users.split(",") if u.strip()),
        staff_group=_clean(env.get("FAQBOT_STAFF_GROUP")),
        now=_clean(env.get("FAQBOT_NOW")),
        escalation_emoji=emoji or ESCALATION_EMOJI_DEFAULT,
        retention_days=_clean(env.get("FAQBOT_RETENTION_DAYS")),
        log_level=_clean(env.get("FAQBOT_LOG_LEVEL")),
        sla_minutes=_clean(env.get("FAQBOT_SLA_MINUTES")),
        slack_settle_seconds=_clean(env.get("FAQBOT_SLACK_SETTLE_SECONDS")),
    )


def load(env_file: Path | None = None) -> Settings:
    """The process's settings: `.env` in the working directory (if any) under the real environment."""
    path = env_file if env_file is not None else Path.cwd() / ".env"
    merged: dict[str, str | None] = {}
    if path.is_file():
        merged.update(dotenv_values(path))
    merged.update(os.environ)
    return from_mapping(merged)
