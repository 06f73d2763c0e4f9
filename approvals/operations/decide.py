"""Deciding a step and the other actions of the route itself: report (the applicant's 销假
report), acknowledge (a filing or copy), withdraw, urge (催办). Each is one transaction that
updates the workflow state, the task rows and the audit trail together, or none of them;
signals go out after the commit. Two decisions racing on one request: the loser's UPDATE finds
a newer revision and gets ConflictError."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, select

from approvals import text
from approvals.audit.chain import Entry
from approvals.clock import today_in
from approvals.errors import FieldError, InvalidStateError, Issue, NotPermittedError
from approvals.notifications import urges
from approvals.notifications.outbox import Outbox
from approvals.operations import countersign_add
from approvals.operations.action import (
    Host,
    chart_of,
    check_may_act,
    close,
    end_round,
    open_task,
    transaction,
)
from approvals.operations.recording import close_not_needed, record_steps, save_state
from approvals.people import eligibility
from approvals.people.orgchart.model import OrgChart
from approvals.process import forms, step_fields
from approvals.process.calendar import for_chart
from approvals.process.deadlines import check_report_open
from approvals.process.definitions import DECISION_KINDS
from approvals.process.engine import RouteContext, Run
from approvals.store import rows
from approvals.store.models import Task

DECISIONS = ("approve", "reject", "return")
DECIDED = {"approve": "approved", "reject": "rejected", "return": "returned"}


def decide(service: Host, task_id: int, actor: str, decision: str, comment: str = "",
           fields: Mapping[str, Any] | None = None) -> None:
    """``fields``: the step's own form (docs/processes.md, "Fields per step"), read on approval."""
    comment = text.checked("comment", comment)  # NUL, control and bidi characters; length
    if decision not in DECISIONS:
        raise FieldError([Issue("decision", decision, f"expected one of {', '.join(DECISIONS)}")])
    comment = comment.strip()
    if decision in ("reject", "return") and not comment:
        raise FieldError([Issue("comment", "", f"a comment is required to {decision}: tell the applicant why")])
    now = service.clock.now()
    out = Outbox()
    with transaction(service) as conn:
        opened = open_task(conn, task_id)
        task, req = opened.task, opened.request
        out.org = req.org_id
        if task.kind not in DECISION_KINDS:
            raise InvalidStateError(f"task #{task.id} is a {task.kind} step; it is not decided")
        chart = chart_of(service, conn, opened)
        eligibility.check_actor(actor, req.applicant, req.id, task.name)  # whatever the assignee says
        check_may_act(chart, actor, task)
        someone_after = countersign_add.check_decidable(task)  # 后加签: they decide after this approval
        behalf = task.principal if actor != task.principal else None
        run = Run.load(service.definition_of(req), req.state)
        values = _step_values(service, run, task, chart, fields) if decision == "approve" else {}
        close(conn, task, DECIDED[decision], actor, behalf, comment, now,
              **({"result_json": json.dumps(values, ensure_ascii=False)} if values else {}))
        out.record(Entry(actor, "decided", req.id, task.id, decision, comment, chart.version, behalf,
                         {"step": task.name, "role": task.role, **({"fields": values} if values else {})}))
        out.signal("decided", request_id=req.id, task_id=task.id, actor=actor, decision=decision,
                   comment=comment, on_behalf_of=behalf)
        if decision == "approve":  # 加签 rows and steps with someone added after their holder
            steps = countersign_add.approve(conn, task, run, RouteContext(chart, req.applicant), out, now,
                                            someone_after, values)
            record_steps(conn, req, chart, steps, out, now, service.clock)
            close_not_needed(conn, req, chart, run.waiting_ids(), actor, now, out)  # 或签
        else:
            status = "rejected" if decision == "reject" else "returned"
            end_round(conn, req, run, status, actor, comment, now, out)
            if decision == "return":
                out.signal("returned", request_id=req.id, task_id=task.id, actor=actor, comment=comment)
        save_state(conn, req, run.save(), now, out)
        out.write(conn, now)
    out.send(service)


def _step_values(service: Host, run: Run, task: Task, chart: OrgChart,
                 given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The step's own fields as its holder filled them, checked against the step's form with the
    request's and earlier steps' values (required_if across steps); {} for a step without a form."""
    step = run.definition.steps.get(task.bpmn_id)
    own = step.fields if step is not None and task.origin is None else ()  # 加签 opinions have no form
    if not own:
        if given:
            raise FieldError([Issue("fields", sorted(given), "this step has no form of its own to fill in")])
        return {}
    earlier = step_fields.earlier_values(run.data_of(task.spiff_id or ""))
    day = today_in(service.clock, chart.organization.time_zone)
    return forms.validate(own, given or {}, today=day.isoformat(), variables={**earlier, "today": day.isoformat()},
                          calendar=for_chart(chart))


def report(service: Host, task_id: int, actor: str, raw_fields: Mapping[str, Any]) -> None:
    now = service.clock.now()
    out = Outbox()
    with transaction(service) as conn:
        opened = open_task(conn, task_id)
        task, req = opened.task, opened.request
        if task.kind != "report":
            raise InvalidStateError(f"task #{task.id} is not a report")
        if actor != req.applicant:
            raise NotPermittedError(f"only the applicant {req.applicant} files this report")
        defn = service.definition_of(req)
        step = defn.steps[task.bpmn_id]
        chart = chart_of(service, conn, opened)
        day = today_in(service.clock, chart.organization.time_zone)
        check_report_open(step, json.loads(req.fields_json), day)
        values = forms.validate(step.fields, raw_fields, today=day.isoformat(),
                                variables=json.loads(req.fields_json))
        close(conn, task, "reported", actor, None, "", now,
                    result_json=json.dumps(values, ensure_ascii=False))
        out.record(Entry(actor, "reported", req.id, task.id, orgchart_version=chart.version,
                         detail={"step": task.name, "receiver": task.receiver, "fields": values}))
        out.signal("reported", request_id=req.id, task_id=task.id, applicant=actor, receiver=task.receiver)
        run = Run.load(defn, req.state)
        steps = run.complete(task.spiff_id or "", RouteContext(chart, req.applicant), data=values)
        record_steps(conn, req, chart, steps, out, now, service.clock)
        save_state(conn, req, run.save(), now, out)
        out.write(conn, now)
    out.send(service)


def acknowledge(service: Host, task_id: int, actor: str) -> None:
    now = service.clock.now()
    out = Outbox()
    with transaction(service) as conn:
        opened = open_task(conn, task_id)
        task, req = opened.task, opened.request
        if task.kind not in ("file", "copy"):
            raise InvalidStateError(f"task #{task.id} is a {task.kind} step, not a filing or copy")
        chart = chart_of(service, conn, opened)
        check_may_act(chart, actor, task)
        close(conn, task, "acknowledged", actor, None, "", now)
        out.record(Entry(actor, "acknowledged", req.id, task.id, orgchart_version=chart.version,
                         detail={"step": task.name, "kind": task.kind}))
        out.signal("acknowledged", request_id=req.id, task_id=task.id, actor=actor)
        out.write(conn, now)
    out.send(service)


def withdraw(service: Host, request_id: int, actor: str) -> None:
    now = service.clock.now()
    out = Outbox()
    with transaction(service) as conn:
        req = rows.request(conn, request_id, lock=True)
        if actor != req.applicant:
            raise NotPermittedError("only the applicant can withdraw a request")
        if req.status not in ("pending", "returned"):
            raise InvalidStateError(f"request #{req.id} is {req.status}; it can no longer be withdrawn")
        decided = conn.execute(_DECIDED_IN_ROUND, {"req_id": req.id, "req_round": req.round}).scalar()
        if decided is not None and req.status == "pending":
            raise InvalidStateError(f"request #{req.id} already has a decision; it can no longer be withdrawn")
        run = Run.load(service.definition_of(req), req.state)
        end_round(conn, req, run, "withdrawn", actor, "", now, out)
        save_state(conn, req, run.save(), now, out)
        out.write(conn, now)
    out.send(service)


def urge(service: Host, task_id: int, actor: str) -> None:
    """催办: the applicant nudges whoever holds an open step of their request."""
    now = service.clock.now()
    out = Outbox()
    with transaction(service) as conn:
        opened = open_task(conn, task_id)
        task, req = opened.task, opened.request
        if actor != req.applicant:
            raise NotPermittedError("only the applicant can urge their own request")
        if task.kind not in DECISION_KINDS:
            raise InvalidStateError(f"task #{task.id} is a {task.kind} step; only decisions are urged")
        urges.check_interval(task, now)  # once per holder per interval (a move resets it)
        rows.update_task(conn, task, urge_count=task.urge_count + 1, urged_at=now)
        out.record(Entry(actor, "urged", req.id, task.id, detail={"assignee": task.assignee}))
        out.signal("urged", request_id=req.id, task_id=task.id, applicant=actor, assignee=task.assignee)
        out.write(conn, now)
    out.send(service)


_DECIDED_IN_ROUND = (select(Task.id).where(Task.request_id == bindparam("req_id"), Task.round == bindparam("req_round"),
                                           Task.decided_by.is_not(None),
                                           Task.kind.in_(DECISION_KINDS)).limit(1))
