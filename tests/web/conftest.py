"""Web fixtures: an engine on a throwaway database with both shipped org charts, everyone
with the demo password, and the Flask app over it (CSRF off except where a test turns it on)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from webkit import TEST_PROCESSES, everyone, make_engine, make_web, set_passwords

from approvals.app import Approvals


@pytest.fixture
def engine(db_url: str) -> Iterator[Approvals]:
    if not (TEST_PROCESSES / "leave_xx.bpmn").exists():
        pytest.skip(f"no process files in {TEST_PROCESSES} yet (processes/ is being written)")
    approvals = make_engine(db_url)
    set_passwords(approvals, everyone(approvals))
    yield approvals
    approvals.db.dispose()


@pytest.fixture
def web(engine: Approvals) -> Flask:
    return make_web(engine)
