"""What a chart save does to a task it does not simply move to a post's new holder.

Where a task's holder came from decides what a save may do with it (docs/reliability.md,
"Chart saves and open tasks"):

- **the post**: a route step (``origin`` none), with its acting delegate (代理) if any. It
  follows the post: a new holder gets it (``orgadmin``), an applicant who becomes the holder
  has it skipped (``skip_for_applicant``).
- **a person an operation named**: 转办 (``transfer``) and 加签 (``before``/``after``), and
  a 拿回/退回 row reopening a step so held. It stays with that person, whatever the post does,
  unless they can no longer hold it (``eligibility.holder_refusal``: left the chart, or now a
  discipline inspector on another step). Then a transferred step goes back to the post's
  holder (``holder_from`` = "post" from then on: it follows the post) and an added opinion
  (加签) is taken off as 减签 would (``take_off_added``), the step's holder deciding alone.

Rule 1 at a save: at submission the route skips a step the applicant would hold
(``SKIPPED_SELF`` in ``engine.py``) and goes on. When an edit of the chart later makes the
applicant the holder of a step still waiting (she became head of her unit, say), the same
happens then: the step is closed as skipped, never handed to her, and the route goes on from
it exactly as it would have at submission (rule 2 and the next steps included), in the chart
save's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from approvals.audit.chain import Entry
from approvals.clock import Clock
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

NAMED = ("transfer", "before", "after")  # origins where an operation named the holder
ADDED = ("before", "after")  # 加签 rows (as operations/base.py)
REOPENED = ("take_back", "send_back")  # a decided step's row reopened: held as that row was
AFTER_PENDING = "open_after"  # the holder's row while someone added after them waits (countersign_add.py)


def read_mark(opened_at: datetime | None) -> dict[str, str]:
    """What a ``reassigned`` entry keeps of the old holder's 已阅: the task moves unread, and
    the trail still says the one before had read it, and when."""
    return {"read_at": opened_at.isoformat()} if opened_at is not None else {}


def held_by_person(s: Session, task: Task) -> bool:
    """Whether an operation named ``task``'s holder (转办, 加签, or 拿回/退回 of a step so
    held), rather than the route resolving a post."""
    row: Task | None = task
    for _hop in range(64):  # a chain of 拿回/退回 rows, each pointing at the row it reopened
        if row is None:
            return False
        if row.holder_from is not None:
            return row.holder_from == "person"
        if row.origin in NAMED:
            return True
        if row.origin not in REOPENED or row.origin_task_id is None:
            return False
        row = s.get(Task, row.origin_task_id)
    return False


def take_off_added(s: Session, task_id: int, why: str, chart: OrgChart, actor: str | None, now: datetime,
                   clock: Clock, definition_of: DefinitionOf, out: Outbox) -> None:
    """An added approver (加签) who can no longer hold their row is taken off as 减签 does it:
    their row closes as ``removed``; the holder's row opens again, or, when the holder has
    already approved and the added person's turn had come (后加签), that approval completes
    the step."""
    added = s.get(Task, task_id)
    assert added is not None and added.origin_task_id is not None
    gated = s.get(Task, added.origin_task_id)
    assert gated is not None
    added.is_open, added.status, added.decided_at = False, "removed", now
    if gated.status in ("held", AFTER_PENDING):
        gated.status = "open"
    elif gated.status == "approved" and gated.spiff_id:
        _advance(s, gated.request_id, gated.spiff_id, gated.principal, chart, now, clock, definition_of, out)
    out.record(Entry(actor or "system", "approver_removed", added.request_id, gated.id,
                     orgchart_version=chart.version,
                     detail={"step": added.name, "person": added.assignee, "mode": added.origin,
                             "added_task_id": added.id, "reason": why}))
    out.signal("approver_removed", request_id=added.request_id, task_id=gated.id, added_task_id=added.id,
               actor=actor or "system", person=added.assignee)


def skip_for_applicant(s: Session, task_id: int, chart: OrgChart, actor: str | None, now: datetime,
                       definition_of: DefinitionOf, out: Outbox, clock: Clock, reason: str = REASON) -> None:
    """Close task ``task_id`` as skipped and advance its request's route under ``chart``;
    the next steps arrive at ``now`` on ``clock`` (the organization's day)."""
    task = s.get(Task, task_id)
    assert task is not None and task.spiff_id is not None
    req = rows.request(s.connection(), task.request_id, lock=True)
    old_assignee = task.assignee
    # As a skipped step is recorded at submission: held by the applicant, closed, decided by nobody.
    task.principal = task.assignee = req.applicant
    task.is_open, task.status, task.orgchart_version = False, "skipped", chart.version
    out.record(Entry(actor or "system", "skipped", req.id, task.id, orgchart_version=chart.version,
                     detail={"step": task.name, "role": task.role, "from": old_assignee, "to": req.applicant,
                             "reason": reason}))
    # The skip decides nothing: whoever decided last stays the last decider (rule 2).
    _advance(s, req.id, task.spiff_id, None, chart, now, clock, definition_of, out)


def _advance(s: Session, request_id: int, spiff_id: str, principal: str | None, chart: OrgChart, now: datetime,
             clock: Clock, definition_of: DefinitionOf, out: Outbox) -> None:
    """Complete workflow step ``spiff_id`` (decided by ``principal``; None: by nobody, the last
    decider staying the last) and record what follows, arriving at ``now`` on ``clock``."""
    conn = s.connection()
    s.flush()  # the rows changed above, before the route reads and writes through Core
    req = rows.request(conn, request_id, lock=True)
    run = Run.load(definition_of(req), req.state)
    decider = principal if principal is not None else run.last_decider
    steps = run.complete(spiff_id, RouteContext(chart, req.applicant), principal=decider)
    record_steps(conn, req, chart, steps, out, now, clock)
    save_state(conn, req, run.save(), now, out)
