"""Shared fixtures. Factories live in tests/support.py as plain functions."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import CHART_A, CHART_B, backends, database_url, make_app

from approvals.app import Approvals
from approvals.notifications.addresses import ALLOW_ENV
from approvals.store.database import SYNCHRONOUS_ENV

# Test databases are thrown away: they need not survive a power cut, and fsync on every commit
# (FULL, the default) made the engine tests 60% slower. The SIGKILL tests still hold on NORMAL.
os.environ.setdefault(SYNCHRONOUS_ENV, "NORMAL")
# The tests' robots, webhook and to-do receivers listen on 127.0.0.1: the operator's explicit
# permission (docs/security.md). tests/notifications/test_private_targets.py takes it away.
os.environ.setdefault(ALLOW_ENV, "1")


@pytest.fixture(params=backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def app(db_url: str) -> Iterator[Approvals]:
    """The engine with both shipped org charts loaded, on each configured database."""
    application = make_app(db_url, CHART_A, CHART_B)
    yield application
    application.db.dispose()
