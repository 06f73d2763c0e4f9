"""On PostgreSQL the audit entries refuse UPDATE, DELETE and TRUNCATE (a trigger), and the
access log refuses UPDATE and the deletion of rows younger than the legal minimum; appends
and the head's move go on as before. The access log keeps what the retention setting says."""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.exc import ProgrammingError
from support import NOW, leave_fields, open_steps

from approvals.app import Approvals
from approvals.audit import access_log
from approvals.audit import chain as audit
from approvals.audit.access_log import RetentionError
from approvals.cli import cli
from approvals.store.models import AccessLogEntry


def _postgresql_only(app: Approvals) -> None:
    if app.db.dialect != "postgresql":
        pytest.skip("the append-only triggers are PostgreSQL's (SQLite has no way to stop its file's owner)")


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entries SET comment = '不同意' WHERE seq = 1",
    "DELETE FROM audit_entries WHERE seq = 1",
    "TRUNCATE audit_entries",
    "UPDATE access_log SET viewer = 'nobody'",
])
def test_postgresql_refuses_to_change_or_remove_audit_records(app: Approvals, statement: str) -> None:
    _postgresql_only(app)
    access_log.record(app.db, NOW, "jiang.tao", "xx-nrpb", 1, "approver", "request")
    with pytest.raises(ProgrammingError, match="append-only"), app.db.engine.begin() as conn:
        conn.execute(text(statement))


def test_postgresql_keeps_access_log_rows_younger_than_180_days(app: Approvals) -> None:
    _postgresql_only(app)
    access_log.record(app.db, datetime.now(), "jiang.tao", "xx-nrpb", 1, "approver", "request")
    with pytest.raises(ProgrammingError, match="younger than 180 days"), app.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log"))


def test_actions_still_append_and_move_the_head_under_the_triggers(app: Approvals) -> None:
    request_id = app.service.submit("shen.yue", "leave", leave_fields())
    task = open_steps(app, request_id)[0]
    app.service.decide(task.id, task.assignee, "approve", "同意")
    with app.db.reading() as s:
        result = audit.verify(s)
        top = max(seq for seq, _ in audit.heads(s).values())  # issue 24: the system chain and the bureau's
    assert result.ok and top == result.checked and top > 3


def test_a_retention_below_180_days_is_refused_with_the_reason(app: Approvals) -> None:
    with pytest.raises(RetentionError, match="at least 180 days"):
        access_log.retention_days({"APPROVALS_AUDIT_RETENTION_DAYS": "90"})
    result = CliRunner(env={"APPROVALS_AUDIT_RETENTION_DAYS": "90"}).invoke(
        cli, ["--database", app.db.url, "audit", "prune"])
    assert result.exit_code == 1 and "Cybersecurity Law art. 21" in result.output


def test_prune_deletes_only_views_older_than_the_retention(app: Approvals) -> None:
    # Dated long ago, so PostgreSQL's trigger (which goes by the real date) lets the old ones go.
    for day in ("2024-01-10", "2024-06-01", "2024-07-20"):
        access_log.record(app.db, datetime.fromisoformat(f"{day}T09:00"), "jiang.tao", "xx-nrpb", 1, "approver",
                          "request")
    now = datetime(2024, 12, 31, 12, 0)  # 180 days back: 2024-07-04
    assert access_log.prune(app.db, now, 180, dry_run=True) == 2
    assert access_log.prune(app.db, now, 220) == 1  # 220 days back: 2024-05-25
    with app.db.reading() as s:
        kept = sorted(s.scalars(select(AccessLogEntry.at)))
        entries = s.scalar(select(func.count()).select_from(audit.AuditEntry))
    assert [d.date().isoformat() for d in kept] == ["2024-06-01", "2024-07-20"]
    assert entries  # the chain is never pruned
    result = CliRunner().invoke(cli, ["--database", app.db.url, "audit", "prune", "--dry-run"])
    assert result.exit_code == 0 and "kept in full" in result.output
