"""转办 (transfer): the holder hands an open decision to another person, with a reason.

The holder's row closes as ``transferred`` (its comment is the reason) and a new row for
the same step opens for the new holder (``origin`` transfer, ``origin_by`` the holder), on
the same workflow step: when the new holder decides, the route goes on as if the post
holder had. The new holder decides in their own name (no "on behalf of"); rule 2 counts them
as the step's decider. The trail shows "A 转办给 B" from the two rows and the audit entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from approvals.audit.chain import Entry
from approvals.errors import InvalidStateError
from approvals.operations.base import ADDED, announce, new_row, on_task, pending_added, require_holder, require_reason
from approvals.operations.base import check_person as check_target
from approvals.people.offices import Offices
from approvals.store import rows

if TYPE_CHECKING:
    from approvals.operations.action import Host


def transfer(service: Host, task_id: int, actor: str, to: str, reason: str,
             offices: Offices) -> int:
    """Hand task ``task_id`` from its holder ``actor`` to ``to``; returns the new task's id."""
    reason = require_reason("reason", reason)
    with on_task(service, task_id) as action:
        task = require_holder(action, actor, "transferred")
        if task.origin in ADDED:
            raise InvalidStateError(f"task #{task.id} is an opinion added by {task.origin_by} (加签); "
                                    "it is answered by the person asked, not transferred")
        if task.status == "held" or pending_added(action, task):
            raise InvalidStateError(f"task #{task.id} ({task.name}) waits on an added approver (加签); "
                                    "remove them (减签) before transferring it")
        to = check_target(action, "to", to, actor, offices)
        rows.update_task(action.conn, task, is_open=False, status="transferred", comment=reason,
                         decided_at=action.now)
        moved = rows.insert_task(action.conn, new_row(task, action.now, to, "transfer", actor,
                                                      spiff_id=task.spiff_id))
        req, out = action.request, action.out
        out.record(Entry(actor, "transferred", req.id, task.id, comment=reason,
                         orgchart_version=action.chart.version,
                         detail={"step": task.name, "role": task.role, "from": task.assignee, "to": to,
                                 "new_task_id": moved.id}))
        out.signal("transferred", request_id=req.id, task_id=task.id, new_task_id=moved.id, actor=actor,
                   old_assignee=task.assignee, new_assignee=to, reason=reason)
        announce(action, moved)
    return moved.id
