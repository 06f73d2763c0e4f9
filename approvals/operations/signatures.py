"""Who a decision may be handed to beyond ``eligibility``: someone who can sign in, and, in a
group round (会签/或签), someone who has no part of it yet.

- **A disabled account** (``credentials``: the person may not sign in) is never made the
  holder of a task: 转办, 加签 and naming an acting approver refuse them by name, and a
  delegation whose delegate was disabled later is passed over when a task is created
  (``delegations.delegate_or``), so no task waits on someone who cannot sign in.
- **One person, one signature in a round.** A group step's run (``groups.GroupRound``) wants
  each member's own signature. 转办 and 加签 (before or after) refuse a person who is a member
  of the run (one still to come in an in-order group included), holds a part of it, or has
  signed in it: else one person could sign two parts and complete a 会签 alone. An acting
  approver who is in the run is passed over for a member's part, which stays with the member
  (``delegate_for``), when the task is created and when the delegation is named.

A 退回 before the group starts a new run: the signatures of the old one no longer count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Connection, bindparam, select

from approvals.operations import delegations
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import is_group_role
from approvals.process.definitions import ProcessDefinition
from approvals.process.engine import Run
from approvals.process.groups import GroupRound
from approvals.store import rows
from approvals.store.models import Credential
from approvals.store.rows import RequestRow, TaskRow

MEMBER, HOLDS, SIGNED = "member", "holds", "signed"
_SAYS = {
    MEMBER: "is a member of this group round and signs their own part",
    HOLDS: "already holds a task of this group round",
    SIGNED: "has already signed in this group round",
}
SIGNATURES = ("approved", "satisfied")  # a row whose decider gave a signature of the round

_DISABLED = select(Credential.disabled).where(Credential.person_id == bindparam("person"))


def is_disabled(conn: Connection, person: str) -> bool:
    """Whether ``person``'s account is disabled (no credential at all: not disabled; the
    person may sign in another way, or get a password later)."""
    return bool(conn.execute(_DISABLED, {"person": person}).scalar())


def disabled_refusal(conn: Connection, chart: OrgChart, person: str) -> str | None:
    """Why ``person`` may not be handed a task because of their account (None: they may)."""
    if not is_disabled(conn, person):
        return None
    return (f"{chart.display_name(person)} ({person}) has a disabled account and cannot sign in to act on it; "
            "choose someone else")


def people(conn: Connection, request_id: int, round_: int, group: GroupRound) -> dict[str, str]:
    """Everyone with a part of the group run: person -> MEMBER, HOLDS or SIGNED (the strongest)."""
    found = dict.fromkeys(group.members, MEMBER)
    tasks = rows.round_tasks(conn, request_id, round_)
    by_id = {t.id: t for t in tasks}
    for task in tasks:
        if _instance(task, by_id) not in group.instances:
            continue
        if task.is_open or task.status == "queued":
            found[task.assignee] = HOLDS if found.get(task.assignee) != SIGNED else SIGNED
        if task.decided_by and task.status in SIGNATURES:
            found[task.decided_by] = SIGNED
    return found


def _instance(task: TaskRow, by_id: dict[int, TaskRow]) -> str | None:
    """The workflow instance a row is part of: its own, or for a 加签 row the holder's."""
    while task.spiff_id is None and task.origin_task_id in by_id:
        task = by_id[task.origin_task_id]
    return task.spiff_id


def part_of(conn: Connection, run: Run, task: TaskRow, person: str) -> str | None:
    """``person``'s part (MEMBER, HOLDS, SIGNED) of ``task``'s group round; None when they
    have none or ``task`` is a single step."""
    group = run.group_round(task.spiff_id) if task.spiff_id else None
    if group is None:
        return None
    return people(conn, task.request_id, task.round, group).get(person)


def group_refusal(conn: Connection, run: Run, chart: OrgChart, task: TaskRow, person: str) -> str | None:
    """Why ``person`` may not be handed a part of ``task``'s group round (None: they may, or
    ``task`` is a single step)."""
    part = part_of(conn, run, task, person)
    if part is None:
        return None
    return (f"{chart.display_name(person)} ({person}) {_SAYS[part]} ({task.name}): "
            "in a group round (会签/或签) each person signs once; choose someone outside the group")


def parts_kept(conn: Connection, tasks: list[TaskRow], delegate: str,
               definition_of: Callable[[RequestRow], ProcessDefinition]) -> list[int]:
    """Of the decisions a delegation named now would move to ``delegate``, the ids of the
    parts of group rounds ``delegate`` has a part of already: those stay with the principal."""
    kept = []
    for task in tasks:
        if not is_group_role(task.role) or task.spiff_id is None:
            continue
        req = rows.request(conn, task.request_id, lock=False)
        if part_of(conn, Run.load(definition_of(req), req.state), task, delegate) is not None:
            kept.append(task.id)
    return kept


def delegate_for(conn: Connection, principal: str, day: date, applicant: str, taken: set[str]) -> str:
    """Who a new part of a group round goes to: ``principal``'s acting approver, unless they
    have a part of the round already (``taken``) or cannot sign in; else ``principal``."""
    delegate = delegations.active_delegate(conn, principal, day, applicant)
    if delegate is None or delegate in taken:
        return principal
    return delegate

