"""When leaders change, open tasks move to the new post holder; delegations act on behalf."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from support import CHART_A, leave_fields, pick

from approvals.app import Approvals


def _replace_head(app: Approvals, unit_id: str, new_head: str) -> Any:
    data = yaml.safe_load(app.admin.current_text("xx-nrpb"))
    for unit in data["units"]:
        if unit["id"] == unit_id:
            unit["head"] = new_head
            unit["deputies"] = [d for d in unit.get("deputies", []) if d != new_head]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return text, app.admin.impact(text, "edited.yaml")


def test_replacing_a_section_head_moves_their_open_task_to_the_new_head(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True)
    unit = chart.unit_of(applicant)
    successor = next(p for p in chart.members(unit.id) if p not in (applicant, unit.head))
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [waiting] = [t for t in app.queries.steps(request_id) if t.is_open]

    text, impact = _replace_head(app, unit.id, successor)
    assert [(m.task_id, m.old, m.new) for m in impact.moves] == [(waiting.id, unit.head, successor)]
    assert "head:" in impact.diff
    app.admin.save(text, "admin", "edited.yaml", "干部调整")

    new_chart = app.orgcharts.current("xx-nrpb")
    assert app.queries.inbox(new_chart, unit.head).total == 0
    [moved] = app.queries.inbox(new_chart, successor).items
    assert moved.id == waiting.id and moved.orgchart_version == new_chart.version
    trail = [e for e in app.queries.trail(request_id) if e.action == "reassigned"]
    assert len(trail) == 1 and trail[0].orgchart_version == new_chart.version
    app.service.decide(moved.id, successor, "approve", "")
    assert len(app.orgcharts.history("xx-nrpb")) == 2  # the earlier version is kept


def test_an_impact_preview_changes_nothing(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True)
    unit = chart.unit_of(applicant)
    successor = next(p for p in chart.members(unit.id) if p not in (applicant, unit.head))
    app.service.submit(applicant, "leave", leave_fields())
    _replace_head(app, unit.id, successor)
    assert app.queries.inbox(app.orgcharts.current("xx-nrpb"), unit.head).total == 1


def test_a_delegate_receives_new_tasks_and_decides_on_behalf_of_the_head(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True)
    head = chart.unit_of(applicant).head
    deputy = next(p for p in chart.members(chart.unit_of(applicant).id) if p not in (applicant, head))
    app.service.delegate(head, deputy, date(2026, 11, 20), date(2026, 11, 30))
    request_id = app.service.submit(applicant, "leave", leave_fields())
    [task] = app.queries.inbox(chart, deputy).items
    assert task.request_id == request_id and task.principal == head
    app.service.decide(task.id, deputy, "approve", "代为审批")
    decided = app.queries.task(task.id)
    assert (decided.decided_by, decided.on_behalf_of) == (deputy, head)
    [entry] = [e for e in app.queries.trail(request_id) if e.action == "decided"]
    assert (entry.actor, entry.on_behalf_of) == (deputy, head)


def test_the_shipped_chart_text_round_trips_through_the_database(app: Approvals) -> None:
    assert app.admin.current_text("xx-nrpb") == CHART_A.read_text(encoding="utf-8")


def test_a_chart_plugged_in_by_configuration_routes_without_the_database_copy(tmp_path: Any) -> None:
    from support import NOW, PROCESSES

    from approvals.app import build
    from approvals.clock import FixedClock
    from approvals.errors import ApprovalsError

    app = build(f"sqlite:///{tmp_path}/ext.sqlite3", PROCESSES, FixedClock(NOW), orgchart_source=f"yaml:{CHART_A}")
    app.init_db()
    try:
        chart = app.orgcharts.current()
        applicant = pick(chart, "staff", "section", county=True)
        request_id = app.service.submit(applicant, "leave", leave_fields())
        assert app.queries.inbox(chart, chart.unit_of(applicant).head).items[0].request_id == request_id
        with pytest.raises(ApprovalsError, match="edit it there"):
            app.admin.save(CHART_A.read_text(encoding="utf-8"), "admin")
    finally:
        app.db.dispose()


def test_naming_an_acting_approver_also_hands_over_decisions_already_waiting(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True)
    head = chart.unit_of(applicant).head
    deputy = next(p for p in chart.members(chart.unit_of(applicant).id) if p not in (applicant, head))
    request_id = app.service.submit(applicant, "leave", leave_fields())
    app.service.delegate(head, deputy, date(2026, 11, 23), date(2026, 11, 30))
    assert app.queries.inbox(chart, head).total == 0
    [task] = app.queries.inbox(chart, deputy).items
    assert task.request_id == request_id and task.principal == head
    [moved] = [e for e in app.queries.trail(request_id) if e.action == "reassigned"]
    assert moved.actor == head and '"reason":"delegation"' in moved.detail


def test_a_future_delegation_leaves_waiting_decisions_where_they_are(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True)
    head = chart.unit_of(applicant).head
    deputy = next(p for p in chart.members(chart.unit_of(applicant).id) if p not in (applicant, head))
    app.service.submit(applicant, "leave", leave_fields())
    app.service.delegate(head, deputy, date(2026, 12, 1), date(2026, 12, 5))
    assert app.queries.inbox(chart, head).total == 1
