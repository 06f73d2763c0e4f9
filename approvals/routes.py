"""Route preview: a dry run of the same BPMN the engine runs, with the reason for each step.

Nothing here knows a route. ``preview`` builds the request's variables, walks the process
approving every step (engine.dry_run) and reports what happened; the applicant sees exactly
who will approve, in order, and why a step disappeared (rule 1 or 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from approvals import forms
from approvals.definitions import ProcessDefinition
from approvals.engine import OPEN, SATISFIED, SENT, SKIPPED_SELF, RouteContext, Step, dry_run
from approvals.orgchart.model import OrgChart

REASONS = {
    OPEN: "decides",
    SENT: "receives",
    SKIPPED_SELF: "skipped: the applicant holds this post (no self-approval)",
    SATISFIED: "satisfied by the same person's previous decision (no double signing)",
}


def request_variables(chart: OrgChart, definition: ProcessDefinition, applicant: str,
                      values: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Everything a gateway condition may read (docs/processes.md, "Variables")."""
    unit = chart.unit_of(applicant)
    variables: dict[str, Any] = dict(definition.variables)
    variables.update(values)
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

    @property
    def reason(self) -> str:
        if self.kind == "report":
            return "receives the applicant's report after the trip"
        return REASONS[self.outcome]

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "role": self.role, "assignees": [self.assignee]}


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


def _route_step(step: Step) -> RouteStep:
    # Report steps are performed by the applicant; the preview names who receives them.
    who = step.receiver if step.kind == "report" and step.receiver else step.assignee
    return RouteStep(step.kind, step.role, who, step.definition.name, step.outcome,
                     step.definition.bpmn_id, step.unit)


def preview(chart: OrgChart, definition: ProcessDefinition, request_type: str, applicant: str,
            raw_fields: Mapping[str, Any], today: date, *, partial: bool = True) -> Route:
    """Validate the given fields and dry-run the route; raise RefusedError subclasses on refusal."""
    chart.person(applicant)
    base = request_variables(chart, definition, applicant, {}, today)
    values = forms.validate(definition.fields, raw_fields, today=today.isoformat(), partial=partial,
                            variables=base)
    variables = request_variables(chart, definition, applicant, values, today)
    steps = dry_run(definition, variables, RouteContext(chart, applicant))
    return Route(definition.process_id, request_type, applicant, tuple(_route_step(s) for s in steps))
