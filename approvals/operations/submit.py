"""Submitting a request and resubmitting a returned one: the form checked against the process
version, the run started and saved, its first steps recorded, the uploads stored, all in one
transaction (``ApprovalService.submit`` / ``resubmit`` call these)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from approvals.audit.chain import Entry
from approvals.clock import today_in
from approvals.crypto import fields as sealed_fields
from approvals.errors import ConflictError, InvalidStateError, NotPermittedError
from approvals.notifications.outbox import Outbox
from approvals.operations.action import (
    Host,
    Upload,
    transaction,
)
from approvals.operations.recording import announce_settled, record_steps, save_state, settle
from approvals.people.orgchart.model import OrgChart
from approvals.process import forms
from approvals.process.calendar import for_chart
from approvals.process.definitions import ProcessDefinition
from approvals.process.engine import RouteContext, Run, Saved, Step, finish_dry_run
from approvals.process.routes import request_variables
from approvals.store import rows
from approvals.store.database import insert_if_absent
from approvals.store.models import Attachment, ProcessVersion
from approvals.store.rows import RequestRow


def submit(service: Host, applicant: str, request_type: str, raw_fields: Mapping[str, Any],
           uploads: Mapping[str, Upload] | None = None) -> int:
    chart = service.orgcharts.for_person(applicant)
    defn = service.definition_for(chart, request_type)
    raw = {**raw_fields, **{name: u.filename for name, u in (uploads or {}).items()}}
    values = _validated(service, chart, defn, applicant, raw)
    saved, steps = _start(service, chart, defn, applicant, values)
    values = sealed_fields.seal(defn.fields, values)  # what is stored and chained; the route had its copy
    now = service.clock.now()
    req = RequestRow(id=0, org_id=chart.id, request_type=request_type, process_id=defn.process_id,
                     process_sha=defn.sha256, applicant=applicant, status="pending",
                     fields_json=json.dumps(values, ensure_ascii=False), round=1, revision=1,
                     orgchart_version=chart.version, outcome_comment="", created_at=now, updated_at=now,
                     state="")
    moved = settle(req, saved, now)  # the request is inserted whole: no UPDATE of a row just written
    out = Outbox()
    with transaction(service) as conn:
        _store_version(service, conn, defn, now)
        rows.insert_request(conn, req)
        _store_uploads(conn, req.id, uploads, now)
        out.record(Entry(applicant, "submitted", req.id, orgchart_version=chart.version,
                         detail={"type": request_type, "process": defn.process_id,
                                 "process_sha": defn.sha256, "fields": values}))
        out.signal("submitted", request_id=req.id, applicant=applicant, request_type=request_type, round=1)
        record_steps(conn, req, chart, steps, out, now, service.clock)
        announce_settled(req, moved, out)
        out.write(conn, now)
    service.stored_versions.add(defn.sha256)  # versions are never deleted: ask the database once
    out.send(service)
    return req.id


def resubmit(service: Host, request_id: int, actor: str, raw_fields: Mapping[str, Any],
             uploads: Mapping[str, Upload] | None = None) -> None:
    req_view = load_request(service, request_id)
    if actor != req_view.applicant:
        raise NotPermittedError("only the applicant can resubmit a request")
    if req_view.status != "returned":
        raise InvalidStateError(
            f"request #{request_id} is {req_view.status}; only a returned request is resubmitted")
    chart = service.orgcharts.current(req_view.org_id)
    defn = service.definition_of(req_view)  # a request stays on the version it started with
    raw = {**raw_fields, **{name: u.filename for name, u in (uploads or {}).items()}}
    values = _validated(service, chart, defn, actor, raw)
    saved, steps = _start(service, chart, defn, actor, values)
    values = sealed_fields.seal(defn.fields, values)
    now = service.clock.now()
    out = Outbox()
    with transaction(service) as conn:
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
        record_steps(conn, req, chart, steps, out, now, service.clock)
        save_state(conn, req, saved, now, out)
        out.write(conn, now)
    out.send(service)


def _validated(service: Host, chart: OrgChart, defn: ProcessDefinition, applicant: str,
               raw: Mapping[str, Any]) -> dict[str, Any]:
    today = today_in(service.clock, chart.organization.time_zone)  # the organization's day, never the server's
    base = request_variables(chart, defn, applicant, {}, today)
    return forms.validate(defn.fields, raw, today=today.isoformat(), variables=base, calendar=for_chart(chart))


def _start(service: Host, chart: OrgChart, defn: ProcessDefinition, applicant: str,
           values: dict[str, Any]) -> tuple[Saved, list[Step]]:
    """Start the real run and save it, then refuse (vacant post, rule refusal) by walking
    the same run on to the end as a dry run: the route is walked once, and nothing copied."""
    variables = request_variables(chart, defn, applicant, values, today_in(service.clock, chart.organization.time_zone))
    run = Run.start(defn, variables)
    steps = run.advance(RouteContext(chart, applicant))
    saved = run.save()  # what the request keeps; the run below is only the dry run
    finish_dry_run(run, list(steps), RouteContext(chart, applicant))
    return saved, steps


def _store_version(service: Host, conn: Connection, defn: ProcessDefinition, now: datetime) -> None:
    """Requests point at the BPMN text they started on; the first request of a version stores it.
    Simultaneous first submits all insert it: the losers' inserts do nothing (no lock, no raw
    IntegrityError), and on PostgreSQL they wait for the winner's commit, so the row exists."""
    if defn.sha256 in service.stored_versions:
        return
    conn.execute(insert_if_absent(conn, ProcessVersion),
                 {"sha256": defn.sha256, "source_name": defn.source, "xml": defn.xml, "created_at": now})


def load_request(service: Host, request_id: int) -> RequestRow:
    with service.db.reading(snapshot=False) as s:
        return rows.request(s.connection(), request_id, lock=False)


def _store_uploads(conn: Connection, request_id: int, uploads: Mapping[str, Upload] | None, now: datetime) -> None:
    if uploads:
        conn.execute(insert(Attachment), [
            {"request_id": request_id, "field": name, "filename": upload.filename,
             "content_type": upload.content_type, "data": upload.data, "created_at": now,
             "sha256": hashlib.sha256(upload.data).hexdigest()} for name, upload in uploads.items()])
