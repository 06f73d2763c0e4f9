"""For administrators: the org chart's versions, and process deployment (check-only too).
Their own organizations only; the engine checks the rights again on every change."""

from __future__ import annotations

from typing import Any

from flask import abort
from pydantic import BaseModel, Field

from approvals.operations.deploy import DeployCheck, DeployRefusedError
from web.api import convert, schemas
from web.api.blueprint import TAGS, api, needs
from web.api.problems import problem
from web.engine import engine
from web.users import me, offices

TAG = [TAGS["admin"]]


class OrgQuery(BaseModel):
    org: str | None = Field(None, max_length=64, description="default: the administrator's own")


class VersionOut(BaseModel):
    id: int
    version: str
    created_at: str
    created_by: str | None = None
    comment: str = ""


class VersionList(BaseModel):
    org: str
    items: list[VersionOut]


class DeployBody(schemas.Strict):
    xml: str = Field(min_length=1, max_length=2_000_000, description="the BPMN file's text")
    source: str = Field("process.bpmn", min_length=1, max_length=200)
    comment: str = Field("", max_length=500)


class DeployOut(BaseModel):
    deployed: bool
    processes: list[str]
    used_by: list[list[str]]
    people_checked: int


def _org(asked: str | None) -> str:
    user = me()
    if not user.is_admin:
        abort(403)
    org = asked or (user.org_id if user.org_id in user.admin_of else min(user.admin_of))
    if org not in user.admin_of or org not in engine().orgcharts.org_ids():
        abort(404)
    return org


@api.get("/admin/orgchart/versions", tags=TAG, responses={200: VersionList})
@needs("admin")
def chart_versions(query: OrgQuery) -> dict[str, Any]:
    org = _org(query.org)
    return {"org": org, "items": [{"id": v.id, "version": v.version, "created_at": convert.iso(v.created_at),
                                   "created_by": v.created_by, "comment": v.comment or ""}
                                  for v in engine().admin.versions(org)]}


def _check(body: DeployBody, deploying: bool) -> Any:
    _org(None)
    app = engine()
    try:
        if deploying:
            check: DeployCheck = app.deployer.deploy(body.xml, body.source, me().id, body.comment, offices=offices())
        else:
            check = app.deployer.check(body.xml, body.source, me().id, offices=offices())
    except DeployRefusedError as exc:
        issues = [{"field": "xml", "reason": str(b)} for b in exc.check.blocked]
        issues += [{"field": "xml", "reason": str(i)} for i in exc.check.issues]
        return problem(422, str(exc), issues)
    return {"deployed": deploying, "processes": [d.process_id for d in check.definitions],
            "used_by": [list(u) for u in check.used_by], "people_checked": check.people_checked}


@api.post("/admin/processes/check", tags=TAG, responses={200: DeployOut})
@needs("admin")
def check_process(body: DeployBody) -> Any:
    """What deploying this BPMN would do, and who could no longer apply: nothing is changed."""
    return _check(body, False)


@api.post("/admin/processes/deploy", tags=TAG, responses={200: DeployOut})
@needs("admin")
def deploy_process(body: DeployBody) -> Any:
    """Put a process version in force for new requests (refused, 422, as the check would be)."""
    return _check(body, True)
