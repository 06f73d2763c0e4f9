"""Rules that hold for every route: vacancy, reject, return/resubmit, withdraw, races, atomicity."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from support import CHART_A, REPORT_A, leave_fields, pick, walk

from approvals import signals
from approvals.app import Approvals
from approvals.errors import ApprovalsError, ConflictError, InvalidStateError, NotPermittedError, VacantPostError
from approvals.store import rows
from approvals.store.models import AuditEntry, Request, Task


def _edit_chart(app: Approvals, edit: Any) -> None:
    data = yaml.safe_load(CHART_A.read_text(encoding="utf-8"))
    edit(data)
    app.admin.save(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "admin", "edited.yaml")


def _unit(data: dict[str, Any], unit_id: str) -> dict[str, Any]:
    return next(u for u in data["units"] if u["id"] == unit_id)


def _counts(app: Approvals) -> tuple[int, int, int]:
    with app.db.reading() as s:
        return (s.scalar(select(func.count()).select_from(Request)) or 0,
                s.scalar(select(func.count()).select_from(Task)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _open_decision(app: Approvals, request_id: int) -> Task:
    return next(t for t in app.queries.steps(request_id) if t.is_open and t.kind in ("approve", "consent", "record"))


def test_a_vacant_head_refuses_submission_naming_the_post(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True)
    unit = chart.unit_of(applicant)
    _edit_chart(app, lambda d: _unit(d, unit.id).update(head=None))
    before = _counts(app)
    with pytest.raises(VacantPostError) as info:
        app.service.submit(applicant, "leave", leave_fields())
    assert unit.name in str(info.value) and f"units[{unit.id}].head" in str(info.value)
    assert _counts(app) == before


def test_a_missing_supervisor_refuses_submission(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True)
    unit = chart.unit_of(applicant)
    _edit_chart(app, lambda d: _unit(d, unit.id).pop("supervisor"))
    with pytest.raises(VacantPostError, match=re.escape(f"units[{unit.id}].supervisor")):
        app.service.preview(applicant, "leave", {})


def test_reject_ends_the_request_and_tells_the_applicant_why(app: Approvals) -> None:
    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    task = _open_decision(app, request_id)
    with pytest.raises(Exception, match="comment is required"):
        app.service.decide(task.id, task.assignee, "reject", "  ")
    app.service.decide(task.id, task.assignee, "reject", "疫情期间非必要不离孝")
    request = app.queries.request(request_id)
    assert (request.status, request.outcome_comment) == ("rejected", "疫情期间非必要不离孝")
    assert not [t for t in app.queries.steps(request_id) if t.is_open]


def test_return_then_resubmit_restarts_the_route_with_the_new_fields(app: Approvals) -> None:
    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True,
                     supervised_by_organ_leader=False)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    first = _open_decision(app, request_id)
    app.service.decide(first.id, first.assignee, "approve", "")
    second = _open_decision(app, request_id)
    app.service.decide(second.id, second.assignee, "return", "请补充离孝事由")
    assert app.queries.request(request_id).status == "returned"
    app.service.resubmit(request_id, applicant, leave_fields(reason="母亲住院，需回乡照顾"))
    request = app.queries.request(request_id)
    assert (request.status, request.round) == ("pending", 2)
    assert app.queries.fields(request)["reason"] == "母亲住院，需回乡照顾"
    assert _open_decision(app, request_id).assignee == first.assignee  # the route starts again
    assert len(walk(app, request_id, REPORT_A)) == 5


def test_withdraw_is_allowed_only_before_the_first_decision(app: Approvals) -> None:
    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True)
    early = app.service.submit(applicant, "leave", leave_fields())
    app.service.withdraw(early, applicant)
    assert app.queries.request(early).status == "withdrawn"
    assert not [t for t in app.queries.steps(early) if t.is_open]

    late = app.service.submit(applicant, "leave", leave_fields())
    task = _open_decision(app, late)
    app.service.decide(task.id, task.assignee, "approve", "")
    with pytest.raises(InvalidStateError, match="already has a decision"):
        app.service.withdraw(late, applicant)


def test_nobody_but_the_assignee_decides(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    task = _open_decision(app, request_id)
    for intruder, why in ((applicant, "is the applicant of request"), (chart.posts["chief"], "assigned to")):
        with pytest.raises(NotPermittedError, match=why):
            app.service.decide(task.id, intruder, "approve", "")
    assert _open_decision(app, request_id).id == task.id


def test_two_decisions_racing_on_one_task_one_wins_one_gets_a_clear_conflict(app: Approvals) -> None:
    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    task = _open_decision(app, request_id)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(decision: str) -> None:
        barrier.wait()
        try:
            app.service.decide(task.id, task.assignee, decision, "并发")
            outcomes.append("ok")
        except ConflictError as exc:
            outcomes.append(f"conflict: {exc}")

    threads = [threading.Thread(target=decide, args=(d,)) for d in ("approve", "reject")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[:8] for o in outcomes) == ["conflict", "ok"]
    assert any("already" in o or "same moment" in o for o in outcomes)
    decided = [e for e in app.queries.trail(request_id) if e.action == "decided" and e.task_id == task.id]
    assert len(decided) == 1


def test_a_failure_inside_an_action_leaves_no_partial_state(app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    task = _open_decision(app, request_id)
    before_state, before = app.queries.request(request_id).state, _counts(app)

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("approvals.notifications.outbox.audit.append", explode)
    with pytest.raises(RuntimeError):
        app.service.decide(task.id, task.assignee, "approve", "")
    with pytest.raises(RuntimeError):
        app.service.submit(applicant, "leave", leave_fields())
    assert _counts(app) == before
    assert app.queries.request(request_id).state == before_state
    assert app.queries.task(task.id).is_open
    monkeypatch.undo()
    app.service.decide(task.id, task.assignee, "approve", "")  # and it still works afterwards


def test_signals_tell_integrations_what_happened_in_order(app: Approvals) -> None:
    chart = app.orgcharts.current("cq-mca")
    applicant = pick(chart, "staff", "section")
    head = chart.unit_of(applicant).head
    heard: list[tuple[str, Any]] = []
    receivers = {}
    for name, sig in signals.ALL.items():
        def receiver(sender: Any, _name: str = name, **payload: Any) -> None:
            heard.append((_name, payload.get("assignee") or payload.get("status") or payload.get("decision")))
        receivers[name] = receiver
        sig.connect(receiver)
    try:
        request_id = app.service.submit(applicant, "leave", leave_fields())
        task = _open_decision(app, request_id)
        app.service.decide(task.id, head, "approve", "")
    finally:
        for name, sig in signals.ALL.items():
            sig.disconnect(receivers[name])
    assert heard == [("submitted", None), ("task_assigned", head), ("decided", "approve"),
                     ("task_assigned", applicant), ("report_due", None), ("completed", "approved")]


def test_every_action_is_in_the_audit_trail_and_the_chain_verifies(app: Approvals) -> None:
    from approvals.audit import chain as audit

    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    walk(app, request_id, REPORT_A)
    actions = [e.action for e in app.queries.trail(request_id)]
    assert actions[0] == "submitted" and actions.count("decided") >= 2
    assert "filed" in actions and "acknowledged" in actions and actions[-1] in ("reported", "acknowledged")
    with app.db.reading() as s:
        assert audit.verify(s).ok


def test_a_unit_heads_family_trip_report_is_filed_but_not_copied_to_themselves(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    head = pick(chart, "unit_head", "section", county=True)
    fields = {"relation": "配偶", "traveller": "李某", "destination": "某市高风险区", "risk_level": "高风险",
              "depart_on": "2026-11-20", "return_on": "2026-11-30"}
    request_id = app.service.submit(head, "family_trip", fields)
    steps = [(t.kind, t.status) for t in app.queries.steps(request_id)]
    assert steps == [("copy", "skipped"), ("file", "open")]
    assert app.queries.request(request_id).status == "completed"


def test_an_inbox_count_beyond_the_cap_reads_as_1000_plus() -> None:
    from approvals.reports.queries import Count

    assert (str(Count.of(1500, 1000)), int(Count.of(1500, 1000)), str(Count.of(12, 1000))) == ("1000+", 1000, "12")
    assert Count.of(0, 1000) == 0 and not Count.of(0, 1000)


def test_a_withdrawal_racing_a_decision_gives_one_clear_outcome_not_a_deadlock(
        app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    """The applicant withdraws while the head approves. The withdrawal holds the request and
    then closes its open task; the decision must queue behind it, not hold the task and wait
    for the request (on PostgreSQL that is a deadlock, and one of them fails with a raw error)."""
    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    task = _open_decision(app, request_id)
    locked, outcomes = threading.Event(), {}
    real_request = rows.request

    def request_then_pause(conn: Any, request_id: int, *, lock: bool) -> Any:
        row = real_request(conn, request_id, lock=lock)
        locked.set()
        time.sleep(0.5)  # the decision starts now, while the withdrawal holds the request
        return row

    monkeypatch.setattr(rows, "request", request_then_pause)

    def act(name: str, action: Any) -> None:
        try:
            action()
            outcomes[name] = "ok"
        except ApprovalsError as exc:
            outcomes[name] = type(exc).__name__

    withdraw = threading.Thread(target=act, args=("withdraw", lambda: app.service.withdraw(request_id, applicant)))
    withdraw.start()
    locked.wait(5)
    act("decide", lambda: app.service.decide(task.id, task.assignee, "approve", ""))
    withdraw.join()
    assert outcomes == {"withdraw": "ok", "decide": "ConflictError"}
    assert app.queries.request(request_id).status == "withdrawn"


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_a_collision_the_database_reports_reaches_the_user_as_a_conflict(
        app: Approvals, monkeypatch: pytest.MonkeyPatch, sqlstate: str) -> None:
    """Deadlocks and serialization failures (PostgreSQL) roll the action back and read as a
    conflict to retry, like any other race, never as a raw database error."""
    from sqlalchemy.exc import OperationalError

    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    task = _open_decision(app, request_id)
    before = _counts(app)

    class Collision(Exception):
        pass

    collision = Collision("deadlock detected")
    collision.sqlstate = sqlstate  # type: ignore[attr-defined]

    def collide(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("UPDATE tasks ...", {}, collision)

    monkeypatch.setattr(rows, "update_task", collide)
    with pytest.raises(ConflictError, match="same moment"):
        app.service.decide(task.id, task.assignee, "approve", "")
    assert _counts(app) == before and _open_decision(app, request_id).id == task.id
