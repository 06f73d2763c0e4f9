"""The steps still ahead of a request in progress, in words: "接下来：分管局领导审签（陈刚）".

The diagram marks where a request is, but not who comes next, and a screen reader or a
phone user reads no diagram. The route is the one the request's own process version gives
its stored fields, worked out against the org chart in force (whoever holds a post when the
step arrives is who gets it), with the fields checked as on the day it was submitted (a
departure date since past is no reason to show nothing). A step the round has already
reached is not "ahead"; nor is the applicant's own report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from approvals.errors import ApprovalsError
from approvals.process.routes import preview
from web import labels
from web.engine import current_chart, engine
from web.i18n import localized
from web.localtime import local
from web.presenters import group_who, name
from web.requestview import RequestView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upcoming:
    step: str
    kind: str
    who: str


def upcoming(view: RequestView) -> list[Upcoming]:
    req = view.req
    if req.status != "pending":
        return []
    reached = {row.task.bpmn_id for n, rows in view.rounds if n == req.round for row in rows}
    try:
        chart = current_chart(req.org_id)
        route = preview(chart, view.definition, req.request_type, req.applicant, engine().queries.fields(req),
                        local(req.created_at).date(), partial=False)
    except ApprovalsError as exc:  # the chart changed so that no route is found: the diagram still shows
        log.info("request #%s: no route ahead to show (%s)", req.id, exc)
        return []
    result = []
    for step in route.visible:
        if step.bpmn_id in reached or step.kind == "report":
            continue
        defn = view.definition.steps.get(step.bpmn_id)
        result.append(Upcoming(localized(step.name, defn.name_en if defn else None),
                               labels.word(labels.KIND, step.kind),
                               group_who(step) if step.group else name(step.assignee)))
    return result
