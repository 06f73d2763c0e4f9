"""Naming an acting approver (代理审批): the delegation row, its audit entry, and the decisions
already waiting for the principal moved to the delegate when it is in force today."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from approvals.audit.chain import Entry
from approvals.clock import today_in
from approvals.errors import FieldError, Issue
from approvals.notifications import urges
from approvals.notifications.outbox import Outbox
from approvals.operations import delegations, signatures
from approvals.operations.action import (
    Host,
    transaction,
)
from approvals.operations.handover import read_mark
from approvals.people import eligibility
from approvals.people.offices import NOBODY, Offices, require_admin
from approvals.people.orgchart.model import OrgChart
from approvals.store import rows


def delegate(service: Host, principal: str, delegate: str, starts_on: date, ends_on: date, *,
             actor: str | None = None, offices: Offices | None = None) -> int:
    """``actor``: who named the delegate when it is not the principal, who must administer the
    principal's organization under ``offices`` (none given: nobody does). ``offices`` also says
    who inspects. A delegate who could not act is refused (``eligibility.check_delegate``)."""
    chart = service.orgcharts.for_person(principal)
    if actor not in (None, principal):
        require_admin(offices or NOBODY, actor, chart.id, chart, f"name an acting approver for {principal}")
    offices = offices or Offices()
    now = service.clock.now()
    in_force = starts_on <= today_in(service.clock, chart.organization.time_zone) <= ends_on
    out = Outbox()
    with transaction(service) as conn:
        moving = delegations.waiting(conn, principal) if in_force else []
        eligibility.check_delegate(chart, principal, delegate, moving, offices)
        if (refusal := signatures.disabled_refusal(conn, chart, delegate)) is not None:
            raise FieldError([Issue("delegate", delegate, refusal)])
        delegation_id = delegations.add(conn, principal, delegate, starts_on, ends_on, now)
        # One signature per person in a group round: a part the delegate has one of stays.
        kept = signatures.parts_kept(conn, rows.waiting_decisions(conn, principal), delegate,
                                     service.definition_of) if in_force else []
        out.record(Entry(actor or principal, "delegated", orgchart_version=chart.version,
                         detail={"principal": principal, "delegate": delegate,
                                 "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
                                 **({"kept_with_principal": kept} if kept else {})}))
        if in_force:
            _hand_over_waiting(conn, principal, delegate, actor or principal, chart, out, kept)
        out.write(conn, now)
    out.send(service)
    return delegation_id


def _hand_over_waiting(conn: Connection, principal: str, delegate: str, actor: str, chart: OrgChart,
                       out: Outbox, kept: list[int]) -> None:
    """A delegation in force also moves the decisions already waiting for the principal:
    someone away (or barred from deciding, like an inspector) must not leave them stuck.
    ``check_delegate`` has already refused a delegate who may not hold any of them; the
    ``kept`` ones are parts of group rounds the delegate has a part of (``signatures``)."""
    for task in rows.waiting_decisions(conn, principal):
        if task.id in kept:
            continue
        read_at = task.opened_at  # the principal's 已阅 stays in the trail; the delegate's task is unread
        rows.update_task(conn, task, assignee=delegate, opened_at=None, **urges.FORGOTTEN)
        out.record(Entry(actor, "reassigned", task.request_id, task.id, orgchart_version=chart.version,
                         detail={"step": task.name, "role": task.role, "from": principal,
                                 "to": delegate, "reason": "delegation", "cause": "delegation",
                                 **read_mark(read_at)}))
        out.signal("reassigned", request_id=task.request_id, task_id=task.id, old_assignee=principal,
                   new_assignee=delegate, reason="delegation", actor=actor, comment="")
