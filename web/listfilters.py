"""The search form above 我的申请 and 已办: reading it from the query string, and the rows'
current step (what the request waits on, who holds it, for how long)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flask import request
from markupsafe import Markup

from approvals.errors import ApprovalsError
from approvals.reports.listing import TEXT_LIMIT, ListFilter, Listing
from approvals.store.rows import ListedRequest, TaskRow
from web import labels
from web.engine import engine, now
from web.i18n import gettext as _
from web.presenters import age, step_name
from web.presenters import tag as person_tag
from web.users import me


@dataclass(frozen=True)
class Form:
    """The filter as asked, what is wrong with it (field → message), and the choices offered."""

    asked: ListFilter
    errors: Mapping[str, str]
    types: list[tuple[str, str]]
    statuses: list[tuple[str, str]]
    text_limit: int = TEXT_LIMIT


@dataclass(frozen=True)
class Current:
    """A request's current step as a list column shows it."""

    step: str
    holder: Markup
    waited: str


def listing() -> Listing:
    return Listing(engine().db)


def _day(name: str, errors: dict[str, str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Enter the date as YYYY-MM-DD (found %(value)s).", value=raw[:20])
        return None


def read(statuses: Mapping[str, object]) -> Form:
    """The filter from the query string; unknown types or statuses narrow nothing."""
    errors: dict[str, str] = {}
    types = request_types()
    kind = request.args.get("type", "")
    status = request.args.get("status", "")
    asked = ListFilter(
        request_type=kind if kind in dict(types) else "",
        status=status if status in statuses else "",
        since=_day("since", errors),
        until=_day("until", errors),
        text=request.args.get("q", "")[:TEXT_LIMIT],
    )
    choices = [(code, str(label)) for code, label in statuses.items()]
    return Form(asked, errors, types, choices)


def request_types() -> list[tuple[str, str]]:
    """The request types of the signed-in person's organization, as (code, label)."""
    chart = me().chart
    result = []
    for code in chart.organization.processes:
        try:
            name = engine().service.definition_for(chart, code).name
        except ApprovalsError:
            continue
        result.append((code, labels.request_type(code, chart.id, name)))
    return result


def current_steps(requests: Iterable[ListedRequest]) -> dict[int, Current]:
    """Each request's first open step (and how many more), read for the page in one statement."""
    app = engine()
    by_id = {req.id: req for req in requests}
    at = now()
    shown: dict[int, Current] = {}
    for request_id, steps in listing().current_steps(by_id).items():
        task: TaskRow = steps[0]
        more = f" +{len(steps) - 1}" if len(steps) > 1 else ""
        name = step_name(task, app.service.definition_of(by_id[request_id]))  # type: ignore[arg-type]  # a row, same fields
        shown[request_id] = Current(name + more, person_tag(task.assignee), age(task.created_at, at))
    return shown
