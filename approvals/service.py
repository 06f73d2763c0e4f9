"""The engine's API for every user action: the CLI and the web UI call these and nothing else.

Each action is one transaction that updates the workflow state, the task rows and the audit
trail together, or none of them; signals go out after the commit. Two decisions racing on
one request: the loser's UPDATE finds a newer revision and gets ConflictError.

Requests and tasks are read and written as plain rows (``store/rows.py``) through statements
built once: the ORM's unit of work cost more than the workflow step it recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, insert, select

from approvals import delegations, eligibility, forms, signatures, text
from approvals.audit import Entry
from approvals.clock import Clock, SystemClock, day_of, today_in
from approvals.deadlines import check_report_open
from approvals.definitions import DECISION_KINDS, DefinitionRegistry, ProcessDefinition
from approvals.engine import RouteContext, Run, Saved, Step, finish_dry_run
from approvals.errors import (
    ConflictError,
    FieldError,
    InvalidStateError,
    Issue,
    NotPermittedError,
    UnknownProcessError,
    UnknownTaskError,
)
from approvals.notifications import urges
from approvals.offices import NOBODY, Offices, require_admin
from approvals.operations import ask, countersign_add, rewind, terminate, transfer
from approvals.orgchart.model import OrgChart
from approvals.orgchart.roles import may_act
from approvals.outbox import Outbox
from approvals.recording import announce_settled, close_not_needed, record_steps, save_state, settle
from approvals.routes import Route, preview, request_variables
from approvals.store import idempotency, rows
from approvals.store.database import Database, insert_if_absent
from approvals.store.models import Attachment, ProcessVersion, Task
from approvals.store.orgcharts import DatabaseOrgChartSource
from approvals.store.rows import Opened, RequestRow, TaskRow

DECISIONS = ("approve", "reject", "return")
DECIDED = {"approve": "approved", "reject": "rejected", "return": "returned"}


class Versioned(Protocol):
    """A request as far as its process version goes (an ORM ``Request`` or a ``RequestRow``)."""

    @property
    def process_id(self) -> str: ...

    @property
    def process_sha(self) -> str: ...


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


class ApprovalService:
    def __init__(self, db: Database, definitions: DefinitionRegistry, orgcharts: DatabaseOrgChartSource,
                 clock: Clock | None = None) -> None:
        self.db = db
        self.definitions = definitions
        self.orgcharts = orgcharts
        self.clock = clock or SystemClock()
        self._stored_versions: set[str] = set()  # process versions known to be in the database

    # ---- helpers ----------------------------------------------------------------------

    def definition_for(self, chart: OrgChart, request_type: str) -> ProcessDefinition:
        process_id = chart.organization.processes.get(request_type)
        if process_id is None:
            raise UnknownProcessError(request_type, list(chart.organization.processes))
        return self.definitions.get(process_id)

    def _stored_xml(self, sha: str) -> str:
        with self.db.reading() as s:
            row = s.get(ProcessVersion, sha)
            if row is None:
                raise UnknownProcessError(sha)
            return row.xml

    def definition_of(self, req: Versioned) -> ProcessDefinition:
        return self.definitions.version(req.process_id, req.process_sha, self._stored_xml)

    def _today(self, chart: OrgChart) -> date:
        """The organization's day (its ``time_zone``), never the server's."""
        return today_in(self.clock, chart.organization.time_zone)

    def _validated(self, chart: OrgChart, defn: ProcessDefinition, applicant: str,
                   raw: Mapping[str, Any]) -> dict[str, Any]:
        base = request_variables(chart, defn, applicant, {}, self._today(chart))
        return forms.validate(defn.fields, raw, today=self._today(chart).isoformat(), variables=base)

    def _start(self, chart: OrgChart, defn: ProcessDefinition, applicant: str,
               values: dict[str, Any]) -> tuple[Saved, list[Step]]:
        """Start the real run and save it, then refuse (vacant post, rule refusal) by walking
        the same run on to the end as a dry run: the route is walked once, and nothing copied."""
        variables = request_variables(chart, defn, applicant, values, self._today(chart))
        run = Run.start(defn, variables)
        steps = run.advance(RouteContext(chart, applicant))
        saved = run.save()  # what the request keeps; the run below is only the dry run
        finish_dry_run(run, list(steps), RouteContext(chart, applicant))
        return saved, steps

    def _store_version(self, conn: Connection, defn: ProcessDefinition, now: datetime) -> None:
        """Requests point at the BPMN text they started on; the first request of a version stores it.
        Simultaneous first submits all insert it: the losers' inserts do nothing (no lock, no raw
        IntegrityError), and on PostgreSQL they wait for the winner's commit, so the row exists."""
        if defn.sha256 in self._stored_versions:
            return
        conn.execute(insert_if_absent(conn, ProcessVersion),
                     {"sha256": defn.sha256, "source_name": defn.source, "xml": defn.xml, "created_at": now})

    # ---- preview -----------------------------------------------------------------------

    def preview(self, applicant: str, request_type: str, raw_fields: Mapping[str, Any]) -> Route:
        chart = self.orgcharts.for_person(applicant)
        defn = self.definition_for(chart, request_type)
        return preview(chart, defn, request_type, applicant, raw_fields, self._today(chart))

    # ---- actions -----------------------------------------------------------------------

    def submit(self, applicant: str, request_type: str, raw_fields: Mapping[str, Any],
               uploads: Mapping[str, Upload] | None = None) -> int:
        chart = self.orgcharts.for_person(applicant)
        defn = self.definition_for(chart, request_type)
        raw = {**raw_fields, **{name: u.filename for name, u in (uploads or {}).items()}}
        values = self._validated(chart, defn, applicant, raw)
        saved, steps = self._start(chart, defn, applicant, values)
        now = self.clock.now()
        req = RequestRow(id=0, org_id=chart.id, request_type=request_type, process_id=defn.process_id,
                         process_sha=defn.sha256, applicant=applicant, status="pending",
                         fields_json=json.dumps(values, ensure_ascii=False), round=1, revision=1,
                         orgchart_version=chart.version, outcome_comment="", created_at=now, updated_at=now,
                         state="")
        moved = settle(req, saved, now)  # the request is inserted whole: no UPDATE of a row just written
        out = Outbox()
        with self._action() as conn:
            self._store_version(conn, defn, now)
            rows.insert_request(conn, req)
            _store_uploads(conn, req.id, uploads, now)
            out.record(Entry(applicant, "submitted", req.id, orgchart_version=chart.version,
                             detail={"type": request_type, "process": defn.process_id,
                                     "process_sha": defn.sha256, "fields": values}))
            out.signal("submitted", request_id=req.id, applicant=applicant, request_type=request_type, round=1)
            record_steps(conn, req, chart, steps, out, now, day_of(self.clock, now, chart.organization.time_zone),
                         clock_zone=self.clock.zone)
            announce_settled(req, moved, out)
            out.write(conn, now)
        self._stored_versions.add(defn.sha256)  # versions are never deleted: ask the database once
        out.send(self)
        return req.id

    def decide(self, task_id: int, actor: str, decision: str, comment: str = "") -> None:
        comment = text.checked("comment", comment)  # NUL, control and bidi characters; length
        if decision not in DECISIONS:
            raise FieldError([Issue("decision", decision, f"expected one of {', '.join(DECISIONS)}")])
        comment = comment.strip()
        if decision in ("reject", "return") and not comment:
            raise FieldError([Issue("comment", "", f"a comment is required to {decision}: tell the applicant why")])
        now = self.clock.now()
        out = Outbox()
        with self._action() as conn:
            opened = self._open_task(conn, task_id)
            task, req = opened.task, opened.request
            if task.kind not in DECISION_KINDS:
                raise InvalidStateError(f"task #{task.id} is a {task.kind} step; it is not decided")
            chart = self._chart_of(conn, opened)
            eligibility.check_actor(actor, req.applicant, req.id, task.name)  # whatever the assignee says
            self._check_may_act(chart, actor, task)
            someone_after = countersign_add.check_decidable(task)  # 后加签: they decide after this approval
            behalf = task.principal if actor != task.principal else None
            self._close(conn, task, DECIDED[decision], actor, behalf, comment, now)
            out.record(Entry(actor, "decided", req.id, task.id, decision, comment, chart.version, behalf,
                             {"step": task.name, "role": task.role}))
            out.signal("decided", request_id=req.id, task_id=task.id, actor=actor, decision=decision,
                       comment=comment, on_behalf_of=behalf)
            run = Run.load(self.definition_of(req), req.state)
            if decision == "approve":  # 加签 rows and steps with someone added after their holder
                steps = countersign_add.approve(conn, task, run, RouteContext(chart, req.applicant), out, now,
                                                someone_after)
                record_steps(conn, req, chart, steps, out, now, day_of(self.clock, now, chart.organization.time_zone),
                         clock_zone=self.clock.zone)
                close_not_needed(conn, req, chart, run.waiting_ids(), actor, now, out)  # 或签
            else:
                status = "rejected" if decision == "reject" else "returned"
                self._end_round(conn, req, run, status, actor, comment, now, out)
                if decision == "return":
                    out.signal("returned", request_id=req.id, task_id=task.id, actor=actor, comment=comment)
            save_state(conn, req, run.save(), now, out)
            out.write(conn, now)
        out.send(self)

    def report(self, task_id: int, actor: str, raw_fields: Mapping[str, Any]) -> None:
        now = self.clock.now()
        out = Outbox()
        with self._action() as conn:
            opened = self._open_task(conn, task_id)
            task, req = opened.task, opened.request
            if task.kind != "report":
                raise InvalidStateError(f"task #{task.id} is not a report")
            if actor != req.applicant:
                raise NotPermittedError(f"only the applicant {req.applicant} files this report")
            defn = self.definition_of(req)
            step = defn.steps[task.bpmn_id]
            chart = self._chart_of(conn, opened)
            day = today_in(self.clock, chart.organization.time_zone)
            check_report_open(step, json.loads(req.fields_json), day)
            values = forms.validate(step.fields, raw_fields, today=day.isoformat(),
                                    variables=json.loads(req.fields_json))
            self._close(conn, task, "reported", actor, None, "", now,
                        result_json=json.dumps(values, ensure_ascii=False))
            out.record(Entry(actor, "reported", req.id, task.id, orgchart_version=chart.version,
                             detail={"step": task.name, "receiver": task.receiver, "fields": values}))
            out.signal("reported", request_id=req.id, task_id=task.id, applicant=actor, receiver=task.receiver)
            run = Run.load(defn, req.state)
            steps = run.complete(task.spiff_id or "", RouteContext(chart, req.applicant), data=values)
            record_steps(conn, req, chart, steps, out, now, day_of(self.clock, now, chart.organization.time_zone),
                         clock_zone=self.clock.zone)
            save_state(conn, req, run.save(), now, out)
            out.write(conn, now)
        out.send(self)

    def acknowledge(self, task_id: int, actor: str) -> None:
        now = self.clock.now()
        out = Outbox()
        with self._action() as conn:
            opened = self._open_task(conn, task_id)
            task, req = opened.task, opened.request
            if task.kind not in ("file", "copy"):
                raise InvalidStateError(f"task #{task.id} is a {task.kind} step, not a filing or copy")
            chart = self._chart_of(conn, opened)
            self._check_may_act(chart, actor, task)
            self._close(conn, task, "acknowledged", actor, None, "", now)
            out.record(Entry(actor, "acknowledged", req.id, task.id, orgchart_version=chart.version,
                             detail={"step": task.name, "kind": task.kind}))
            out.signal("acknowledged", request_id=req.id, task_id=task.id, actor=actor)
            out.write(conn, now)
        out.send(self)

    def withdraw(self, request_id: int, actor: str) -> None:
        now = self.clock.now()
        out = Outbox()
        with self._action() as conn:
            req = rows.request(conn, request_id, lock=True)
            if actor != req.applicant:
                raise NotPermittedError("only the applicant can withdraw a request")
            if req.status not in ("pending", "returned"):
                raise InvalidStateError(f"request #{req.id} is {req.status}; it can no longer be withdrawn")
            decided = conn.execute(_DECIDED_IN_ROUND, {"req_id": req.id, "req_round": req.round}).scalar()
            if decided is not None and req.status == "pending":
                raise InvalidStateError(f"request #{req.id} already has a decision; it can no longer be withdrawn")
            run = Run.load(self.definition_of(req), req.state)
            self._end_round(conn, req, run, "withdrawn", actor, "", now, out)
            save_state(conn, req, run.save(), now, out)
            out.write(conn, now)
        out.send(self)

    def resubmit(self, request_id: int, actor: str, raw_fields: Mapping[str, Any],
                 uploads: Mapping[str, Upload] | None = None) -> None:
        req_view = self._load_request(request_id)
        if actor != req_view.applicant:
            raise NotPermittedError("only the applicant can resubmit a request")
        if req_view.status != "returned":
            raise InvalidStateError(
                f"request #{request_id} is {req_view.status}; only a returned request is resubmitted")
        chart = self.orgcharts.current(req_view.org_id)
        defn = self.definition_of(req_view)  # a request stays on the version it started with
        raw = {**raw_fields, **{name: u.filename for name, u in (uploads or {}).items()}}
        values = self._validated(chart, defn, actor, raw)
        saved, steps = self._start(chart, defn, actor, values)
        now = self.clock.now()
        out = Outbox()
        with self._action() as conn:
            req = rows.request(conn, request_id, lock=True)
            if req.revision != req_view.revision:
                raise ConflictError(f"request #{request_id} changed while you were editing it; reload it")
            req.round += 1
            req.fields_json = json.dumps(values, ensure_ascii=False)
            req.status, req.orgchart_version, req.outcome_comment = "pending", chart.version, ""
            _store_uploads(conn, req.id, uploads, now)
            out.record(Entry(actor, "resubmitted", req.id, orgchart_version=chart.version,
                             detail={"round": req.round, "fields": values}))
            out.signal("submitted", request_id=req.id, applicant=actor, request_type=req.request_type,
                       round=req.round)
            record_steps(conn, req, chart, steps, out, now, day_of(self.clock, now, chart.organization.time_zone),
                         clock_zone=self.clock.zone)
            save_state(conn, req, saved, now, out)
            out.write(conn, now)
        out.send(self)

    def urge(self, task_id: int, actor: str) -> None:
        """催办: the applicant nudges whoever holds an open step of their request."""
        now = self.clock.now()
        out = Outbox()
        with self._action() as conn:
            opened = self._open_task(conn, task_id)
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
        out.send(self)

    def delegate(self, principal: str, delegate: str, starts_on: date, ends_on: date, *,
                 actor: str | None = None, offices: Offices | None = None) -> int:
        """``actor``: who named the delegate when it is not the principal, who must administer the
        principal's organization under ``offices`` (none given: nobody does). ``offices`` also says
        who inspects. A delegate who could not act is refused (``eligibility.check_delegate``)."""
        chart = self.orgcharts.for_person(principal)
        if actor not in (None, principal):
            require_admin(offices or NOBODY, actor, chart.id, chart, f"name an acting approver for {principal}")
        offices = offices or Offices()
        now = self.clock.now()
        in_force = starts_on <= today_in(self.clock, chart.organization.time_zone) <= ends_on
        out = Outbox()
        with self._action() as conn:
            moving = delegations.waiting(conn, principal) if in_force else []
            eligibility.check_delegate(chart, principal, delegate, moving, offices)
            if (refusal := signatures.disabled_refusal(conn, chart, delegate)) is not None:
                raise FieldError([Issue("delegate", delegate, refusal)])
            delegation_id = delegations.add(conn, principal, delegate, starts_on, ends_on, now)
            # One signature per person in a group round: a part the delegate has one of stays.
            kept = signatures.parts_kept(conn, rows.waiting_decisions(conn, principal), delegate,
                                         self.definition_of) if in_force else []
            out.record(Entry(actor or principal, "delegated", orgchart_version=chart.version,
                             detail={"principal": principal, "delegate": delegate,
                                     "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
                                     **({"kept_with_principal": kept} if kept else {})}))
            if in_force:
                self._hand_over_waiting(conn, principal, delegate, actor or principal, chart, out, kept)
            out.write(conn, now)
        out.send(self)
        return delegation_id

    # ---- operations on an open task (approvals/operations; docs/operations.md) ---------------

    def transfer(self, task_id: int, actor: str, to: str, reason: str, offices: Offices | None = None) -> int:
        """转办: hand an open decision to ``to``; returns the new task's id."""
        return transfer.transfer(self, task_id, actor, to, reason, offices or Offices())

    def add_approver(self, task_id: int, actor: str, person: str, mode: str, reason: str,
                     offices: Offices | None = None) -> int:
        """加签 before or after the holder; returns the added task's id."""
        return countersign_add.add(self, task_id, actor, person, mode, reason, offices or Offices())

    def remove_approver(self, added_task_id: int, actor: str) -> None:
        """减签: remove the person added, before they act."""
        countersign_add.remove(self, added_task_id, actor)

    def take_back(self, request_id: int, actor: str) -> int:
        """拿回: the latest approver takes their decision back; returns their new task's id."""
        return rewind.take_back(self, request_id, actor)

    def send_back(self, task_id: int, actor: str, to_task_id: int, reason: str,
                  offices: Offices | None = None) -> int:
        """退回到任一已办环节; returns the earlier step's new task id."""
        return rewind.send_back(self, task_id, actor, to_task_id, reason, offices or Offices())

    def terminate(self, request_id: int, actor: str, reason: str, offices: Offices) -> None:
        """终止: an administrator ends a request."""
        terminate.terminate(self, request_id, actor, reason, offices)

    def ask(self, task_id: int, actor: str, person: str, question: str) -> int:
        """沟通: ask without deciding; returns the question's id."""
        return ask.ask(self, task_id, actor, person, question)

    def answer(self, question_id: int, actor: str, words: str, upload: Upload | None = None) -> None:
        ask.answer(self, question_id, actor, words, upload)

    def attach(self, task_id: int, actor: str, upload: Upload) -> int:
        """A file for the holder's decision."""
        return ask.attach(self, task_id, actor, upload)

    def mark_opened(self, task_id: int, actor: str) -> bool:
        """已阅: note the holder's first opening of their task."""
        return ask.mark_opened(self, task_id, actor)

    # ---- internals ---------------------------------------------------------------------

    @staticmethod
    def _hand_over_waiting(conn: Connection, principal: str, delegate: str, actor: str, chart: OrgChart,
                           out: Outbox, kept: list[int]) -> None:
        """A delegation in force also moves the decisions already waiting for the principal:
        someone away (or barred from deciding, like an inspector) must not leave them stuck.
        ``check_delegate`` has already refused a delegate who may not hold any of them; the
        ``kept`` ones are parts of group rounds the delegate has a part of (``signatures``)."""
        for task in rows.waiting_decisions(conn, principal):
            if task.id in kept:
                continue
            rows.update_task(conn, task, assignee=delegate, **urges.FORGOTTEN)
            out.record(Entry(actor, "reassigned", task.request_id, task.id, orgchart_version=chart.version,
                             detail={"step": task.name, "role": task.role, "from": principal,
                                     "to": delegate, "reason": "delegation"}))
            out.signal("reassigned", request_id=task.request_id, task_id=task.id, old_assignee=principal,
                       new_assignee=delegate, reason="delegation")

    def _action(self) -> AbstractContextManager[Connection]:
        """The action's transaction; a form's idempotency key, when the caller claimed one,
        is its first write (store/idempotency.py)."""
        return idempotency.action(self.db.writing(), self.clock)

    def _load_request(self, request_id: int) -> RequestRow:
        with self.db.reading(snapshot=False) as s:
            return rows.request(s.connection(), request_id, lock=False)

    @staticmethod
    def _open_task(conn: Connection, task_id: int) -> Opened:
        opened = rows.task_and_request(conn, task_id)
        if opened is None:
            raise UnknownTaskError(task_id)
        task = opened.task
        if not task.is_open:
            who = f" by {task.decided_by}" if task.decided_by else ""
            when = f" at {task.decided_at:%Y-%m-%d %H:%M}" if task.decided_at else ""
            raise ConflictError(f"task #{task.id} ({task.name}) was already {task.status}{who}{when}")
        return opened

    def _chart_of(self, conn: Connection, opened: Opened) -> OrgChart:
        return self.orgcharts.current(opened.request.org_id, session=conn, latest=opened.chart_version_id)

    def _check_may_act(self, chart: OrgChart, actor: str, task: TaskRow) -> None:
        if actor in (task.assignee, task.principal) or may_act(chart, actor, task.assignee, task.unit_id):
            return
        raise NotPermittedError(f"task #{task.id} ({task.name}) is assigned to {task.assignee}, not {actor}")

    @staticmethod
    def _close(conn: Connection, task: TaskRow, status: str, actor: str | None, behalf: str | None, comment: str,
               now: datetime, **extra: Any) -> None:
        rows.update_task(conn, task, is_open=False, status=status, decided_by=actor, on_behalf_of=behalf,
                         comment=comment, decided_at=now, **extra)

    @staticmethod
    def _end_round(conn: Connection, req: RequestRow, run: Run, status: str, actor: str, comment: str,
                   now: datetime, out: Outbox) -> None:
        """Reject, return or withdraw: the workflow stops and open decision steps close."""
        run.cancel()
        rows.cancel_open_decisions(conn, req.id, now)
        req.status, req.outcome_comment = status, comment
        if status == "withdrawn":
            out.record(Entry(actor, "withdrawn", req.id))
        if status != "returned":
            out.signal("completed", request_id=req.id, status=status)


def _store_uploads(conn: Connection, request_id: int, uploads: Mapping[str, Upload] | None, now: datetime) -> None:
    if uploads:
        conn.execute(insert(Attachment), [
            {"request_id": request_id, "field": name, "filename": upload.filename,
             "content_type": upload.content_type, "data": upload.data, "created_at": now,
             "sha256": hashlib.sha256(upload.data).hexdigest()} for name, upload in uploads.items()])


_DECIDED_IN_ROUND = (select(Task.id).where(Task.request_id == bindparam("req_id"), Task.round == bindparam("req_round"),
                                           Task.decided_by.is_not(None),
                                           Task.kind.in_(DECISION_KINDS)).limit(1))
