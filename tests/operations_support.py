"""Factories for the tests of operations on an open task (转办, 加签, 拿回, 退回, 终止, 沟通)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from support import leave_fields, pick

from approvals.app import Approvals
from approvals.store.models import AuditEntry, Request, Task


@dataclass(frozen=True)
class Leave:
    """A section clerk's leave request at the county bureau: her section head, then the
    supervising bureau leader (two decisions), and the people around it."""

    request_id: int
    applicant: str
    head: str  # 科室主要负责人
    colleague: str  # another member of the head's section, not the applicant
    supervisor: str  # 分管局领导
    inspector: str  # a member of the discipline unit (纪检)


def leave(app: Approvals) -> Leave:
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True, supervised_by_organ_leader=False)
    unit = chart.unit_of(applicant)
    request_id = app.service.submit(applicant, "leave", leave_fields())
    colleague = next(p for p in chart.people if chart.people[p].unit == unit.id and p not in (applicant, unit.head))
    discipline = chart.duties["discipline"]
    inspector = next(p for p in chart.people if chart.people[p].unit == discipline)
    return Leave(request_id, applicant, str(unit.head), colleague, str(unit.supervisor), inspector)


def waiting(app: Approvals, request_id: int) -> list[tuple[str, str]]:
    """(step, holder) of every open decision: who has it in their inbox now."""
    return [(t.name, t.assignee) for t in app.queries.steps(request_id)
            if t.is_open and t.kind in ("approve", "consent", "record")]


def only_open(app: Approvals, request_id: int) -> Task:
    tasks = [t for t in app.queries.steps(request_id) if t.is_open and t.kind in ("approve", "consent", "record")]
    assert len(tasks) == 1, tasks
    return tasks[0]


def timeline(app: Approvals, request_id: int) -> list[tuple[str, str, str, str | None]]:
    """(step, who, status, made by which operation) as the request page lists them."""
    return [(t.name, t.decided_by or t.assignee, t.status, t.origin) for t in app.queries.steps(request_id)]


def actions(app: Approvals, request_id: int) -> list[str]:
    return [e.action for e in app.queries.trail(request_id)]


def counts(app: Approvals) -> tuple[int, int, int, str]:
    """Rows in requests, tasks and the audit trail, and every task's (status, revision): what
    must not change when an operation is refused."""
    with app.db.reading() as s:
        states = ",".join(f"{t.id}:{t.status}:{t.revision}" for t in s.scalars(select(Task).order_by(Task.id)))
        return (s.scalar(select(func.count()).select_from(Request)) or 0,
                s.scalar(select(func.count()).select_from(Task)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0, states)


def heard(names: list[str]) -> Any:
    """Connect to every signal; returns (list of (signal, payload), disconnect)."""
    from approvals import signals

    got: list[tuple[str, dict[str, Any]]] = []
    receivers = {}
    for name, sig in signals.ALL.items():
        def receiver(sender: Any, _name: str = name, **payload: Any) -> None:
            if _name in names:
                got.append((_name, payload))
        receivers[name] = receiver
        sig.connect(receiver)

    def stop() -> None:
        for name, sig in signals.ALL.items():
            sig.disconnect(receivers[name])
    return got, stop
