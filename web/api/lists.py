"""我的申请, the inbox (待办) and the done list (已办), with the list pages' filters, counts and
cursors; the menu's counts in one call."""

from __future__ import annotations

from typing import Any

from approvals.reports.listing import ListFilter
from web.api import convert, schemas
from web.api.blueprint import TAGS, api, needs
from web.engine import engine
from web.listfilters import listing
from web.localtime import today
from web.users import me

TAG = [TAGS["lists"]]


def _filter(q: schemas.ListQuery) -> ListFilter:
    return ListFilter(request_type=q.type or "", status=q.status or "", since=q.since, until=q.until,
                      text=q.text or "")


@api.get("/me/requests", tags=TAG, responses={200: schemas.RequestPage})
@needs("read")
def my_requests(query: schemas.ListQuery) -> dict[str, Any]:
    """The caller's requests, newest first, narrowed as the list page narrows them."""
    offset = convert.offset_of(query.cursor)
    page = listing().my_requests(me().id, _filter(query), limit=query.limit, offset=offset)
    return {"items": [convert.summary(r) for r in page.items], "total": int(page.total),
            "next_cursor": convert.next_cursor(offset, len(page.items), int(page.total))}


@api.get("/me/inbox", tags=TAG, responses={200: schemas.TaskPage})
@needs("read")
def inbox(query: schemas.Cursor) -> dict[str, Any]:
    """Open decisions waiting for the caller: overdue first, then oldest first. ``total`` is
    capped at 1000 (``total_capped``), as the menu's badge is."""
    offset = convert.offset_of(query.cursor)
    user = me()
    page = engine().queries.inbox(user.chart, user.id, limit=query.limit, offset=offset, today=today())
    return {"items": [convert.task(t) for t in page.items], "total": int(page.total),
            "total_capped": bool(getattr(page.total, "capped", False)),
            "next_cursor": convert.next_cursor(offset, len(page.items), int(page.total))}


@api.get("/me/done", tags=TAG, responses={200: schemas.TaskPage})
@needs("read")
def done(query: schemas.ListQuery) -> dict[str, Any]:
    """What the caller decided or acknowledged, latest first."""
    offset = convert.offset_of(query.cursor)
    page = listing().done_by(me().id, _filter(query), limit=query.limit, offset=offset)
    return {"items": [convert.task(t) for t in page.items], "total": int(page.total),
            "next_cursor": convert.next_cursor(offset, len(page.items), int(page.total))}


@api.get("/me/counts", tags=TAG, responses={200: schemas.Counts})
@needs("read")
def counts() -> dict[str, Any]:
    """What waits for the caller, as the menu's badges count it."""
    w = engine().queries.waiting(me().chart, me().id)
    return {"decisions": int(w.decisions), "notices": int(w.notices), "reports": w.reports,
            "unread": int(w.unread), "questions": w.questions}
