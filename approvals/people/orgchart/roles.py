"""Resolve a role named in a BPMN process to the person who must act, for one applicant.

Role vocabulary (orgchart-format.md, plus two documented extensions in docs/processes.md):

    unit_head        head of the applicant's unit
    supervisor       分管局领导 (supervising leader) of the applicant's unit
    chief, organ_leader, <any post>   holder of ``posts.<name>``
    duty:<name>      head of the unit holding that duty; its members may act too
    applicant        the applicant (report steps)
    last_approver    whoever decided the most recent approve/consent/record step

Group roles, for multi-instance steps (会签/或签, docs/processes.md "Group steps"):

    members:SCOPE    every member of a unit, in rank order (head, deputies, the others)
    deputies:SCOPE   the deputies (其他负责人) of a unit
                     SCOPE: unit (the applicant's), leadership (局领导班子), duty:<name>
    ROLE, ROLE, ...  an explicit list of single roles, e.g. "chief, organ_leader"

A group never holds the applicant (rule 1: she is taken out of it), names each person once,
and a group left empty is a vacant post (rule 3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from approvals.errors import ApprovalsError, VacantPostError
from approvals.people.orgchart.model import OrgChart

BUILTIN_ROLES = ("unit_head", "supervisor", "applicant", "last_approver")
GROUP_PATTERN = re.compile(r"^(members|deputies):(unit|leadership|duty:[A-Za-z0-9_.-]+)$")
SINGLE_PATTERN = re.compile(r"^(duty:[A-Za-z0-9_.-]+|[a-z][a-z0-9_]*)$")
NOT_IN_LISTS = ("applicant", "last_approver")  # a list names posts; these two are nobody's post


@dataclass(frozen=True)
class Resolution:
    role: str
    assignee: str
    # For duty roles: the unit whose members may also act (备案/抄送 lists are per unit).
    unit: str | None = None


def list_roles(role: str) -> list[str] | None:
    """The single roles of an explicit list ``"chief, organ_leader"`` (None: not a list)."""
    if "," not in role:
        return None
    return [part.strip() for part in role.split(",")]


def is_group_role(role: str) -> bool:
    """Whether ``role`` names several people (a group step), in syntax only."""
    return bool(GROUP_PATTERN.match(role)) or list_roles(role) is not None


def group_syntax_problem(role: str) -> str | None:
    """Why ``role`` is not a well-formed group role (None: it is)."""
    if GROUP_PATTERN.match(role):
        return None
    parts = list_roles(role)
    if parts is None:
        return ("expected a group: members:unit, members:leadership, members:duty:<name>, deputies:unit, "
                "deputies:duty:<name>, or a list of posts such as 'chief, organ_leader'")
    for part in parts:
        if not SINGLE_PATTERN.match(part) or part in NOT_IN_LISTS:
            return f"{part!r} in the list is not a post, unit_head, supervisor or duty:<name>"
    if len(set(parts)) != len(parts):
        return "the list names a role twice"
    return None


def is_known_role(chart: OrgChart, role: str) -> bool:
    """Whether ``role`` is part of the vocabulary for this chart (used by ``approvals check``)."""
    parts = list_roles(role)
    if parts is not None:
        return all(is_known_role(chart, part) for part in parts)
    if GROUP_PATTERN.match(role):
        scope = role.split(":", 1)[1]
        return scope in ("unit", "leadership") or is_known_role(chart, scope)
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


@dataclass(frozen=True)
class Group:
    """The people of a group role for one applicant, in the order a sequential step asks them."""

    role: str
    members: tuple[str, ...]


def _scope_unit(chart: OrgChart, scope: str, applicant: str) -> tuple[str | None, str]:
    """The unit a group's SCOPE names, and how a vacancy message names it."""
    if scope == "unit":
        unit = chart.unit_of(applicant)
        return unit.id, f"{unit.name} (units[{unit.id}])"
    if scope == "leadership":
        unit_id = next((u.id for u in chart.units.values() if u.kind == "leadership"), None)
        return unit_id, "the leadership unit (the unit of kind leadership)"
    duty = scope.removeprefix("duty:")
    unit_id = chart.duties.get(duty)
    if unit_id is None:
        return None, f"duty {duty!r} (duties.{duty} is not assigned to any unit)"
    return unit_id, f"{chart.units[unit_id].name}, holder of duty {duty!r} (units[{unit_id}])"


def _unit_group(chart: OrgChart, which: str, unit_id: str) -> list[str]:
    unit = chart.units[unit_id]
    if which == "deputies":
        return list(unit.deputies)
    ranked = ([unit.head] if unit.head else []) + list(unit.deputies)
    return ranked + [p for p in chart.members(unit_id) if p not in ranked]


def resolve_group(chart: OrgChart, role: str, applicant: str) -> Group:
    """Who acts for a group role: the applicant taken out (rule 1), each person once; raise
    VacantPostError naming the post when a listed post is vacant or nobody is left."""
    parts = list_roles(role)
    if parts is not None:
        people = [resolve(chart, part, applicant).assignee for part in parts]
        where = "the posts " + ", ".join(describe_post(chart, part, applicant) for part in parts)
    else:
        which, scope = role.split(":", 1)
        unit_id, where = _scope_unit(chart, scope, applicant)
        people = _unit_group(chart, which, unit_id) if unit_id is not None else []
        where = f"the {which} of {where}"
    members = tuple(dict.fromkeys(p for p in people if p != applicant))
    if not members:
        left = " other than the applicant" if applicant in people else ""
        raise VacantPostError(role, f"{where}: nobody{left} is in it")
    return Group(role, members)


def group_holder(chart: OrgChart, role: str, applicant: str, principal: str) -> str:
    """For a chart change: a group member's task stays theirs while they are still in the
    group; otherwise ApprovalsError (the task is listed as stuck, never moved to a guess)."""
    if principal in resolve_group(chart, role, applicant).members:
        return principal
    raise ApprovalsError(f"{principal} is no longer one of the group {role!r} under this chart; "
                         "the task stays open for an administrator to hand on")
