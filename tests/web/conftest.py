"""Web fixtures: an engine on a throwaway database with both shipped org charts, everyone
with the demo password, and the Flask app over it (CSRF off except where a test turns it on)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from webkit import everyone, make_engine, make_web, set_passwords
from werkzeug.serving import make_server

from approvals.app import Approvals


@pytest.fixture
def engine(db_url: str) -> Iterator[Approvals]:
    approvals = make_engine(db_url)
    set_passwords(approvals, everyone(approvals))
    yield approvals
    approvals.db.dispose()


@pytest.fixture
def web(engine: Approvals) -> Flask:
    return make_web(engine)


# ---- browser tests (marker `browser`): Debian's chromium, never `playwright install` -----

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",
]  # native widgets (file picker, date input) as Chinese users see them


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options, pointed at the system browser."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: `make browser-deps` (as root) installs chromium and "
            "fonts-wqy-microhei; browser tests skipped"
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def live_url(engine: Approvals) -> Iterator[str]:
    """The app served on 127.0.0.1 at a free port, in a thread, for the browser (CSRF on)."""
    web = make_web(engine, WTF_CSRF_ENABLED=True, TESTING=False)
    server = make_server("127.0.0.1", 0, web, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


# Pages checked for their markup alone (axe rules, sideways scrolling) look the same whatever
# database is under them: they run on SQLite only; the browser flows run on both.
MARKUP_ONLY = ("test_browser_axe.py::test_no_page_has_an_axe_violation",
               "test_browser_phone.py::test_list_and_request_pages_never_scroll_sideways")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept = [item for item in items
            if not (any(name in item.nodeid for name in MARKUP_ONLY) and "[postgresql" in item.nodeid)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


# ---- sign-in servers (tests/idservers.py): started once per test session -----------------

@pytest.fixture(scope="session")
def oidc_issuer() -> Iterator[str]:
    """The npm package oidc-provider on 127.0.0.1, with node."""
    import idservers
    missing = idservers.oidc_missing()
    if missing:
        pytest.skip(missing)
    with idservers.oidc_provider() as issuer:
        yield issuer


@pytest.fixture(scope="session")
def slapd() -> Iterator[Any]:
    """Debian's slapd on 127.0.0.1: an OpenLDAP layout for XX市自然资源和规划局 and an AD-style
    one (sAMAccountName, userAccountControl) for 重庆市民政局, generated from the shipped charts."""
    import idservers
    from support import CHART_A, CHART_B

    from approvals.people.orgchart.loader import load_orgchart
    missing = idservers.slapd_missing()
    if missing:
        pytest.skip(missing)
    with idservers.slapd(load_orgchart(CHART_A), load_orgchart(CHART_B)) as server:
        yield server
