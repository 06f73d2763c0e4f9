"""A request with its timeline and current step; withdraw, urge, 拿回 and 终止; attachments.
Each view makes the checks the request page makes (web/applicant/requests.py,
web/approver/operations.py) before the same engine call."""

from __future__ import annotations

from typing import Any

from flask import Response, abort

from web.api import convert, schemas
from web.api.blueprint import CONFLICT, TAGS, api, needs
from web.api.idempotent import once
from web.downloads import served
from web.engine import engine
from web.requestview import own_request, record_view, shown_fields, visible_request
from web.users import decides, me, offices

TAG = [TAGS["requests"]]


class UrgePath(schemas.RequestPath):
    task_id: int = schemas.Field(ge=1, le=2**31 - 1)


def request_out(request_id: int) -> dict[str, Any]:
    app = engine()
    req = visible_request(request_id)
    steps = app.queries.steps(req.id)
    record_view(req, "request", steps)
    current = [t for t in steps if t.round == req.round and t.is_open]
    return schemas.RequestOut(
        id=req.id, request_type=req.request_type, applicant=req.applicant, status=req.status, round=req.round,
        fields=shown_fields(req, app.service.definition_of(req), steps), created_at=convert.stamped(req.created_at),
        updated_at=convert.stamped(req.updated_at),
        current_steps=[schemas.TaskOut(**convert.task(t)) for t in current],
        timeline=[schemas.TaskOut(**convert.task(t)) for t in steps],
    ).model_dump(mode="json")


@api.get("/requests/<int:request_id>", tags=TAG, responses={200: schemas.RequestOut})
@needs("read")
def get_request(path: schemas.RequestPath) -> dict[str, Any]:
    """The request, its current steps and its timeline (applicant, step holders, inspectors)."""
    return request_out(path.request_id)


def _done(run: Any, request_id: int, header: schemas.IdemHeader) -> dict[str, Any]:
    done = once(run, lambda _v: f"/api/v1/requests/{request_id}")
    return schemas.Done(request_id=request_id, replayed=done.replayed).model_dump(mode="json")


@api.post("/requests/<int:request_id>/withdraw", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("requests:write")
def withdraw(path: schemas.RequestPath, header: schemas.IdemHeader) -> dict[str, Any]:
    """The applicant withdraws the request (before the first decision of the round)."""
    own_request(path.request_id)
    return _done(lambda: engine().service.withdraw(path.request_id, me().id), path.request_id, header)


@api.post("/requests/<int:request_id>/urge/<int:task_id>", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("requests:write")
def urge(path: UrgePath, header: schemas.IdemHeader) -> dict[str, Any]:
    """催办: remind the holder of a waiting decision (once per interval)."""
    own_request(path.request_id)
    if engine().queries.task(path.task_id).request_id != path.request_id:
        abort(404)
    return _done(lambda: engine().service.urge(path.task_id, me().id), path.request_id, header)


@api.post("/requests/<int:request_id>/take-back", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("tasks:write")
@decides
def take_back(path: schemas.RequestPath, header: schemas.IdemHeader) -> dict[str, Any]:
    """拿回: take back one's approval while the next step is unopened; answers the new task."""
    done = once(lambda: engine().service.take_back(path.request_id, me().id), lambda t: f"/api/v1/tasks/{t}")
    task_id = done.value if done.value is not None else int(done.location.rsplit("/", 1)[-1] or 0)
    return schemas.Done(request_id=path.request_id, task_id=task_id or None,
                        replayed=done.replayed).model_dump(mode="json")


@api.post("/requests/<int:request_id>/terminate", tags=TAG, responses={200: schemas.Done, **CONFLICT})
@needs("admin")
def terminate(path: schemas.RequestPath, body: schemas.ReasonBody, header: schemas.IdemHeader) -> dict[str, Any]:
    """终止: an administrator ends a request in progress, with a reason."""
    if not me().is_admin:
        abort(403)
    return _done(lambda: engine().service.terminate(path.request_id, me().id, body.reason, offices()),
                 path.request_id, header)


@api.get("/attachments/<int:attachment_id>", tags=TAG,
         responses={200: {"description": "the file", "content": {"application/octet-stream": {}}}})
@needs("read")
def download(path: schemas.AttachmentPath) -> Response:
    """An attachment of a request the caller may read (the access is logged as on the page)."""
    row = engine().queries.attachment(path.attachment_id)
    if row is None:
        abort(404)
    record_view(visible_request(row.request_id), "attachment")
    return served(row.data, row.filename)
