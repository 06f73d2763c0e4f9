"""After an approver acts: resubmitting a returned request, filing the return report.

Both forms come from the process version the request started on, not today's file, so a
request keeps the fields it was created with.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for

from approvals.errors import ApprovalsError, ConflictError, FieldError, InvalidStateError, RefusedError
from approvals.store.models import Task
from web import forms, messages
from web.applicant import attachments, bp
from web.applicant.start import people_picks
from web.engine import engine
from web.i18n import gettext as _
from web.presenters import step_name
from web.requestview import build, own_request, shown_fields
from web.users import me


@bp.route("/requests/<int:request_id>/resubmit", methods=["GET", "POST"])
def resubmit(request_id: int) -> str | Response:
    req = own_request(request_id)
    view = build(req)
    if not view.can_resubmit:
        flash(_("Only a request returned for changes can be resubmitted."), "error")
        return redirect(url_for("applicant.detail", request_id=request_id))
    fields, people = view.definition.fields, people_picks(view.definition)
    existing = {a.field: a.filename for a in view.attachments}
    context = {"view": view, "request_type": req.request_type, "type_label": view.type_label}
    if request.method == "GET":
        values = shown_fields(req, view.definition, view.tasks)  # the applicant's own: opened
        return render_template(
            "applicant/resubmit.html",
            fields=forms.views(fields, values, existing=existing, people=people),
            **context,
        )
    raw, uploads = forms.collect(fields, request.form, request.files, existing)
    typed = forms.typed_values(request.form, fields)
    try:
        uploads = attachments.checked(fields, uploads)  # by content, before anything is saved
        engine().service.resubmit(request_id, me().id, raw, uploads)
    except FieldError as exc:
        return render_template(
            "applicant/resubmit.html",
            fields=forms.views(fields, typed, messages.field_errors(exc), existing, people),
            form_error=_("Please correct the fields marked below."),
            **context,
        ), 400
    except (RefusedError, InvalidStateError) as exc:
        return render_template(
            "applicant/resubmit.html",
            fields=forms.views(fields, typed, existing=existing, people=people),
            form_error=messages.explain(exc, me().chart, me().id),
            **context,
        ), 400
    flash(_("Resubmitted. The route starts again."), "success")
    return redirect(url_for("applicant.detail", request_id=request_id))


def _report_task(request_id: int, task_id: int) -> Task:
    own_request(request_id)
    task = engine().queries.task(task_id)
    if task.request_id != request_id or task.kind != "report":
        abort(404)
    return task


@bp.route("/requests/<int:request_id>/report/<int:task_id>", methods=["GET", "POST"])
def report(request_id: int, task_id: int) -> str | Response:
    task = _report_task(request_id, task_id)
    view = build(engine().queries.request(request_id))
    step = view.definition.steps.get(task.bpmn_id)
    fields = step.fields if step else ()
    context = {"view": view, "task": task, "step_name": step_name(task, view.definition)}
    if not task.is_open:
        flash(_("This report has already been filed."), "info")
        return redirect(url_for("applicant.detail", request_id=request_id))
    if request.method == "GET":
        opens_on = view.report_opens_on(task)
        if opens_on is not None:  # offered only once it may be sent
            flash(_("%(step)s: the report can be sent from %(day)s, once the trip has started.",
                    step=task.name, day=opens_on.isoformat()), "info")
            return redirect(url_for("applicant.detail", request_id=request_id))
        return render_template("applicant/report.html", fields=forms.views(fields), **context)
    raw, _uploads = forms.collect(fields, request.form, request.files)
    typed = forms.typed_values(request.form, fields)
    try:
        engine().service.report(task_id, me().id, raw)
    except FieldError as exc:
        return render_template(
            "applicant/report.html",
            fields=forms.views(fields, typed, messages.field_errors(exc)),
            form_error=_("Please correct the fields marked below."),
            **context,
        ), 400
    except ApprovalsError as exc:  # any refusal keeps what was typed
        return render_template(
            "applicant/report.html",
            fields=forms.views(fields, typed),
            form_error=messages.conflict(task_id) if isinstance(exc, ConflictError) else messages.explain(exc),
            **context,
        ), 400
    flash(_("Report filed. Thank you."), "success")
    return redirect(url_for("applicant.detail", request_id=request_id))
