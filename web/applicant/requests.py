"""Following one's requests: the list, a request's page (timeline and diagram), attachments,
withdrawing and urging (催办)."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for

from approvals.errors import ConflictError, InvalidStateError
from approvals.notifications import urges
from approvals.notifications.urges import TooSoonError
from approvals.store.models import Task
from web import labels, listfilters, messages
from web.applicant import attachments, bp
from web.engine import engine, now
from web.i18n import gettext as _
from web.localtime import local, when
from web.presenters import name
from web.requestview import build, own_request, record_view, take_back_offered, visible_request
from web.summary import summary
from web.upcoming import upcoming
from web.users import me

PAGE = 20


@bp.get("/requests")
def mine() -> str:
    """我的申请, newest first, narrowed by the search form, with each one's current step."""
    page = max(1, request.args.get("page", 1, type=int))
    form = listfilters.read(labels.REQUEST_STATUS)
    result = listfilters.listing().my_requests(
        me().id, form.asked, limit=PAGE, offset=(page - 1) * PAGE
    )
    return render_template(
        "applicant/requests.html",
        result=result,
        form=form,
        current=listfilters.current_steps(result.items),
        summary=summary,
        page=page,
        per_page=PAGE,
    )


@bp.get("/requests/<int:request_id>")
def detail(request_id: int) -> str:
    view = build(visible_request(request_id))
    record_view(view.req, "request", view.tasks)
    return render_template(
        "applicant/request.html", view=view, is_applicant=view.req.applicant == me().id,
        urge_from=_urge_from(view.open_decisions),
        may_take_back=view.req.id in take_back_offered([view.req.id]),
        ahead=upcoming(view),
    )


def _urge_from(tasks: list[Task]) -> dict[int, datetime]:
    """Holders urged within the interval (催办 cool-down): when each may be urged again. The
    page shows the button disabled with that time rather than a button the engine refuses."""
    at, every = now(), urges.interval()
    return {t.id: t.urged_at + every for t in tasks if t.urged_at is not None and at < t.urged_at + every}


@bp.get("/requests/<int:request_id>/diagram.bpmn")
def diagram(request_id: int) -> Response:
    """The exact BPMN version the request runs on, for the diagram viewer."""
    req = visible_request(request_id)
    return Response(engine().service.definition_of(req).xml, mimetype="application/xml")


@bp.get("/attachments/<int:attachment_id>")
def attachment(attachment_id: int) -> Response:
    row = engine().queries.attachment(attachment_id)
    if row is None:
        abort(404)
    record_view(visible_request(row.request_id), "attachment")
    return attachments.served(row.data, row.filename)


@bp.post("/requests/<int:request_id>/withdraw")
def withdraw(request_id: int) -> Response:
    own_request(request_id)
    try:
        engine().service.withdraw(request_id, me().id)
        flash(_("The request was withdrawn."), "success")
    except InvalidStateError:
        flash(
            _("The request can no longer be withdrawn: someone has already decided on it."), "error"
        )
    return redirect(url_for("applicant.detail", request_id=request_id))


@bp.post("/requests/<int:request_id>/urge/<int:task_id>")
def urge(request_id: int, task_id: int) -> Response:
    own_request(request_id)
    task = engine().queries.task(task_id)
    if task.request_id != request_id:
        abort(404)
    try:
        engine().service.urge(task_id, me().id)
        flash(_("%(name)s has been reminded.", name=name(task.assignee)), "success")
    except ConflictError:
        flash(messages.conflict(task_id), "error")
    except TooSoonError as exc:
        flash(_("You urged %(name)s at %(time)s; you can urge them again from %(next)s.", name=name(task.assignee),
                time=local(exc.last).strftime("%H:%M"), next=when(exc.next_at)), "error")
    except InvalidStateError:
        flash(_("Only a waiting decision can be urged."), "error")
    return redirect(url_for("applicant.detail", request_id=request_id))
