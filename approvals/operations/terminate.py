"""终止 (terminate): an administrator of the request's organization ends it, with a reason
(the applicant has left, the matter no longer exists). Every open decision and report closes
as cancelled; filings and copies stay for their receivers to acknowledge, as on a rejection.
Questions (沟通) not answered yet close with it: nobody is asked to answer about a request
that has ended (``ask.LIVE``). The applicant, every open holder and everyone with an open
question are told who ended it and why (notification ``terminated``).
The applicant may not terminate their own request this way (they withdraw it instead)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from approvals.audit.chain import Entry
from approvals.errors import InvalidStateError, NotPermittedError
from approvals.operations.ask import open_questions
from approvals.operations.base import on_request, require_reason
from approvals.operations.recording import save_state
from approvals.people.offices import Offices, require_admin
from approvals.process.engine import Run
from approvals.store import rows

if TYPE_CHECKING:
    from approvals.operations.action import Host

TERMINABLE = ("pending", "approved", "returned")


def terminate(service: Host, request_id: int, actor: str, reason: str, offices: Offices) -> None:
    reason = require_reason("reason", reason)
    with on_request(service, request_id) as action:
        req = action.request
        require_admin(offices, actor, req.org_id, action.chart, f"terminate request #{req.id}")
        if actor == req.applicant:
            raise NotPermittedError(f"{actor} applied for request #{req.id}: withdraw it instead")
        if req.status not in TERMINABLE:
            raise InvalidStateError(f"request #{req.id} is {req.status}; only a request in progress is terminated")
        run = Run.load(service.definition_of(req), req.state)
        run.cancel()
        holders = [t.assignee for t in rows.round_tasks(action.conn, req.id, req.round)
                   if t.is_open and t.kind not in ("file", "copy")]
        questions = open_questions(action.conn, req.id)
        rows.cancel_open_decisions(action.conn, req.id, action.now)
        req.status, req.outcome_comment = "terminated", reason
        action.out.record(Entry(actor, "terminated", req.id, comment=reason, orgchart_version=action.chart.version,
                                detail={"closed_questions": [q for q, _person in questions]}))
        told = list(dict.fromkeys([*holders, *(person for _q, person in questions)]))
        action.out.signal("terminated", request_id=req.id, actor=actor, reason=reason, told=told)
        action.out.signal("completed", request_id=req.id, status="terminated")
        save_state(action.conn, req, run.save(), action.now, action.out)
