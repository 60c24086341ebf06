"""What every suite shares: where the seed texts are.

The seed texts (the handbook and the firmware option spec) are not part of the
repository: knowledge.grounding.seeds_dir() finds them in $FAQBOT_SEEDS_DIR or
<repo>/../shared/seeds. Tests that read them take the `seeds_path` fixture.
Under CI (CI=true) missing seeds FAIL those tests: a check that silently skips
there would let the data drift from its sources unnoticed. Elsewhere they
skip, and the reason says how to point the tests at the seeds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge import grounding
from knowledge.models import SEED_FILES


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require_seeds() -> Path:
    """The seeds directory; fail under CI, skip elsewhere, when it is missing."""
    found = grounding.seeds_dir()
    if found is not None:
        return found
    message = (
        f"seed texts not found: set {grounding.SEEDS_ENV} to the directory holding "
        f"{' and '.join(SEED_FILES.values())} (default: <repo>/../shared/seeds)"
    )
    if in_ci():
        pytest.fail(f"{message}; under CI the seed checks must run, not skip", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def seeds_path() -> Path:
    return require_seeds()


@pytest.fixture
def seeds_requirement() -> Callable[[], Path]:
    """require_seeds itself, for the tests of its CI / non-CI behaviour."""
    return require_seeds
