"""The notification centre: the caller's notifications, in their words, and marking them read."""

from __future__ import annotations

from typing import Any

from approvals.notifications.centre import Centre
from web.api import convert, schemas
from web.api.blueprint import TAGS, api, needs
from web.engine import engine, now
from web.notifications import notice_text, request_labels
from web.users import me

TAG = [TAGS["notifications"]]


@api.get("/notifications", tags=TAG, responses={200: schemas.NotificationPage})
@needs("read")
def notifications(query: schemas.Cursor) -> dict[str, Any]:
    offset = convert.offset_of(query.cursor)
    shown, total = Centre(engine().db).page(me().id, query.limit, offset)
    items = [{"id": n.id, "kind": n.kind, "request_id": n.request_id, "task_id": n.task_id,
              "text": notice_text(n, what), "created_at": convert.iso(n.created_at), "read": n.read}
             for n, what in zip(shown, request_labels(shown), strict=True)]
    return {"items": items, "total": total, "next_cursor": convert.next_cursor(offset, len(shown), total)}


@api.post("/notifications/read", tags=TAG, responses={200: schemas.Done})
@needs("read")
def read_notifications() -> dict[str, Any]:
    """Mark every notification of the caller read."""
    Centre(engine().db).mark_read(me().id, now())
    return {"ok": True}
