"""The task page's other actions (docs/operations.md): 转办, 加签/减签, 退回到已办环节, 沟通,
a file for my opinion, 拿回, and an administrator's 终止. Each posts one form to one engine
operation; a refusal about a field shows the task page again with the message next to it,
anything else is flashed, and a lost race says who got there first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from approvals.errors import ApprovalsError, ConflictError, FieldError
from approvals.service import Upload
from web import messages
from web.approver import bp
from web.approver.task import operation_page
from web.engine import engine
from web.i18n import gettext as _
from web.presenters import name
from web.requestview import task_or_403
from web.users import decides, holds, me, offices


def _form(field: str) -> str:
    return request.form.get(field, "")


def _upload() -> Upload | None:
    file = request.files.get("attachment")
    if file is None or not file.filename:
        return None
    return Upload(file.filename, file.mimetype or "", file.read())


def _on_task(task_id: int, form: str, run: Callable[[], Any], done: str,
             to: str = "approver.inbox") -> Response | tuple[str, int]:
    """Run one operation on a task the signed-in person holds; answer as the decision form does."""
    task = task_or_403(task_id)
    if not holds(task):
        abort(403)
    try:
        run()
    except FieldError as exc:
        return operation_page(task, form, dict(request.form), messages.field_errors(exc))
    except ConflictError:
        flash(messages.conflict(task_id), "error")
        return redirect(url_for("approver.show", task_id=task_id))
    except ApprovalsError as exc:
        flash(messages.explain(exc), "error")
        return redirect(url_for("approver.show", task_id=task_id))
    flash(done, "success")
    return redirect(url_for(to) if to == "approver.inbox" else url_for(to, task_id=task_id))


@bp.post("/tasks/<int:task_id>/transfer")
@decides
def transfer(task_id: int) -> Response | tuple[str, int]:
    to = _form("to")
    return _on_task(task_id, "transfer",
                    lambda: engine().service.transfer(task_id, me().id, to, _form("reason"), offices()),
                    _("Transferred to %(name)s.", name=name(to) if to else ""))


@bp.post("/tasks/<int:task_id>/add-approver")
@decides
def add_approver(task_id: int) -> Response | tuple[str, int]:
    person, mode = _form("person"), _form("mode")
    done = (_("%(name)s gives an opinion first; the task then comes back to you.", name=name(person) if person else "")
            if mode == "before" else
            _("%(name)s decides after you, before the next step.", name=name(person) if person else ""))
    return _on_task(task_id, "add",
                    lambda: engine().service.add_approver(task_id, me().id, person, mode, _form("reason"), offices()),
                    done, "approver.show")


@bp.post("/tasks/<int:task_id>/remove-approver")
@decides
def remove_approver(task_id: int) -> Response:
    """减签: ``task_id`` is the added person's task; back to the holder's own task page."""
    added = engine().queries.task(task_id)
    back = added.origin_task_id or task_id
    try:
        engine().service.remove_approver(task_id, me().id)
        flash(_("%(name)s was removed; the task is yours again.", name=name(added.assignee)), "success")
    except ConflictError:
        flash(messages.conflict(task_id), "error")
    except ApprovalsError as exc:
        flash(messages.explain(exc), "error")
    return redirect(url_for("approver.show", task_id=back))


@bp.post("/tasks/<int:task_id>/send-back")
@decides
def send_back(task_id: int) -> Response | tuple[str, int]:
    raw = _form("to_step")
    to_step = int(raw) if raw.isdigit() else 0
    return _on_task(task_id, "send_back",
                    lambda: engine().service.send_back(task_id, me().id, to_step, _form("reason"), offices()),
                    _("Sent back to the earlier step."))


@bp.post("/tasks/<int:task_id>/ask")
@decides
def ask(task_id: int) -> Response | tuple[str, int]:
    person = _form("person")
    return _on_task(task_id, "ask", lambda: engine().service.ask(task_id, me().id, person, _form("question")),
                    _("Your question was sent to %(name)s.", name=name(person) if person else ""), "approver.show")


@bp.post("/tasks/<int:task_id>/attach")
@decides
def attach(task_id: int) -> Response | tuple[str, int]:
    upload = _upload() or Upload("", "", b"")
    return _on_task(task_id, "attach", lambda: engine().service.attach(task_id, me().id, upload),
                    _("The file is attached to your opinion."), "approver.show")


@bp.post("/requests/<int:request_id>/take-back")
@decides
def take_back(request_id: int) -> Response:
    back = request.form.get("task", type=int)
    try:
        new = engine().service.take_back(request_id, me().id)
    except ApprovalsError as exc:
        flash(messages.explain(exc), "error")
        return redirect(url_for("approver.show", task_id=back) if back else url_for("approver.done"))
    flash(_("Taken back: the step is yours to decide again."), "success")
    return redirect(url_for("approver.show", task_id=new))


@bp.post("/requests/<int:request_id>/terminate")
def terminate(request_id: int) -> Response:
    back = request.form.get("task", type=int)
    if not me().is_admin:
        abort(403)
    try:
        engine().service.terminate(request_id, me().id, _form("reason"), offices())
        flash(_("Request #%(id)s was terminated.", id=request_id), "success")
    except ApprovalsError as exc:
        flash(messages.explain(exc), "error")
    return redirect(url_for("approver.show", task_id=back) if back else url_for("approver.inbox"))
