"""Request and task rows (what every page shows) are checked against the audit trail: a row
changed behind the engine's back is named with its request and task."""

from __future__ import annotations

import pytest
import tampering
from click.testing import CliRunner, Result
from support import NOW, REPORT_A, leave_fields, open_steps, walk

from approvals.app import Approvals
from approvals.cli import cli


def _verify(app: Approvals, *extra: str) -> Result:
    return CliRunner().invoke(cli, ["--database", app.db.url, "audit", "verify", *extra])


@pytest.fixture
def decided(app: Approvals) -> tuple[int, int, int]:
    """(an approved request walked to the end, a rejected request, its rejected task)."""
    approved = app.service.submit("shen.yue", "leave", leave_fields())
    walk(app, approved, REPORT_A)
    rejected = app.service.submit("sun.li", "leave", leave_fields())
    task = open_steps(app, rejected)[0]
    app.service.decide(task.id, task.assignee, "reject", "工作安排冲突")
    return approved, rejected, task.id


def test_rows_written_by_the_engine_agree_with_the_trail(app: Approvals, decided: tuple[int, int, int]) -> None:
    result = _verify(app)
    assert result.exit_code == 0 and "0 contradiction(s)" in result.output


def test_a_rejection_turned_into_an_approval_is_named(app: Approvals, decided: tuple[int, int, int]) -> None:
    _approved, rejected, task_id = decided
    tampering.sql(app.db, f"UPDATE tasks SET status = 'approved' WHERE id = {task_id}",
                  f"UPDATE requests SET status = 'completed' WHERE id = {rejected}")
    result = _verify(app)
    assert result.exit_code == 1
    assert f"request #{rejected} task #{task_id}: the row says 'approve' by" in result.output
    assert "says 'reject' by" in result.output
    assert f"request #{rejected}: the row says 'completed', but the trail leads to rejected" in result.output


def test_a_decision_credited_to_someone_else_is_named(app: Approvals, decided: tuple[int, int, int]) -> None:
    _approved, rejected, task_id = decided
    tampering.sql(app.db, f"UPDATE tasks SET decided_by = 'wang.jun' WHERE id = {task_id}")
    result = _verify(app)
    assert result.exit_code == 1 and f"request #{rejected} task #{task_id}" in result.output
    assert "by wang.jun" in result.output


def test_a_step_inserted_outside_the_engine_is_named(app: Approvals, decided: tuple[int, int, int]) -> None:
    approved, _rejected, _task = decided
    tampering.sql(app.db, "INSERT INTO tasks (request_id, round, bpmn_id, name, kind, role, principal, assignee, "
                  "orgchart_version, is_open, status, comment, urge_count, created_at, revision) VALUES "
                  f"({approved}, 1, 'x', '加签', 'approve', 'unit_head', 'wang.jun', 'wang.jun', 'v', FALSE, "
                  f"'approved', '', 0, '{NOW.isoformat(sep=' ')}', 1)")
    result = _verify(app)
    assert result.exit_code == 1 and f"request #{approved} task #" in result.output
    assert "the step has no entry in the audit trail" in result.output


def test_the_row_check_can_be_skipped(app: Approvals, decided: tuple[int, int, int]) -> None:
    _approved, rejected, _task = decided
    tampering.sql(app.db, f"UPDATE requests SET status = 'pending' WHERE id = {rejected}")
    assert _verify(app).exit_code == 1
    skipped = _verify(app, "--skip-rows")
    assert skipped.exit_code == 0 and "contradiction" not in skipped.output
