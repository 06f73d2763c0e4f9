"""One request as pages show it: fields, attachments, timeline, diagram marks, next actions.

The applicant's request page, the approver's task page and the inspector's trail all show a
request the same way; each adds its own actions around it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import abort
from sqlalchemy import select

from approvals.audit import access_log
from approvals.crypto import fields as sealed_fields
from approvals.operations import rewind
from approvals.process.deadlines import ReportNotOpenError, check_report_open
from approvals.process.definitions import DECISION_KINDS, ProcessDefinition
from approvals.store.models import QUESTIONS_OPEN_WHILE, Attachment, Question, Request, Task
from web import handovers, labels, origins
from web.engine import engine
from web.handovers import Handover
from web.i18n import field_label
from web.i18n import gettext as _
from web.localtime import today
from web.presenters import name, step_name
from web.users import may_open, me


@dataclass(frozen=True)
class FieldLine:
    label: str
    value: str
    attachment: Attachment | None = None


@dataclass(frozen=True)
class TimelineRow:
    task: Task
    name: str
    kind: str
    status: str
    handovers: tuple[Handover, ...] = ()  # who held it before a chart change or an acting approver


@dataclass
class RequestView:
    req: Request
    definition: ProcessDefinition
    type_label: str
    status_label: str
    fields: list[FieldLine]
    attachments: list[Attachment]
    rounds: list[tuple[int, list[TimelineRow]]]
    current_steps: list[str] = field(default_factory=list)  # bpmn ids open now (diagram)
    done_steps: list[str] = field(default_factory=list)
    open_tasks: list[Task] = field(default_factory=list)
    reports: list[tuple[str, list[FieldLine]]] = field(default_factory=list)  # filed reports
    origins: origins.Origins = field(default_factory=lambda: origins.Origins({}, {}))  # 转办/加签 reasons, 或签

    @property
    def tasks(self) -> list[Task]:
        return [row.task for _n, rows in self.rounds for row in rows]

    def handovers_of(self, task_id: int) -> tuple[Handover, ...]:
        return next((row.handovers for _n, rows in self.rounds for row in rows if row.task.id == task_id), ())

    @property
    def open_decisions(self) -> list[Task]:
        return [t for t in self.open_tasks if t.kind in DECISION_KINDS]

    @property
    def open_reports(self) -> list[Task]:
        """Reports that may be sent today; one on a trip not yet started waits (``reports_later``)."""
        return [t for t in self.open_tasks if t.kind == "report" and self.report_opens_on(t) is None]

    @property
    def reports_later(self) -> list[tuple[Task, date]]:
        """(report, the first day it may be sent): the trip has not started yet."""
        return [(t, day) for t in self.open_tasks if t.kind == "report" and (day := self.report_opens_on(t))]

    def report_opens_on(self, task: Task) -> date | None:
        """The day ``task``'s report may first be sent when that is after today, else None
        (the same rule the engine applies: approvals/process/deadlines.py ``check_report_open``)."""
        step = self.definition.steps.get(task.bpmn_id)
        if step is None:
            return None
        try:
            check_report_open(step, engine().queries.fields(self.req), today())
        except ReportNotOpenError as exc:
            return exc.opens_on
        return None

    @property
    def can_withdraw(self) -> bool:
        """Before the first decision of the round (the engine checks again when asked)."""
        if self.req.status == "returned":
            return True
        if self.req.status != "pending":
            return False
        this_round = next((rows for n, rows in self.rounds if n == self.req.round), [])
        return not any(r.task.kind in DECISION_KINDS and r.task.decided_by for r in this_round)

    @property
    def can_resubmit(self) -> bool:
        return self.req.status == "returned"


def visible_request(request_id: int) -> Request:
    """The request if this person may read it (applicant, step holder, inspector), else 403."""
    user = me()
    queries = engine().queries
    privileged = user.is_inspector and queries.request(request_id).org_id == user.org_id
    return queries.require_view(user.chart, user.id, request_id, privileged=privileged)


def record_view(req: Request, what: str, tasks: list[Task] | None = None) -> None:
    """PIPL: log that the signed-in person saw this request's personal data, and as what
    (approver, past decider, inspector...); the applicant reading their own is not logged."""
    user = me()
    if user.id == req.applicant:
        return
    app = engine()
    steps = app.queries.steps(req.id) if tasks is None else tasks
    units = [user.unit_id]
    role = access_log.capacity(user.id, units, steps, inspector=user.is_inspector, admin=user.is_admin)
    access_log.record(app.db, app.clock.now(), user.id, req.org_id, req.id, role, what)


# Who sees a sensitive field's value in full (docs/processes.md, "Sensitive fields"): besides the
# applicant, the holders of the request's steps and inspectors; an admin or anyone else, masked.
ENTITLED = (access_log.APPROVER, access_log.PAST_DECIDER, access_log.RECEIVER, access_log.RECIPIENT,
            access_log.INSPECTOR)


def shown_fields(req: Request, definition: ProcessDefinition, tasks: list[Task] | None = None) -> dict[str, Any]:
    """The request's values as the signed-in person may see them: sensitive ones opened for the
    entitled, masked for others; each reveal to someone other than the applicant is logged with
    the fields it showed. A value that does not open raises CryptoError (never shown empty)."""
    user = me()
    stored = engine().queries.fields(req)
    if user.id == req.applicant:
        return sealed_fields.open_values(definition.fields, stored)
    app = engine()
    steps = app.queries.steps(req.id) if tasks is None else tasks
    role = access_log.capacity(user.id, [user.unit_id], steps, inspector=user.is_inspector, admin=user.is_admin)
    values, revealed = sealed_fields.shown(definition.fields, stored, reveal=role in ENTITLED)
    if revealed:
        access_log.record(app.db, app.clock.now(), user.id, req.org_id, req.id, role, "reveal", {"fields": revealed})
    return values


def _value(fd: Any, value: Any, attachments: dict[str, Attachment]) -> FieldLine:
    label = field_label(fd)
    if fd.type == "attachment":
        return FieldLine(label, str(value or ""), attachments.get(fd.name))
    if value is None or value == "":
        return FieldLine(label, "—")
    if fd.type == "boolean":
        return FieldLine(label, _("Yes") if value else _("No"))
    if fd.type == "enum":
        return FieldLine(label, dict(fd.options).get(value, str(value)))
    if fd.type == "rows":  # 明细: one row after another, the columns in the form's order
        rows = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
        return FieldLine(label, "；".join(f"{n}. " + " · ".join(_value(c, r.get(c.name), {}).value for c in fd.columns)
                                         for n, r in enumerate(rows, 1)) or "—")
    return FieldLine(label, str(value))


def field_lines(
    fields: Any, values: dict[str, Any], attachments: list[Attachment], hidden: Iterable[str] = ()
) -> list[FieldLine]:
    latest = {a.field: a for a in attachments}  # a resubmission's upload replaces the earlier one
    return [_value(fd, values.get(fd.name), latest) for fd in fields if fd.name not in hidden]


def hidden_from_viewer(definition: ProcessDefinition, req: Request, tasks: list[Task]) -> set[str]:
    """The fields the person looking does not see: those every step they hold or held in this
    request lists in ``hidden_fields`` (docs/processes.md, "Fields per step"). The applicant,
    inspectors and anyone holding no step of it see every field."""
    viewer = me().id
    if viewer == req.applicant:
        return set()
    held = [definition.steps.get(t.bpmn_id) for t in tasks if viewer in (t.assignee, t.principal, t.decided_by)]
    steps = [s for s in held if s is not None]
    return set.intersection(*(set(s.hidden_fields) for s in steps)) if steps else set()


def build(req: Request) -> RequestView:
    app = engine()
    definition = app.service.definition_of(req)
    attachments = app.queries.attachments(req.id)
    tasks = app.queries.steps(req.id)
    why = origins.read(app.queries.trail(req.id))
    moved = handovers.by_task(app.queries.holder_changes(req.id))
    rounds: dict[int, list[TimelineRow]] = {}
    for task in tasks:
        rounds.setdefault(task.round, []).append(
            TimelineRow(
                task,
                step_name(task, definition),
                labels.word(labels.KIND, task.kind),
                _status(task, why),
                tuple(moved.get(task.id, ())),
            )
        )
    this_round = [t for t in tasks if t.round == req.round]
    hidden = hidden_from_viewer(definition, req, tasks)
    return RequestView(
        req,
        definition,
        labels.request_name(req),
        labels.word(labels.REQUEST_STATUS, req.status),
        field_lines(definition.fields, shown_fields(req, definition, tasks), attachments, hidden),
        attachments,
        sorted(rounds.items(), reverse=True),
        current_steps=sorted({t.bpmn_id for t in this_round if t.is_open}),
        done_steps=sorted(
            {t.bpmn_id for t in this_round if not t.is_open and t.status != "cancelled"}
        ),
        open_tasks=[t for t in this_round if t.is_open],
        reports=[  # filed reports, and what decision steps' holders filled in (核定金额)
            (step_name(t, definition), report_lines(t, definition, hidden))
            for t in tasks
            if t.result_json and (t.kind == "report" or (t.kind in DECISION_KINDS and t.status == "approved"))
        ],
        origins=why,
    )


def _status(task: Task, why: origins.Origins) -> str:
    """The status as the timeline words it; a 或签 row closed as not needed names who decided."""
    decider = why.decided_for_group.get(task.id)
    if task.status == "not_needed" and decider:
        return _("Not needed: %(name)s decided for the group", name=name(decider))
    if task.decided_by == "system" and task.status in labels.AUTO_STATUS:  # a step's timer acted
        return labels.word(labels.AUTO_STATUS, task.status)
    return labels.word(labels.TASK_STATUS, task.status)


def report_lines(task: Task, definition: ProcessDefinition, hidden: Iterable[str] = ()) -> list[FieldLine]:
    """A filed report's values (return date, places visited), or a step's own fields as its
    holder filled them, labelled from the process file."""
    if not task.result_json:
        return []
    step = definition.steps.get(task.bpmn_id)
    values = json.loads(task.result_json)
    return field_lines(step.fields if step else (), values, [], hidden)


def take_back_offered(request_ids: Iterable[int]) -> set[int]:
    """The requests on which the signed-in person may take back (拿回) their approval now:
    what 已办, the request page and the task page offer (never an inspector, never a group
    member's signature: approvals/operations/rewind.py ``takeable``)."""
    user = me()
    if user.is_inspector:
        return set()
    return rewind.takeable(engine().service, request_ids, user.id)


def waiting_for(person: str) -> list[Question]:
    """Questions put to ``person`` still waiting for an answer (their request in progress)."""
    with engine().db.reading(snapshot=False) as s:
        return list(s.scalars(select(Question).join(Request, Request.id == Question.request_id)
                              .where(Question.asked_to == person, Question.answered_at.is_(None),
                                     Request.status.in_(QUESTIONS_OPEN_WHILE))
                              .order_by(Question.id)))


def own_request(request_id: int) -> Request:
    """The request if the signed-in person is its applicant: only they change it."""
    req = visible_request(request_id)
    if req.applicant != me().id:
        abort(403)
    return req


def task_or_403(task_id: int) -> Task:
    task = engine().queries.task(task_id)
    if not may_open(task):
        abort(403)
    return task
