"""What pages show about people, routes and timelines, computed from engine values.

Names come from the org chart in force; someone who has since left it (a replaced section
head) is looked up in earlier versions, so old timelines still say who decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from approvals.errors import ApprovalsError
from approvals.people.orgchart.model import OrgChart, Person
from approvals.process.routes import Route, RouteStep
from approvals.store.models import Task
from web import labels
from web.engine import current_chart, engine, now, org_ids
from web.i18n import gettext as _
from web.i18n import localized
from web.pagememo import once


def _directory() -> dict[str, Person | None]:
    """Everyone in every current chart, once per request; ``None`` for someone looked up and
    found nowhere, so a name repeated down a list is searched for once."""
    return once("people", _everyone)


def _everyone() -> dict[str, Person | None]:
    people: dict[str, Person | None] = {}
    for org_id in org_ids():
        people.update(current_chart(org_id).people)
    return people


def person(person_id: str | None) -> Person | None:
    if not person_id:
        return None
    people = _directory()
    if person_id not in people:
        people[person_id] = _former(person_id)
    return people[person_id]


def _former(person_id: str) -> Person | None:
    """Someone who has left the org chart: as the latest version that had them."""
    source = engine().orgcharts
    for org_id in org_ids():
        for row in source.history(org_id):
            old = source.version(org_id, row.version)
            if person_id in old.people:
                return old.people[person_id]
    return None


def name(person_id: str | None) -> str:
    if person_id == "system":  # the engine's own entries (assignments, the first org chart)
        return _("system")
    p = person(person_id)
    return p.name if p else (person_id or "")


def tag(person_id: str | None) -> Markup:
    """A person as pages show one: name, title below, id on hover. Built here rather than in
    a Jinja macro (about 18 µs a call), as a list page shows one per row; plain ``escape``, as
    ``Markup.format`` costs another 30 µs."""
    if not person_id:
        return Markup("")
    p = person(person_id)
    shown, small = (p.name, f"<small>{escape(p.title)}</small>" if p.title else "") if p else (name(person_id), "")
    return Markup(f'<span class="person" lang="zh-CN" title="{escape(person_id)}">{escape(shown)}{small}</span>')


def tag_at(person_id: str | None, org_id: str, version: str | None) -> Markup:
    """A person as they were in chart ``version`` (the one a task recorded): the title they
    held when they decided, not today's. Falls back to ``tag`` when that version is unknown."""
    if not person_id or not version:
        return tag(person_id)
    charts: dict[tuple[str, str], Any] = once("charts_at", dict)
    key = (org_id, version)
    if key not in charts:
        try:
            charts[key] = engine().orgcharts.version(org_id, version)
        except ApprovalsError:
            charts[key] = None
    then = charts[key].people.get(person_id) if charts[key] is not None else None
    if then is None:
        return tag(person_id)
    small = f"<small>{escape(then.title)}</small>" if then.title else ""
    return Markup(f'<span class="person" title="{escape(person_id)}">{escape(then.name)}{small}</span>')


def title(person_id: str | None) -> str:
    p = person(person_id)
    return p.title if p else ""


def unit_name(person_id: str | None) -> str:
    """The unit a person belongs to now (or last belonged to), for "沈悦 财务与资金运用科 科员"."""
    p = person(person_id)
    if p is None:
        return ""
    for org_id in org_ids():
        unit = current_chart(org_id).units.get(p.unit)
        if unit is not None and p.id in current_chart(org_id).members(unit.id):
            return unit.name
    return ""


def age(since: datetime | None, at: datetime | None = None) -> str:
    """How long something has waited until ``at`` (now by default), in the largest whole
    unit: 3天, 5小时, 10分钟."""
    if since is None:
        return ""
    seconds = max(0, int(((at or now()) - since).total_seconds()))
    if seconds >= 86400:
        return _("%(n)s d", n=seconds // 86400)
    if seconds >= 3600:
        return _("%(n)s h", n=seconds // 3600)
    return _("%(n)s min", n=seconds // 60)


@dataclass(frozen=True)
class PreviewStep:
    name: str
    kind: str
    role: str
    person: str
    person_name: str
    person_title: str
    reason: str
    shown: bool  # False: removed by rule 1 or 2 (shown struck through, with the reason)
    together: str = ""  # the steps open at the same time (branches of a parallel gateway)

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def preview_steps(route: Route, chart: OrgChart, applicant: str) -> list[PreviewStep]:
    defn = engine().service.definition_for(chart, route.request_type)
    result = []
    for step in route.steps:
        step_def = defn.steps.get(step.bpmn_id)
        shown = step.outcome in ("open", "sent")
        result.append(
            PreviewStep(
                localized(step.name, step_def.name_en if step_def else None),
                labels.word(labels.KIND, step.kind),
                labels.role(chart, step.role, applicant),
                step.assignee,
                group_who(step) if step.group else name(step.assignee),
                "" if step.group else title(step.assignee),
                labels.word(labels.REASON, "report" if step.kind == "report" else step.outcome),
                shown,
                _together(step, defn),
            )
        )
    return result


GROUP_WHO = {
    "all_in_order": _l("all of, in order: %(names)s"),
    "all_at_once": _l("all of, at once: %(names)s"),
    "any_one": _l("any one of: %(names)s"),
}


def group_who(step: RouteStep) -> str:
    """A group step's people in words: "all of, in order: 王军, 李明" (会签) or "any one of: …" (或签)."""
    return str(GROUP_WHO[step.group or "all_at_once"]) % {"names": ", ".join(name(p) for p in step.people)}


def _together(step: RouteStep, defn: Any) -> str:
    if not step.parallel_with:
        return ""
    names = [localized(d.name, d.name_en) for d in (defn.steps.get(i) for i in step.parallel_with) if d]
    return _("at the same time as: %(steps)s", steps=", ".join(names))


def rule_summary(chart: OrgChart, applicant: str, request_type: str) -> str:
    """Why this route: the applicant's category and unit kind, which the process reads."""
    defn = engine().service.definition_for(chart, request_type)
    category = chart.category(applicant, uses_county_cadre=defn.uses_county_cadre)
    unit = chart.unit_of(applicant)
    words = labels.in_body(labels.CATEGORY, category, chart)
    if unit.kind == "leadership":  # "局领导班子 (leadership)" would say the same twice
        return _("Route for %(category)s in %(unit)s", category=words, unit=unit.name)
    return _(
        "Route for %(category)s in %(unit)s (%(kind)s)",
        category=words,
        unit=unit.name,
        kind=labels.in_body(labels.UNIT_KIND, unit.kind, chart),
    )


def step_name(task: Task, definition: Any = None) -> str:
    step_def = definition.steps.get(task.bpmn_id) if definition is not None else None
    return localized(task.name, step_def.name_en if step_def else None)


def page_url(page: int) -> str:
    """This page's address with another page number, keeping the filters."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": page}
    return url_for(request.endpoint or "applicant.home", **args)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        person=tag,
        person_at=tag_at,
        person_name=name,
        person_unit=unit_name,
        person_title=title,
        age=age,
        labels=labels,
        word=labels.word,
        page_url=page_url,
    )
