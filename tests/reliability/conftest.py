"""Fixtures for the fault tests: the web tests' factories (tests/web/webkit.py) are reused,
so their directory goes on the import path here."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))

from webkit import everyone, make_engine, set_passwords  # noqa: E402

from approvals.app import Approvals  # noqa: E402


@pytest.fixture
def engine(db_url: str) -> Iterator[Approvals]:
    approvals = make_engine(db_url)
    set_passwords(approvals, everyone(approvals))
    yield approvals
    approvals.db.dispose()
