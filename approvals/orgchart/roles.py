"""Resolve a role named in a BPMN process to the person who must act, for one applicant.

Role vocabulary (orgchart-format.md, plus two documented extensions in docs/processes.md):

    unit_head        head of the applicant's unit
    supervisor       分管局领导 (supervising leader) of the applicant's unit
    chief, organ_leader, <any post>   holder of ``posts.<name>``
    duty:<name>      head of the unit holding that duty; its members may act too
    applicant        the applicant (report steps)
    last_approver    whoever decided the most recent approve/consent/record step
"""

from __future__ import annotations

from dataclasses import dataclass

from approvals.errors import VacantPostError
from approvals.orgchart.model import OrgChart

BUILTIN_ROLES = ("unit_head", "supervisor", "applicant", "last_approver")


@dataclass(frozen=True)
class Resolution:
    role: str
    assignee: str
    # For duty roles: the unit whose members may also act (备案/抄送 lists are per unit).
    unit: str | None = None


def is_known_role(chart: OrgChart, role: str) -> bool:
    """Whether ``role`` is part of the vocabulary for this chart (used by ``approvals check``)."""
    if role in BUILTIN_ROLES or role.startswith("duty:"):
        return True
    return role in chart.posts or role in ("chief", "organ_leader")


def describe_post(chart: OrgChart, role: str, applicant: str) -> str:
    """A human description of the post behind a role, used in vacancy messages."""
    if role == "unit_head":
        unit = chart.unit_of(applicant)
        return f"the head of {unit.name} (units[{unit.id}].head)"
    if role == "supervisor":
        unit = chart.unit_of(applicant)
        return f"the supervising leader of {unit.name} (units[{unit.id}].supervisor)"
    if role.startswith("duty:"):
        duty = role.removeprefix("duty:")
        unit_id = chart.duties.get(duty)
        if unit_id is None:
            return f"duty {duty!r} (duties.{duty} is not assigned to any unit)"
        return f"the head of {chart.units[unit_id].name}, holder of duty {duty!r} (units[{unit_id}].head)"
    return f"post {role!r} (posts.{role})"


def resolve(
    chart: OrgChart, role: str, applicant: str, *, last_approver: str | None = None
) -> Resolution:
    """Return who acts for ``role``; raise VacantPostError naming the post when nobody does."""
    holder: str | None
    unit: str | None = None
    if role == "applicant":
        holder = chart.person(applicant).id
    elif role == "last_approver":
        holder = last_approver
    elif role == "unit_head":
        holder = chart.unit_of(applicant).head
    elif role == "supervisor":
        holder = chart.unit_of(applicant).supervisor
    elif role.startswith("duty:"):
        unit = chart.duties.get(role.removeprefix("duty:"))
        holder = chart.units[unit].head if unit is not None else None
    else:
        holder = chart.posts.get(role)
    if holder is None:
        if role == "last_approver":
            raise VacantPostError(role, "a previous approver (no step before this one decided)")
        raise VacantPostError(role, describe_post(chart, role, applicant))
    return Resolution(role=role, assignee=holder, unit=unit)


def may_act(chart: OrgChart, person_id: str, assignee: str, unit: str | None) -> bool:
    """The assignee acts; for duty roles, so may any member of the duty unit."""
    if person_id == assignee:
        return True
    return unit is not None and person_id in chart.members(unit)
