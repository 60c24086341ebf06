"""A liveness file for Socket Mode, which listens on no port a health check could probe.

While its connection to Slack is up, `faqbot serve` in Socket Mode touches this file every
few seconds; `faqbot healthcheck` (the container's HEALTHCHECK) reads its age.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bot.runtime.settings import Settings

# Touched this often while connected; older than STALE_SECONDS means not connected (or hung).
BEAT_SECONDS = 10.0
STALE_SECONDS = 60.0


def path(settings: Settings) -> Path:
    """Next to the database: the one place a container or a unit already keeps writable."""
    return Path(settings.db_path + ".alive")


def beat(settings: Settings) -> None:
    target = path(settings)
    target.touch()
    os.utime(target)


def age(settings: Settings) -> float | None:
    """Seconds since the last beat, or None when there was none."""
    try:
        return time.time() - path(settings).stat().st_mtime
    except FileNotFoundError:
        return None
