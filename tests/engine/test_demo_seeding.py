"""`make run` runs ``approvals init-db --demo`` on every start: the demo passwords are set once,
on a new database, and a restart keeps whatever people changed since (issue 19, point 3)."""

from __future__ import annotations

from click.testing import CliRunner, Result

from approvals.app import build
from approvals.cli import cli
from approvals.clock import SystemClock
from approvals.identity import credentials


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_a_restart_keeps_a_changed_password_and_the_demo_one_stops_working(db_url: str) -> None:
    first = _run("--database", db_url, "init-db", "--demo")
    assert first.exit_code == 0, first.output
    app = build(db_url)
    try:
        person = next(iter(app.orgcharts.current().people))
        assert credentials.check(app.db, person, credentials.DEMO_PASSWORD)
        credentials.change_password(app.db, person, "her own secret 7", person, SystemClock().now())
    finally:
        app.db.dispose()

    again = _run("--database", db_url, "init-db", "--demo")
    assert again.exit_code == 0, again.output
    assert "passwords kept" in again.output
    app = build(db_url)
    try:
        assert credentials.check(app.db, person, "her own secret 7")
        assert not credentials.check(app.db, person, credentials.DEMO_PASSWORD)
    finally:
        app.db.dispose()
