"""Requests and tasks written as plain rows keep the optimistic lock: a write from a stale read
is a ConflictError and changes nothing; a fresh one bumps the revision like the ORM did."""

from __future__ import annotations

import pytest
from support import leave_fields, pick

from approvals.app import Approvals
from approvals.errors import ConflictError
from approvals.store import rows


def _first_open_task(app: Approvals, request_id: int) -> int:
    return next(t.id for t in app.queries.steps(request_id) if t.is_open)


def test_a_task_written_from_a_stale_read_is_a_conflict_and_changes_nothing(app: Approvals) -> None:
    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    task_id = _first_open_task(app, request_id)
    with app.db.reading() as s:
        opened = rows.task_and_request(s.connection(), task_id)
        assert opened is not None
        stale = opened.task
    app.service.urge(task_id, applicant)  # someone else writes the task in between
    with pytest.raises(ConflictError, match="same moment"), app.db.transaction() as s:
        rows.update_task(s.connection(), stale, comment="late")
    task = app.queries.task(task_id)
    assert (task.comment, task.urge_count, task.revision) == ("", 1, 2)


def test_a_request_written_from_a_stale_read_is_a_conflict(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    with app.db.reading() as s:
        stale = rows.request(s.connection(), request_id, lock=False)
    task_id = _first_open_task(app, request_id)
    app.service.decide(task_id, app.queries.task(task_id).assignee, "approve", "")
    stale.outcome_comment = "late"
    with pytest.raises(ConflictError), app.db.transaction() as s:
        rows.write_request(s.connection(), stale)
    assert app.queries.request(request_id).outcome_comment == ""
    assert app.queries.request(request_id).revision == stale.revision + 1


def test_a_request_is_inserted_with_its_final_state_and_revision_one(app: Approvals) -> None:
    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    req = app.queries.request(request_id)
    assert (req.revision, req.round, req.status) == (1, 1, "pending")
    assert req.state.startswith("{")
