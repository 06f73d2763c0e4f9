"""One task: the request it belongs to, and the decision (approve, reject, return) or the
acknowledgement of a filing or copy."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for

from approvals.errors import ConflictError, FieldError, InvalidStateError
from approvals.process.definitions import DECISION_KINDS, ProcessDefinition
from approvals.process.forms import FieldDef
from approvals.service import DECISIONS
from approvals.store.models import Task
from web import forms, idempotency, labels, messages
from web.approver import bp
from web.approver.operations_view import operations_view
from web.engine import engine
from web.i18n import gettext as _
from web.presenters import name, step_name
from web.requestview import build, record_view, task_or_403
from web.users import decides, holds, may_decide, me


def _own_fields(task: Task, definition: ProcessDefinition) -> tuple[FieldDef, ...]:
    """The step's own form (核定金额 at finance's step): its holder's, never an added opinion's."""
    step = definition.steps.get(task.bpmn_id)
    return step.fields if step is not None and step.decides and task.origin is None else ()


def _page(task: Task, comment: str = "", error: str = "", status: int = 200,
          operation: dict[str, Any] | None = None, values: dict[str, Any] | None = None,
          errors: dict[str, str] | None = None) -> tuple[str, int]:
    req = engine().queries.request(task.request_id)
    view = build(req)
    record_view(req, "task", view.tasks)
    can_decide = (
        task.is_open
        and task.kind in DECISION_KINDS
        and holds(task)
        and may_decide(task)  # inspectors: discipline opinions only
        and req.applicant != me().id  # rule 1: the engine refuses it too
        and task.status != "held"  # 前加签: the added approver's opinion comes first
    )
    return render_template(
        "approver/task.html",
        task=task,
        view=view,
        step_name=step_name(task, view.definition),
        can_decide=can_decide,
        can_acknowledge=task.is_open and task.kind in ("file", "copy") and holds(task),
        decisions=[(d, labels.word(labels.DECISION, d)) for d in DECISIONS],
        comment=comment,
        comment_error=error,
        own_fields=forms.views(_own_fields(task, view.definition), values, errors) if can_decide else [],
        ops=operations_view(task, req, can_decide, **(operation or {})),
    ), status


def operation_page(task: Task, form: str, values: dict[str, str], errors: dict[str, str]) -> tuple[str, int]:
    """The task page again after an operation's form was refused, the message by its field."""
    return _page(task, status=400, operation={"form": form, "values": values, "errors": errors})


@bp.get("/tasks/<int:task_id>")
def show(task_id: int) -> str | tuple[str, int] | Response:
    task = task_or_403(task_id)
    if task.kind == "report" and task.is_open and task.assignee == me().id:
        return redirect(url_for("applicant.report", request_id=task.request_id, task_id=task.id))
    if task.is_open and task.assignee == me().id and task.opened_at is None:
        engine().service.mark_opened(task.id, me().id)  # 已阅: the trail shows the first opening
    return _page(task)


@bp.post("/tasks/<int:task_id>/decide")
@decides
def decide(task_id: int) -> Response | tuple[str, int]:
    """The engine reads the task and checks who may decide it (not the holder: 403, no such
    task: 404); the page reads it only to show a refused comment again."""
    decision = request.form.get("decision", "")
    comment = request.form.get("comment", "")
    if decision not in DECISIONS:
        abort(400)
    inbox = idempotency.promise(url_for("approver.inbox"))  # where a decision leads
    task = task_or_403(task_id)
    own = _own_fields(task, engine().service.definition_of(engine().queries.request(task.request_id)))
    raw, _files = forms.collect(own, request.form, request.files)
    try:
        engine().service.decide(task_id, me().id, decision, comment, raw if own and decision == "approve" else None)
    except FieldError as exc:
        if not holds(task):
            abort(403)
        errors = messages.field_errors(exc)
        if own and any(fd.name in errors or any(k.startswith(f"{fd.name}-") for k in errors) for fd in own):
            return _page(task, comment, "", 400, values=forms.typed_values(request.form, own), errors=errors)
        return _page(task, comment, messages.explain(exc), 400, values=forms.typed_values(request.form, own))
    except ConflictError:
        flash(messages.conflict(task_id), "error")
        return redirect(url_for("approver.show", task_id=task_id))
    except InvalidStateError as exc:
        flash(messages.explain(exc), "error")
        return redirect(url_for("approver.show", task_id=task_id))
    if decision == "return":
        task = engine().queries.task(task_id)
        applicant = engine().queries.requests([task.request_id])[task.request_id].applicant  # no workflow state
        done = _("Returned to %(name)s for changes.", name=name(applicant))
    else:
        done = _("Approved.") if decision == "approve" else _("Rejected; the applicant is told why.")
    flash(done, "success")
    return redirect(inbox)


@bp.post("/tasks/<int:task_id>/acknowledge")
def acknowledge(task_id: int) -> Response:
    task = task_or_403(task_id)
    if not holds(task):
        abort(403)
    try:
        engine().service.acknowledge(task_id, me().id)
        flash(_("Acknowledged."), "success")
    except ConflictError:
        flash(messages.conflict(task_id), "error")
    except InvalidStateError as exc:
        flash(messages.explain(exc), "error")
    if request.form.get("back") == "task":
        return redirect(url_for("approver.show", task_id=task_id))
    return redirect(url_for("approver.notices"))
