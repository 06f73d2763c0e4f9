"""Personnel changes by form (人事变动): appoint or remove, add a person, transfer, a person
leaves, a new title or grade, which unit holds a duty. Each form shows the impact on open
tasks in names before anything is saved, and needs a reason; the engine turns the change
into the next chart version (approvals/people/orgchart/changes.py) and saves it as any edit."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from approvals import text as textrules
from approvals.errors import ApprovalsError, ChartSavedFirstError, ConflictError, NotPermittedError, OrgChartError
from approvals.orgadmin import Impact
from approvals.people.orgchart import changes as ch
from approvals.people.orgchart.model import OrgChart
from web import labels
from web.admin import bp
from web.admin.orgchart import fingerprint, impact_diff, moves_summary, org_id, saved_first
from web.admin.yamlwords import issue_sentence
from web.engine import current_chart, engine
from web.i18n import gettext as _
from web.picker import search_words
from web.users import me, offices

KINDS = ("appoint", "remove", "add", "transfer", "leave", "retitle", "duty")


def _field(name: str, *, required: bool = True) -> str:
    value = request.form.get(name, "").strip()
    if required and not value:
        raise _Missing(name)
    return value


class _Missing(Exception):
    """A form field left empty: the page says which."""


def _position(chart: OrgChart) -> tuple[str, str]:
    """(position, unit): "unit:head" with a unit, or "post:chief" with none."""
    scope, _sep, position = _field("position").partition(":")
    return (position, _field("unit")) if scope == "unit" else (position, "")


def _change(kind: str, chart: OrgChart) -> ch.Change:
    if kind in ("appoint", "remove"):
        position, unit = _position(chart)
        cls = ch.Appoint if kind == "appoint" else ch.Remove
        return cls(_field("person"), position, unit)
    if kind == "add":
        return ch.AddPerson(_field("person"), _field("name"), _field("unit"), _field("title", required=False),
                            "county" if request.form.get("county") else "")
    if kind == "transfer":
        return ch.Transfer(_field("person"), _field("unit"), _field("title", required=False))
    if kind == "leave":
        return ch.Leave(_field("person"), _field("successor", required=False))
    if kind == "retitle":
        return ch.Retitle(_field("person"), _field("title"), "county" if request.form.get("county") else "")
    return ch.AssignDuty(_field("duty"), _field("unit"))


def describe(change: ch.Change, chart: OrgChart) -> str:
    """The change in the page's words, kept with the version before the reason."""
    person = getattr(change, "person", "")
    who = chart.display_name(person) if person in chart.people else person
    unit = getattr(change, "unit", "")
    where = chart.units[unit].name if unit in chart.units else unit
    if isinstance(change, ch.Appoint | ch.Remove):
        post = labels.position(chart, change.position, change.unit)
        if isinstance(change, ch.Appoint):
            return _("Appoint %(who)s as %(post)s", who=who, post=post)
        return _("Remove %(who)s as %(post)s", who=who, post=post)
    if isinstance(change, ch.AddPerson):
        return _("Add %(who)s to %(unit)s", who=change.name, unit=where)
    if isinstance(change, ch.Transfer):
        return _("Transfer %(who)s to %(unit)s", who=who, unit=where)
    if isinstance(change, ch.Leave):
        if change.successor:
            return _("%(who)s leaves; %(successor)s takes over their posts", who=who,
                     successor=chart.display_name(change.successor))
        return _("%(who)s leaves", who=who)
    if isinstance(change, ch.Retitle):
        return _("%(who)s's title becomes %(title)s", who=who, title=change.title)
    return _("%(duty)s is held by %(unit)s", duty=labels.duty(chart, change.duty), unit=where)


def _page(org: str, status: int = 200, **context: Any) -> tuple[str, int]:
    chart = current_chart(org)
    people = sorted(chart.people.values(), key=lambda p: (p.unit, p.id))
    positions = [(f"unit:{code}", labels.position(chart, code, "")) for code in ("head", "deputy", "supervisor")]
    positions += [(f"post:{post}", labels.role(chart, post)) for post in chart.posts]
    context.setdefault("kind", None)
    context.setdefault("form", request.form)
    return render_template("admin/changes.html", org=org, chart=chart, people=people, kinds=KINDS,
                           positions=positions, search_words=lambda p: search_words(chart, p), **context), status


@bp.get("/orgchart/changes")
def changes() -> tuple[str, int]:
    return _page(org_id())


@bp.post("/orgchart/changes/<kind>")
def change(kind: str) -> Response | tuple[str, int]:
    if kind not in KINDS:
        abort(404)
    org = org_id()
    chart = current_chart(org)
    reason = request.form.get("reason", "").strip()
    try:
        wanted = _change(kind, chart)
        text, impact = engine().admin.preview_change(org, wanted, actor=me().id, offices=offices())
    except _Missing as missing:
        return _page(org, 400, kind=kind, problems=[_("Fill in %(field)s.", field=labels.form_field(str(missing)))])
    except NotPermittedError:
        abort(404)
    except OrgChartError as exc:
        return _page(org, 400, kind=kind, problems=[issue_sentence(i, chart) for i in exc.issues])
    context = _preview(kind, text, impact, describe(wanted, chart), reason)
    if request.form.get("action") != "save":
        return _page(org, **context)
    return _save(org, wanted, text, reason, context)


def _preview(kind: str, text: str, impact: Impact, description: str, reason: str) -> dict[str, Any]:
    return {"kind": kind, "form": request.form, "impact": impact, "moves": moves_summary(impact),
            "diff": impact_diff(impact, text), "checked": fingerprint(text), "description": description,
            "reason": reason}


def _save(org: str, wanted: ch.Change, text: str, reason: str, context: dict[str, Any]) -> Response | tuple[str, int]:
    if request.form.get("checked") != fingerprint(text):  # saved by someone since; context: the new preview
        return _page(org, 409, notice=saved_first(None, org), **context)
    problem = textrules.problem(reason, textrules.LINE_LENGTH) if reason else _("A reason is required.")
    if problem:
        return _page(org, 400, problems=[problem], **context)
    try:
        impact = engine().admin.save_change(org, wanted, f"{context['description']}：{reason}", me().id,
                                            offices=offices(), expected=text)
    except ChartSavedFirstError as exc:  # saved first by someone else: the change on their version
        return _saved_first(org, wanted, reason, context, exc)
    except ConflictError:
        return _page(org, 409, notice=_("The org chart changed since your preview; check the impact again."),
                     **context)
    except ApprovalsError as exc:
        return _page(org, 400, problems=[str(exc)], **context)
    flash(_("Saved: %(what)s. %(n)s open task(s) moved to the new post holders.",
            what=context["description"], n=len(impact.moves)), "success")
    return redirect(url_for("admin.versions", org=org))


def _saved_first(org: str, wanted: ch.Change, reason: str, context: dict[str, Any],
                 exc: ChartSavedFirstError) -> tuple[str, int]:
    """Someone saved the chart between this preview and this save: nothing was saved; the page
    says who, and previews the same change on the version now in force (if it still applies)."""
    chart = current_chart(org)
    try:
        text, impact = engine().admin.preview_change(org, wanted, actor=me().id, offices=offices())
    except OrgChartError as refused:  # the version saved first no longer has what the change names
        return _page(org, 409, notice=saved_first(exc), problems=[issue_sentence(i, chart) for i in refused.issues],
                     kind=context["kind"])
    fresh = _preview(context["kind"], text, impact, describe(wanted, chart), reason)
    return _page(org, 409, notice=saved_first(exc), **fresh)
