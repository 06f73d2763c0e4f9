"""The measured work: the policy-A section-staff leave (submit + 3 approvals, filing on the
last), bare in SpiffWorkflow and through the engine, plus history generated in bulk."""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, insert, select, text, update

from approvals.app import Approvals, build
from approvals.audit.chain import GENESIS, Entry, _digest
from approvals.clock import SystemClock
from approvals.process.definitions import ProcessDefinition
from approvals.process.engine import _SCRIPT_ENGINE, _SERIALIZER
from approvals.process.routes import request_variables
from approvals.store.models import AuditEntry, AuditHead, ProcessVersion, Request, Task

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "orgcharts" / "xx-natural-resources.yaml"
FIELDS = {"destination": "北京市海淀区", "depart_on": "2027-01-05", "return_on": "2027-01-08", "reason": "探亲"}
DECISIONS = ("approve", "consent", "record")


def engine_app(url: str) -> Approvals:
    app = build(url, ROOT / "processes", SystemClock())
    app.init_db()
    if not app.orgcharts.org_ids():
        app.admin.save(CHART.read_text(encoding="utf-8"), "bench", CHART.name)
    return app


def applicant(app: Approvals) -> str:
    chart = app.orgcharts.current("xx-nrpb")
    organ_leader = chart.posts["organ_leader"]
    return next(p for p in chart.people if chart.category(p, uses_county_cadre=True) == "staff"
                and chart.unit_of(p).kind == "section" and chart.unit_of(p).supervisor != organ_leader)


def engine_flow(app: Approvals, who: str) -> int:
    """Submit and approve three times through the full engine API; returns the request id."""
    request_id = app.service.submit(who, "leave", FIELDS)
    for _ in range(3):
        task = next(t for t in app.queries.steps(request_id) if t.is_open and t.kind in DECISIONS)
        app.service.decide(task.id, task.assignee, "approve", "")
    return request_id


def engine_steps(app: Approvals, who: str) -> list[float]:
    """``engine_flow`` timed per action (ms): submit, then each decision; finding the open task
    (a read the approver's inbox already did) is outside the timed region."""
    clock = time.perf_counter
    start = clock()
    request_id = app.service.submit(who, "leave", FIELDS)
    times = [clock() - start]
    for _ in range(3):
        task = next(t for t in app.queries.steps(request_id) if t.is_open and t.kind in DECISIONS)
        start = clock()
        app.service.decide(task.id, task.assignee, "approve", "")
        times.append(clock() - start)
    return [t * 1000 for t in times]


def bare_flow(definition: ProcessDefinition, variables: dict[str, Any], script_engine: Any = _SCRIPT_ENGINE,
              ) -> list[float]:
    """The same route in bare SpiffWorkflow: spec cached, blob holding only instance state.
    Returns ms per step: start, then each completed user task (the filing runs on the last)."""
    clock = time.perf_counter
    start = clock()
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=script_engine)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(variables)
    workflow.do_engine_steps()
    blob = json.dumps(_SERIALIZER.to_dict(workflow))
    times = [clock() - start]
    for _ in range(3):
        start = clock()
        dct = json.loads(blob)
        dct["spec"], dct["subprocess_specs"] = definition.spec, definition.subprocess_specs
        workflow = _SERIALIZER.from_dict(dct)
        workflow.script_engine = script_engine
        workflow.get_tasks(state=TaskState.READY, manual=True)[0].run()
        workflow.do_engine_steps()
        blob = json.dumps(_SERIALIZER.to_dict(workflow))
        times.append(clock() - start)
    return [t * 1000 for t in times]


def bare_inputs(app: Approvals, who: str) -> tuple[ProcessDefinition, dict[str, Any]]:
    chart = app.orgcharts.current("xx-nrpb")
    definition = app.definitions.get(chart.organization.processes["leave"])
    return definition, request_variables(chart, definition, who, FIELDS, SystemClock().now().date())


QUIET_YARDSTICK_MS = 0.43  # bare_spiff_step_ms on a quiet morning here (docs/performance.md)


def yardstick_ms(app: Approvals, rounds: int = 30) -> float:
    """This moment's ``bare_spiff_step_ms``: the same Python work every run, so a time taken
    beside it can be stated as on a quiet host (time x QUIET_YARDSTICK_MS / yardstick)."""
    definition, variables = bare_inputs(app, applicant(app))
    for _ in range(3):
        bare_flow(definition, variables)
    return statistics.median(sum(bare_flow(definition, variables)) / 4 for _ in range(rounds))


def generate_history(app: Approvals, requests: int, open_tasks: int, hot: str, hot_share: float,
                     batch: int = 20000) -> None:
    """Stored requests (closed, 3 tasks and 4 chained audit entries each) and open tasks, skewed:
    ``hot`` holds ``hot_share`` of the open tasks, the rest spread over everyone else on the chart.
    Applicants and assignees are the chart's people, so pages render their names as they would."""
    chart = app.orgcharts.current("xx-nrpb")
    people = sorted(chart.people)
    others = [p for p in people if p != hot]
    definition = app.definitions.get(chart.organization.processes["leave"])
    now = datetime(2026, 1, 1)
    with app.db.transaction() as s:
        if s.get(ProcessVersion, definition.sha256) is None:
            s.add(ProcessVersion(sha256=definition.sha256, source_name=definition.source, xml=definition.xml,
                                 created_at=now))
    total = requests + open_tasks
    seq, prev = 0, GENESIS
    with app.db.engine.begin() as conn:  # the filler extends the system chain (issue 24: one per organization)
        head = conn.execute(AuditHead.__table__.select().where(AuditHead.chain == "")).first()
        last, prev = (head.seq, head.hash) if head else (0, GENESIS)
        seq = conn.execute(select(func.coalesce(func.max(AuditEntry.seq), 0))).scalar_one()
    for start in range(0, total, batch):
        rows, tasks, audits = [], [], []
        for i in range(start, min(total, start + batch)):
            at = now + timedelta(seconds=i)
            is_open = i >= requests
            rows.append({"id": 10_000_000 + i, "org_id": chart.id, "request_type": "leave",
                         "process_id": definition.process_id, "process_sha": definition.sha256,
                         "applicant": people[i % len(people)], "status": "pending" if is_open else "completed",
                         "fields_json": "{}", "state": "{}", "round": 1, "revision": 1,
                         "orgchart_version": chart.version, "outcome_comment": "", "created_at": at,
                         "updated_at": at})
            owner = hot if is_open and (i % 1000) < hot_share * 1000 else others[i % len(others)]
            for _ in range(1 if is_open else 3):
                tasks.append({"request_id": 10_000_000 + i, "round": 1, "spiff_id": None, "bpmn_id": "x",
                              "name": "审批", "kind": "approve", "role": "unit_head", "principal": owner,
                              "assignee": owner, "unit_id": None, "receiver": None,
                              "orgchart_version": chart.version, "is_open": is_open,
                              "status": "open" if is_open else "approved",
                              "decided_by": None if is_open else owner, "comment": "", "urge_count": 0,
                              "created_at": at, "revision": 1})
            for action in (("submitted",) if is_open else ("submitted", "decided", "decided", "decided")):
                seq += 1
                entry = Entry(people[i % len(people)], action, 10_000_000 + i)
                digest = _digest(seq, at, entry, "{}", prev)
                audits.append({"seq": seq, "at": at, "actor": entry.actor, "action": action,
                               "request_id": entry.request_id, "comment": "", "detail": "{}",
                               "prev_hash": prev, "hash": digest, "chain": "", "prev_seq": last})
                prev, last = digest, seq
        with app.db.engine.begin() as conn:
            conn.execute(insert(Request), rows)
            conn.execute(insert(Task), tasks)
            conn.execute(insert(AuditEntry), audits)
            if head is None:
                conn.execute(insert(AuditHead).values(chain="", seq=seq, hash=prev, algorithm="sha256"))
                head = True
            else:
                conn.execute(update(AuditHead).where(AuditHead.chain == "").values(seq=seq, hash=prev))
            if app.db.dialect == "postgresql":  # the next append's seq comes after the filler's
                conn.execute(text("SELECT setval('audit_seq', :seq)"), {"seq": seq})
    if app.db.dialect == "postgresql":  # what autovacuum does after a bulk load in production
        with app.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def fingerprint() -> str:
    return hashlib.sha256(CHART.read_bytes()).hexdigest()[:12]
