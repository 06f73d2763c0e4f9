"""The rows the UI shows, checked against the audit trail that should have produced them.

The hash chain proves the trail was not changed; it says nothing about the ``requests`` and
``tasks`` rows pages read. Someone who writes to the database could mark a task approved by
a leader who never saw it, or flip a rejected request to approved, and every page would
believe it. This pass binds the rows to the trail: every closed step has the entry that
closed it (same person, same decision, same "on behalf of"), every decision in the trail is
what its step's row says, and a request's status is where its trail leads.

A separate pass from the chain walk (``approvals audit verify`` runs both; ``--skip-rows``
skips this one) so its cost shows on its own. It reads requests in id batches, with their
tasks and entries through the request indexes: linear in the size of the database. Statuses
and actions it does not know (added by later features) are left alone, not reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from approvals.store.models import AuditEntry, Request, Task

DECIDED = {"approved": "approve", "rejected": "reject", "returned": "return"}
CLOSING = {"acknowledged": "acknowledged", "reported": "reported"}
# What each request-level entry leaves the request's status as; None: still running.
ENDS = {"submitted": None, "resubmitted": None, "withdrawn": "withdrawn", "reject": "rejected", "return": "returned"}
RUNNING = ("pending", "approved", "completed")
KNOWN_STATUSES = (*RUNNING, "withdrawn", "rejected", "returned")


@dataclass(frozen=True)
class Contradiction:
    request_id: int
    task_id: int | None
    message: str

    def __str__(self) -> str:
        task = f" task #{self.task_id}" if self.task_id is not None else ""
        return f"request #{self.request_id}{task}: {self.message}"


_IDS = select(Request.id).order_by(Request.id)
_REQUESTS = select(Request.id, Request.applicant, Request.status)
_TASKS = select(Task.id, Task.request_id, Task.status, Task.decided_by, Task.on_behalf_of)
_ENTRIES = select(AuditEntry.seq, AuditEntry.request_id, AuditEntry.task_id, AuditEntry.action, AuditEntry.actor,
                  AuditEntry.decision, AuditEntry.on_behalf_of)


def check(session: Session, batch: int = 2000) -> list[Contradiction]:
    """Every row that contradicts the trail, in request order."""
    conn = session.connection()
    found: list[Contradiction] = []
    last = 0
    while True:
        ids = conn.execute(_IDS.where(Request.id > last).limit(batch)).scalars().all()
        if not ids:
            return found
        lo, hi = ids[0], ids[-1]
        last = hi
        requests = conn.execute(_REQUESTS.where(Request.id.between(lo, hi))).all()
        tasks = conn.execute(_TASKS.where(Task.request_id.between(lo, hi))).all()
        entries = conn.execute(_ENTRIES.where(AuditEntry.request_id.between(lo, hi)).order_by(AuditEntry.seq)).all()
        found.extend(_batch(requests, tasks, entries))


def _batch(requests: Sequence[Any], tasks: Sequence[Any], entries: Sequence[Any]) -> Iterator[Contradiction]:
    by_task: dict[int, list[Any]] = defaultdict(list)
    by_request: dict[int, list[Any]] = defaultdict(list)
    for e in entries:
        if e.task_id is not None:
            by_task[e.task_id].append(e)
        else:
            by_request[e.request_id].append(e)
    for e in entries:  # decisions are request-level events too
        if e.action == "decided" and e.decision in ("reject", "return"):
            by_request[e.request_id].append(e)
    for t in tasks:
        yield from _task(t, by_task.get(t.id, []))
    for r in requests:
        yield from _request(r, sorted(by_request.get(r.id, []), key=lambda e: e.seq))


def _task(t: Any, trail: list[Any]) -> Iterator[Contradiction]:
    if not trail:  # any entry will do: later features create steps under actions of their own
        yield Contradiction(t.request_id, t.id, "the step has no entry in the audit trail "
                            "(the row was written outside the engine)")
    decided = [e for e in trail if e.action == "decided"]
    if t.status in DECIDED:
        yield from _decision(t, decided)
    elif decided:
        e = decided[-1]
        yield Contradiction(t.request_id, t.id, f"the trail (#{e.seq}) says {e.actor} decided '{e.decision}', "
                            f"but the step's row is '{t.status}'")
    if t.status in CLOSING:
        closing = [e for e in trail if e.action == CLOSING[t.status]]
        if not any(e.actor == t.decided_by for e in closing):
            yield Contradiction(t.request_id, t.id, f"the row says {t.status} by {t.decided_by}, but the trail has "
                                f"no '{CLOSING[t.status]}' entry by {t.decided_by}")


def _decision(t: Any, decided: list[Any]) -> Iterator[Contradiction]:
    want = DECIDED[t.status]
    if not decided:
        yield Contradiction(t.request_id, t.id, f"the row says {t.status} by {t.decided_by}, but the trail has no "
                            "decision on this step")
        return
    e = decided[-1]
    if (e.decision, e.actor, e.on_behalf_of) != (want, t.decided_by, t.on_behalf_of):
        behalf = f" on behalf of {e.on_behalf_of}" if e.on_behalf_of else ""
        row_behalf = f" on behalf of {t.on_behalf_of}" if t.on_behalf_of else ""
        yield Contradiction(t.request_id, t.id, f"the row says '{want}' by {t.decided_by}{row_behalf}, the trail "
                            f"(#{e.seq}) says '{e.decision}' by {e.actor}{behalf}")


def _request(r: Any, trail: list[Any]) -> Iterator[Contradiction]:
    submitted = [e for e in trail if e.action == "submitted"]
    if not submitted:
        yield Contradiction(r.id, None, "the request has no 'submitted' entry in the audit trail")
        return
    if submitted[0].actor != r.applicant:
        yield Contradiction(r.id, None, f"the row names {r.applicant} as applicant, the trail (#{submitted[0].seq}) "
                            f"says {submitted[0].actor} submitted it")
    if r.status not in KNOWN_STATUSES:
        return
    last = None
    for e in trail:
        key = e.decision if e.action == "decided" else e.action
        if key in ENDS:
            last = (e, ENDS[key])
    if last is None:
        return
    e, expected = last
    if (expected is None and r.status not in RUNNING) or (expected is not None and r.status != expected):
        leads = expected or "still running (pending, approved or completed)"
        yield Contradiction(r.id, None, f"the row says '{r.status}', but the trail leads to {leads} "
                            f"(last: #{e.seq} {e.action} by {e.actor})")
