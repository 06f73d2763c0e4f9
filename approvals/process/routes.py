"""Route preview: a dry run of the same BPMN the engine runs, with the reason for each step.

Nothing here knows a route. ``preview`` builds the request's variables, walks the process
approving every step (engine.dry_run) and reports what happened; the applicant sees exactly
who will approve, in order, and why a step disappeared (rule 1 or 2). A group step (会签/或签)
is one step naming all its members; steps on different branches of a parallel gateway say
which steps they run together with (docs/processes.md, "What the route preview shows").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from approvals.people.orgchart.model import OrgChart
from approvals.process import forms
from approvals.process.branches import run_together
from approvals.process.calendar import for_chart
from approvals.process.definitions import ProcessDefinition
from approvals.process.engine import OPEN, SATISFIED, SENT, SKIPPED_SELF, SKIPPED_VACANT, RouteContext, Step, dry_run
from approvals.process.groups import ALL_AT_ONCE, ALL_IN_ORDER, ANY_ONE

REASONS = {
    OPEN: "decides",
    SENT: "receives",
    SKIPPED_SELF: "skipped: the applicant holds this post (no self-approval)",
    SATISFIED: "satisfied by the same person's previous decision (no double signing)",
    SKIPPED_VACANT: "skipped: the post is vacant and the step's if_vacant is skip",
}
GROUP_WORDS = {ALL_IN_ORDER: "all of, in order", ALL_AT_ONCE: "all of, at once", ANY_ONE: "any one of"}


def request_variables(chart: OrgChart, definition: ProcessDefinition, applicant: str,
                      values: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Everything a gateway condition may read (docs/processes.md, "Variables")."""
    unit = chart.unit_of(applicant)
    variables: dict[str, Any] = dict(definition.variables)
    hidden = forms.sensitive_names(definition.fields)  # sealed, never read by a condition: not the route's
    variables.update((k, v) for k, v in values.items() if k not in hidden)
    variables.update(
        applicant=applicant,
        applicant_category=chart.category(applicant, uses_county_cadre=definition.uses_county_cadre),
        grade=chart.person(applicant).grade,  # "county" (县级干部) or None
        unit_kind=unit.kind,
        unit_id=unit.id,
        today=today.isoformat(),
        risk_areas=list(chart.organization.risk_areas),
    )
    return variables


@dataclass(frozen=True)
class RouteStep:
    kind: str
    role: str
    assignee: str
    name: str
    outcome: str
    bpmn_id: str
    unit: str | None = None
    # A group step (会签/或签): every member, in the order a sequential group asks them, and how.
    assignees: tuple[str, ...] = ()
    group: str | None = None  # all_in_order | all_at_once | any_one
    parallel_with: tuple[str, ...] = ()  # bpmn ids of the steps open at the same time as this one

    @property
    def reason(self) -> str:
        if self.kind == "report":
            return "receives the applicant's report after the trip"
        return REASONS[self.outcome]

    @property
    def people(self) -> tuple[str, ...]:
        return self.assignees or (self.assignee,)

    def who(self, display: Callable[[str], str] = str) -> str:
        """"李明", or for a group "all of, in order: 王军, 李明" / "any one of: 周强, 吴敏"."""
        names = ", ".join(display(p) for p in self.people)
        return f"{GROUP_WORDS[self.group]}: {names}" if self.group else names

    def as_json(self) -> dict[str, Any]:
        """The routes.md contract; group and parallel steps add fields, others are unchanged."""
        result: dict[str, Any] = {"kind": self.kind, "role": self.role, "assignees": list(self.people)}
        if self.group:
            result["group"] = self.group
        if self.parallel_with:
            result.update(id=self.bpmn_id, parallel_with=list(self.parallel_with))
        return result


@dataclass(frozen=True)
class Route:
    process: str
    request_type: str
    applicant: str
    steps: tuple[RouteStep, ...]  # includes skipped/satisfied steps, for explanations

    @property
    def visible(self) -> list[RouteStep]:
        """The steps the contract shows: rules 1 and 2 remove theirs."""
        return [s for s in self.steps if s.outcome in (OPEN, SENT)]

    def as_json(self) -> dict[str, Any]:
        return {"process": self.request_type, "applicant": self.applicant,
                "steps": [s.as_json() for s in self.visible]}


def explained(steps: tuple[RouteStep, ...], display: Callable[[str], str] = str) -> list[tuple[RouteStep, str]]:
    """``route --explain``: each step with who it names. A group member removed by rule 1 or 2
    while the rest of the group still signs is listed inside the group's line, marked with
    the reason, never as a "group" of that member alone; a group removed whole (an any-one
    group satisfied by one member) names that member alone."""
    open_groups = {s.bpmn_id for s in steps if s.group and s.outcome == OPEN}
    removed: dict[str, list[RouteStep]] = {}
    for s in steps:
        if s.group and s.outcome in (SATISFIED, SKIPPED_SELF) and s.bpmn_id in open_groups:
            removed.setdefault(s.bpmn_id, []).append(s)
    lines: list[tuple[RouteStep, str]] = []
    for s in steps:
        if s.group and s.outcome == OPEN and s.bpmn_id in removed:
            names = [f"{display(r.assignee)} [{r.reason}]" for r in removed[s.bpmn_id]]
            lines.append((s, f"{GROUP_WORDS[s.group]}: {', '.join(names + [display(p) for p in s.people])}"))
        elif s.group and s.outcome in (SATISFIED, SKIPPED_SELF):
            if s.bpmn_id not in removed:
                lines.append((s, display(s.assignee)))
        else:
            lines.append((s, s.who(display)))
    return lines


def _route_step(step: Step) -> RouteStep:
    # Report steps are performed by the applicant; the preview names who receives them.
    who = step.receiver if step.kind == "report" and step.receiver else step.assignee
    return RouteStep(step.kind, step.role, who, step.definition.name, step.outcome,
                     step.definition.bpmn_id, step.unit, group=step.definition.group)


def _route_steps(steps: list[Step], definition: ProcessDefinition) -> tuple[RouteStep, ...]:
    """One route step per step run: a group's open instances become one step naming every
    member (a member satisfied by rule 2 stays a step of its own, with its reason)."""
    result: list[RouteStep] = []
    at: dict[str, int] = {}
    for step in steps:
        here = _route_step(step)
        if step.group is not None and step.outcome == OPEN:
            if step.group in at:
                first = result[at[step.group]]
                result[at[step.group]] = replace(first, assignees=first.people + (here.assignee,))
                continue
            at[step.group] = len(result)
            here = replace(here, assignees=(here.assignee,))
        result.append(here)
    shown = [s for s in result if s.outcome in (OPEN, SENT)]
    return tuple(_with_parallel(s, shown, definition) if s.outcome in (OPEN, SENT) else s for s in result)


def _with_parallel(step: RouteStep, shown: list[RouteStep], definition: ProcessDefinition) -> RouteStep:
    together = tuple(dict.fromkeys(o.bpmn_id for o in shown if o.bpmn_id != step.bpmn_id
                                   and run_together(definition.branches, step.bpmn_id, o.bpmn_id)))
    return replace(step, parallel_with=together) if together else step


def preview(chart: OrgChart, definition: ProcessDefinition, request_type: str, applicant: str,
            raw_fields: Mapping[str, Any], today: date, *, partial: bool = True) -> Route:
    """Validate the given fields and dry-run the route; raise RefusedError subclasses on refusal."""
    chart.person(applicant)
    base = request_variables(chart, definition, applicant, {}, today)
    values = forms.validate(definition.fields, raw_fields, today=today.isoformat(), partial=partial,
                            variables=base, calendar=for_chart(chart))
    variables = request_variables(chart, definition, applicant, values, today)
    steps = dry_run(definition, variables, RouteContext(chart, applicant))
    return Route(definition.process_id, request_type, applicant, _route_steps(steps, definition))
