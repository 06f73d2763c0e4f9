"""The approver's lists: inbox (oldest first, with age and 催办 marks), batch approval, what I
decided, and the filing (备案) and copy (抄送) lists of duty units with overdue reports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from approvals.errors import ApprovalsError, ConflictError
from approvals.process.forms import FieldDef
from approvals.store.rows import ListedRequest, TaskRow
from web import labels, listfilters, messages, nav, urls
from web.approver import bp
from web.approver.inbox_table import Row, inbox_rows
from web.deadlines import due_label
from web.engine import engine, now
from web.i18n import gettext as _
from web.localtime import today
from web.presenters import age, step_name
from web.presenters import tag as person_tag
from web.requestview import take_back_offered
from web.users import decides, discipline_opinion, holds, me

PAGE = 50


def rows(tasks: Iterable[TaskRow], requests: Mapping[int, ListedRequest] | None = None) -> list[Row]:
    """A list page's rows: the tasks' requests read in one query, not one per row (or with the
    page itself, when the list's query brought them: ``Page.requests``)."""
    app = engine()
    tasks = list(tasks)
    if not requests:
        requests = app.queries.requests(task.request_id for task in tasks)
    at = now()
    task_url = urls.by_id("approver.show", "task_id")
    result = []
    for task in tasks:
        req = requests[task.request_id]
        defn = app.service.definition_of(req)
        result.append(
            Row(
                task,
                req,
                labels.request_name(req),
                step_name(task, defn),
                summary(defn.fields, app.queries.fields(req)),
                person_tag(req.applicant),
                age(task.created_at, at),
                _("Select task %(id)s", id=task.id),
                task_url(task.id),
                due_label(task.due_on),
            )
        )
    return result


def summary(fields: Iterable[FieldDef], values: dict[str, Any], limit: int = 3) -> str:
    shown = [
        str(values[f.name])
        for f in fields
        if f.type in ("string", "long", "date", "enum") and not f.sensitive and values.get(f.name) not in (None, "")
    ]
    return " · ".join(shown[:limit])


def _page_number() -> int:
    return max(1, request.args.get("page", 1, type=int))


@bp.get("/inbox")
def inbox() -> str:
    user = me()
    page = _page_number()
    result = engine().queries.inbox(user.chart, user.id, limit=PAGE, offset=(page - 1) * PAGE, today=today())
    shown = rows(result.items, result.requests)
    return render_template(
        "approver/inbox.html",
        rows=shown,
        table=inbox_rows(shown, not user.is_inspector),
        total=result.total,
        page=page,
        per_page=PAGE,
        can_decide=not user.is_inspector,
        by_post=sum(not discipline_opinion(row.task) for row in shown) if user.is_inspector else 0,
        questions=nav.waiting().questions,  # 沟通 waiting for this person's answer (the menu's read)
    )


@bp.post("/inbox/approve")
@decides
def batch_approve() -> Response:
    """Approve several tasks at once; each is its own action, so one conflict spoils nothing."""
    ids = [int(i) for i in request.form.getlist("task") if i.isdigit()]
    approved, problems = 0, []
    for task_id in ids:
        try:
            task = engine().queries.task(task_id)
            if not holds(task):
                problems.append(_("#%(id)s is not yours to decide.", id=task_id))
                continue
            engine().service.decide(task_id, me().id, "approve", "")
            approved += 1
        except ConflictError:
            problems.append(f"#{task_id}: {messages.conflict(task_id)}")
        except ApprovalsError as exc:
            problems.append(f"#{task_id}: {messages.explain(exc)}")
    if not ids:
        flash(_("Tick the tasks to approve first."), "error")
    elif approved:
        flash(_("%(n)s task(s) approved.", n=approved), "success")
    for problem in problems:
        flash(problem, "error")
    return redirect(url_for("approver.inbox"))


@bp.get("/done")
def done() -> str:
    """What I decided, latest first, narrowed by the search form; each request's current step."""
    page = _page_number()
    form = listfilters.read(labels.TASK_STATUS)
    result = listfilters.listing().done_by(
        me().id, form.asked, limit=PAGE, offset=(page - 1) * PAGE
    )
    shown = rows(result.items)
    return render_template(
        "approver/done.html",
        rows=shown,
        take_back=_take_back_rows(shown),
        form=form,
        current=listfilters.current_steps(row.req for row in shown),
        total=result.total,
        page=page,
        per_page=PAGE,
    )


def _take_back_rows(shown: list[Row]) -> set[int]:
    """Ids of the rows offering 拿回: the latest approval per request that may be taken back."""
    live = [row for row in shown if row.task.status == "approved" and row.req.status in ("pending", "approved")]
    takeable = take_back_offered(row.req.id for row in live)
    offered: dict[int, int] = {}
    for row in live:  # latest first: the first row of a request is the approval taken back
        if row.req.id in takeable:
            offered.setdefault(row.req.id, row.task.id)
    return set(offered.values())


@bp.get("/notices")
def notices() -> str:
    """Filings and copies for my unit, and return reports the unit is still waiting for."""
    user = me()
    queries = engine().queries
    waiting = queries.notices(user.chart, user.id, open_only=True, limit=200)
    form = listfilters.read({kind: labels.KIND[kind] for kind in ("file", "copy")})
    page = _page_number()
    person = user.chart.people.get(user.id)
    seen = listfilters.listing().notices_seen(
        user.id, [person.unit] if person else [], form.asked, limit=30, offset=(page - 1) * 30
    )
    overdue = queries.overdue_reports(user.chart, user.id, today())
    return render_template(
        "approver/notices.html",
        waiting=rows(waiting.items, waiting.requests),
        total=waiting.total,
        recent=rows(seen.items),
        recent_total=seen.total,
        form=form,
        page=page,
        overdue=rows(overdue),
        today=today(),
    )
