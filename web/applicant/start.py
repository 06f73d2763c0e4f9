"""Starting a request: the home page, the choice of request type, the generated form and
the route preview (a dry run of the same process the engine will run)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for

from approvals.errors import FieldError, RefusedError, UnknownProcessError
from approvals.process import choices
from approvals.process.definitions import ProcessDefinition
from approvals.process.forms import FieldDef
from web import forms, messages, nav
from web.applicant import attachments, bp
from web.engine import engine
from web.i18n import gettext as _
from web.listfilters import request_types
from web.localtime import today
from web.presenters import preview_steps, rule_summary
from web.requestview import waiting_for
from web.users import me


def _definition(request_type: str) -> ProcessDefinition:
    try:
        return engine().service.definition_for(me().chart, request_type)
    except UnknownProcessError:
        abort(404)


def _fields(request_type: str) -> tuple[FieldDef, ...]:
    return _definition(request_type).fields


def people_picks(definition: ProcessDefinition) -> dict[str, tuple[tuple[forms.Pick, ...], bool]]:
    """The person picker of each chosen_in field: whom this applicant may choose there."""
    user = me()
    return forms.picks(choices.offered(definition.steps.values(), user.chart, user.id), user.chart)


@bp.get("/")
def home() -> str:
    user = me()
    app = engine()
    inbox = app.queries.inbox(user.chart, user.id, limit=5)
    mine = app.queries.my_requests(user.id, limit=5)
    return render_template(
        "applicant/home.html",
        inbox=inbox,
        mine=mine,
        reports=app.queries.reports_due(user.id),
        questions=waiting_for(user.id) if nav.waiting().questions else [],  # 沟通 put to me
        today=today(),
        types=request_types(),
    )


@bp.get("/apply")
def choose() -> str:
    return render_template("applicant/choose.html", types=request_types())


@bp.route("/apply/<request_type>", methods=["GET", "POST"])
def apply(request_type: str) -> str | Response:
    definition = _definition(request_type)
    fields, people = definition.fields, people_picks(definition)
    user = me()
    type_label = dict(request_types()).get(request_type, request_type)
    context: dict[str, Any] = {
        "request_type": request_type,
        "type_label": type_label,
        "rule": rule_summary(user.chart, user.id, request_type),
    }
    if request.method == "GET":
        return render_template("applicant/apply.html", fields=forms.views(fields, people=people), **context)
    raw, uploads = forms.collect(fields, request.form, request.files)
    typed = forms.typed_values(request.form, fields)
    if request.form.get("action") == "preview":
        steps, error, errors = _preview(request_type, raw)
        return render_template(
            "applicant/apply.html",
            fields=forms.views(fields, typed, errors, people=people),
            preview=steps,
            preview_error=error,
            **context,
        )
    try:
        uploads = attachments.checked(fields, uploads)  # by content, before anything is saved
        request_id = engine().service.submit(user.id, request_type, raw, uploads)
    except FieldError as exc:
        errors = messages.field_errors(exc)
        return render_template(
            "applicant/apply.html",
            fields=forms.views(fields, typed, errors, people=people),
            form_error=_form_level(errors, bool(uploads)),
            **context,
        ), 400
    except RefusedError as exc:
        return render_template(
            "applicant/apply.html",
            fields=forms.views(fields, typed, people=people),
            form_error=messages.explain(exc, user.chart, user.id),
            **context,
        ), 400
    if engine().queries.request(request_id).status == "pending":
        flash(_("Submitted. Request #%(id)s is on its way.", id=request_id), "success")
    else:  # no step needed anyone (e.g. a family trip only filed): say it is done, not underway
        flash(_("Submitted. Request #%(id)s needed no approval and is recorded.", id=request_id), "success")
    return redirect(url_for("applicant.detail", request_id=request_id))


def _form_level(errors: dict[str, str], had_files: bool) -> str:
    if not errors:
        return ""
    if had_files:  # browsers never send a file back in a page: say so rather than lose it quietly
        return _("Please correct the fields marked below, and choose the attachment again.")
    return _("Please correct the fields marked below.")


def _preview(request_type: str, raw: dict[str, str]) -> tuple[list[Any], str, dict[str, str]]:
    """(steps, refusal message, field messages) of a dry run with what is filled in so far."""
    user = me()
    try:
        route = engine().service.preview(user.id, request_type, raw)
    except FieldError as exc:
        return (
            [],
            _("Some fields are not valid yet; the route depends on them."),
            messages.field_errors(exc),
        )
    except RefusedError as exc:
        return [], messages.explain(exc, user.chart, user.id), {}
    return preview_steps(route, user.chart, user.id), "", {}


@bp.post("/apply/<request_type>/preview.json")
def preview_json(request_type: str) -> Response:
    fields = _fields(request_type)
    raw, _uploads = forms.collect(fields, request.form, request.files)
    steps, error, errors = _preview(request_type, raw)
    return jsonify(steps=[s.as_json() for s in steps], error=error, errors=errors)
