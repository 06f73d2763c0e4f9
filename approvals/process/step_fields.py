"""Fields per step (docs/processes.md, "Fields per step"): what a decision step's holder fills
in (核定金额 at the finance step), and which of the request's fields that holder does not see.

A decision step's ``camunda:formData`` is its holder's own form: editable for them, validated on
the server when they approve (required, limits, ``required_if`` over the request's fields and
every earlier step's), stored with their decision and read-only for everyone after. The step
property ``hidden_fields`` lists request fields (or earlier steps' fields) its holder's pages
leave out. Everything else a holder sees read-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from approvals.errors import Issue
from approvals.process.forms import FieldDef
from approvals.process.timers import TimerDef


class StepDef(Protocol):
    """What the checks read of a step (approvals/process/definitions.py's StepDef, which calls
    them: importing it here would make a circle)."""

    bpmn_id: str
    kind: str
    group: str | None
    fields: tuple[FieldDef, ...]
    hidden_fields: tuple[str, ...]
    timers: tuple[TimerDef, ...]

    @property
    def blocking(self) -> bool: ...

    @property
    def decides(self) -> bool: ...


def hidden(props: Mapping[str, str]) -> tuple[str, ...]:
    """The ``hidden_fields`` property: field ids separated by commas or spaces."""
    return tuple(n for n in props.get("hidden_fields", "").replace(",", " ").split() if n)


def check(steps: Iterable[StepDef], start_fields: tuple[FieldDef, ...], where: str, issues: list[Issue]) -> None:
    """Step forms only on single decision steps (and reports), never reusing a field's id;
    hidden fields naming fields that exist."""
    steps = list(steps)
    names = {f.name for f in start_fields}
    every = names | {f.name for s in steps for f in s.fields}
    for step in steps:
        here = f"{where} {'userTask' if step.blocking else 'sendTask'} {step.bpmn_id!r}"
        if step.fields and step.kind != "report" and (not step.decides or step.group is not None):
            issues.append(Issue(f"{here} form", step.kind,
                                "only a single decision step (approve, consent, record) or a report has a form "
                                "of its own: a group's members or a filing would each fill it"))
        for fd in step.fields:
            if fd.name in names and step.kind != "report":
                issues.append(Issue(f"{here} form field {fd.name!r}", fd.name,
                                    "is a field of the request form already: give the step's field its own id"))
        if any(t.action == "approve" for t in step.timers) and any(f.required or f.required_if for f in step.fields):
            issues.append(Issue(f"{here} timer", next(t.bpmn_id for t in step.timers if t.action == "approve"),
                                "a timer cannot approve a step whose form has required fields: nobody would fill "
                                "them; use remind, escalate or transfer"))
        for name in step.hidden_fields:
            if name not in every:
                issues.append(Issue(f"{here} property hidden_fields", name,
                                    f"expected ids of fields of the request or of a step, e.g. "
                                    f"{', '.join(sorted(names)[:5])}"))


def earlier_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """The route's variables as a step's form rule reads them (the workflow's own keys dropped)."""
    return {k: v for k, v in data.items() if not k.startswith("_")}
