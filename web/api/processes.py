"""The processes offered to the caller, their form fields, a route preview, and starting one."""

from __future__ import annotations

from typing import Any

from flask import abort

from approvals.errors import UnknownProcessError
from approvals.store import business_keys
from web.api import convert, schemas
from web.api.blueprint import CONFLICT, TAGS, api, needs
from web.api.idempotent import once
from web.engine import engine
from web.listfilters import request_types
from web.users import me

TAG = [TAGS["processes"]]


def _definition(request_type: str) -> Any:
    try:
        return engine().service.definition_for(me().chart, request_type)
    except UnknownProcessError:
        abort(404)


@api.get("/processes", tags=TAG, responses={200: schemas.ProcessList})
@needs("read")
def list_processes() -> dict[str, Any]:
    """The request types the caller's organization offers, with their form fields."""
    items = []
    for code, label in request_types():
        fields = engine().service.definition_for(me().chart, code).fields
        items.append({"request_type": code, "name": label, "fields": [convert.form_field(f) for f in fields]})
    return {"items": items}


@api.post("/processes/<request_type>/preview", tags=TAG, responses={200: schemas.RouteOut})
@needs("read")
def preview(path: schemas.TypePath, body: schemas.StartBody) -> dict[str, Any]:
    """The route a request with these fields would take now (a dry run of the same process)."""
    _definition(path.request_type)
    route = engine().service.preview(me().id, path.request_type, convert.form_fields(body.fields))
    return {"request_type": path.request_type,
            "steps": [{"kind": s.kind, "name": s.name, "assignee": s.assignee, "assignees": list(s.assignees)}
                      for s in route.visible]}


@api.post("/processes/<request_type>/requests", tags=TAG, responses={201: schemas.Created, **CONFLICT})
@needs("requests:write")
def start(path: schemas.TypePath, body: schemas.StartBody,
          header: schemas.IdemHeader) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Start a request. With ``business_key`` there is one request per key and process (409
    names the one that has it); with ``Idempotency-Key`` a resend answers the first outcome."""
    defn = _definition(path.request_type)
    raw = convert.form_fields(body.fields)

    def submit() -> int:
        if body.business_key is None:
            return engine().service.submit(me().id, path.request_type, raw)
        app = engine()
        business_keys.claim(app.db, defn.process_id, body.business_key, app.clock.now())
        try:
            request_id = app.service.submit(me().id, path.request_type, raw)
        except BaseException:
            business_keys.give_back(app.db, defn.process_id, body.business_key)
            raise
        business_keys.bind(app.db, defn.process_id, body.business_key, request_id)
        return request_id

    done = once(submit, lambda request_id: f"/api/v1/requests/{request_id}")
    request_id = done.value if done.value is not None else int(done.location.rsplit("/", 1)[-1] or 0)
    if not request_id:
        abort(409)
    location = f"/api/v1/requests/{request_id}"
    return ({"id": request_id, "location": location, "replayed": done.replayed},
            200 if done.replayed else 201, {"Location": location})
