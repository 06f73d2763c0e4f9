"""A chart change that makes the applicant the holder of her own open decision.

At submission the route skips a step the applicant would hold (rule 1, ``SKIPPED_SELF`` in
``engine.py``) and goes on. When an edit of the chart later makes the applicant the holder of
a step still waiting (she became head of her unit, say), the same happens then: the step is
closed as skipped, never handed to her, and the route goes on from it exactly as it would
have at submission (rule 2 and the next steps included), in the chart save's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from approvals.audit.chain import Entry
from approvals.notifications.outbox import Outbox
from approvals.operations.recording import record_steps, save_state
from approvals.people.orgchart.model import OrgChart
from approvals.process.definitions import ProcessDefinition
from approvals.process.engine import RouteContext, Run
from approvals.store import rows
from approvals.store.models import Task
from approvals.store.rows import RequestRow

DefinitionOf = Callable[[RequestRow], ProcessDefinition]
REASON = "orgchart: the new holder is the applicant (rule 1: no self-approval)"


def skip_for_applicant(s: Session, task_id: int, chart: OrgChart, actor: str | None, now: datetime,
                       definition_of: DefinitionOf, out: Outbox) -> None:
    """Close task ``task_id`` as skipped and advance its request's route under ``chart``."""
    task = s.get(Task, task_id)
    assert task is not None and task.spiff_id is not None
    conn = s.connection()
    req = rows.request(conn, task.request_id, lock=True)
    old_assignee = task.assignee
    # As a skipped step is recorded at submission: held by the applicant, closed, decided by nobody.
    task.principal = task.assignee = req.applicant
    task.is_open, task.status, task.orgchart_version = False, "skipped", chart.version
    out.record(Entry(actor or "system", "skipped", req.id, task.id, orgchart_version=chart.version,
                     detail={"step": task.name, "role": task.role, "from": old_assignee, "to": req.applicant,
                             "reason": REASON}))
    run = Run.load(definition_of(req), req.state)
    # The skip decides nothing: whoever decided last stays the last decider (rule 2).
    steps = run.complete(task.spiff_id, RouteContext(chart, req.applicant), principal=run.last_decider)
    record_steps(conn, req, chart, steps, out, now)
    save_state(conn, req, run.save(), now, out)
