"""Approvers and 抄送 the applicant chooses at submission, within the limit a step declares
(docs/processes.md, "Approvers and copies the applicant chooses").

A step with the property ``chosen_in`` names a field of the request form where the applicant
writes the person (an approval step) or people (a copy, 抄送) of their choice; the step's
``camunda:candidateGroups`` is the limit: a single role (``supervisor``) or a group role
(``deputies:leadership``: any deputy of the bureau; ``members:unit``: someone of the applicant's
unit; ``members:duty:finance``). The choice is checked when the route is walked (preview and
submission): someone outside the limit, the applicant (rule 1), or nobody is refused naming the
field, with whom the applicant may choose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from approvals.errors import ApprovalsError, FieldError, Issue
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import is_group_role, resolve, resolve_group
from approvals.process.definitions import StepDef

_SEPARATORS = re.compile(r"[\s,，、;；]+")


def eligible(chart: OrgChart, role: str, applicant: str) -> tuple[str, ...]:
    """Whom the applicant may choose for a step limited to ``role`` (never the applicant)."""
    if is_group_role(role):
        return resolve_group(chart, role, applicant).members
    holder = resolve(chart, role, applicant).assignee
    return () if holder == applicant else (holder,)


def split(value: object) -> list[str]:
    """The person ids written in a chosen_in field, in order."""
    return [p for p in _SEPARATORS.split(str(value or "").strip()) if p]


def chosen(chart: OrgChart, role: str, applicant: str, field: str, value: object, *, several: bool) -> list[str]:
    """The people chosen in ``field`` (one, or for a copy ``several``), each checked against
    the limit; FieldError on ``field`` naming who may be chosen otherwise."""
    allowed = eligible(chart, role, applicant)
    names = "、".join(f"{chart.display_name(p)} ({p})" for p in allowed)
    people = split(value)
    if not people:
        raise FieldError([Issue(field, value, f"choose who: one of {names}")])
    if not several and len(people) > 1:
        raise FieldError([Issue(field, value, f"choose one person, not {len(people)}: one of {names}")])
    for person in people:
        if person == applicant:
            raise FieldError([Issue(field, person, "is you: an applicant never approves or is copied their own "
                                                   f"request; choose one of {names}")])
        if person not in allowed:
            raise FieldError([Issue(field, person, f"may not be chosen for this step: choose one of {names}")])
    return list(dict.fromkeys(people))


def offered(steps: Iterable[StepDef], chart: OrgChart, applicant: str) -> dict[str, Offer]:
    """For each form field a step names in ``chosen_in``: whom the applicant may choose there
    (what the start form's person picker lists). A field two steps name offers the people both
    allow; a limit that resolves to nobody (a vacant post) offers nobody, and the route preview
    then says why."""
    offers: dict[str, Offer] = {}
    for step in steps:
        if not step.chosen_in:
            continue
        try:
            people = eligible(chart, step.role, applicant)
        except ApprovalsError:
            people = ()
        several = not step.blocking
        if step.chosen_in in offers:
            earlier = offers[step.chosen_in]
            people = tuple(p for p in earlier.people if p in people)
            several = earlier.several and several
        offers[step.chosen_in] = Offer(people, several)
    return offers


@dataclass(frozen=True)
class Offer:
    """Whom a ``chosen_in`` field may name, in the chart's order; ``several``: a copy (抄送)."""

    people: tuple[str, ...]
    several: bool


def sample(steps: Iterable[StepDef], chart: OrgChart, applicant: str) -> dict[str, str]:
    """A choice for every chosen_in field: the first person each allows. ``approvals check`` and
    a deployment try every person's route with it, so a process asking for a choice is not
    counted as stranding everyone; a field allowing nobody stays empty and is refused."""
    return {name: offer.people[0] if offer.people else "" for name, offer in offered(steps, chart, applicant).items()}
