"""Callbacks from the apps staff approve in: Feishu 三方审批's quick approve/reject buttons.

Feishu posts ``{"action_type": "APPROVE" | "REJECT", "action_context": "<our task id>",
"user_id": "<who pressed it>", "reason": "...", "token": "<the callback token>"}`` to the
external approval definition's callback URL, which is this endpoint. The token (made by
``approvals api todo set``) says the call is Feishu's for this organization; the decision is
then made exactly as a system client acting as that person would make it through the API: by
the organization's client named in the setting (it needs ``act_as`` and ``tasks:write``), as
flask_login's user, with the UI's checks, and the audit trail says "via client X".
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import g
from pydantic import BaseModel, Field

from approvals.audit import chain as audit
from approvals.notifications import todos
from approvals.store.orgcharts import person_chart
from web import users
from web.api.auth import access
from web.api.blueprint import TAGS, api
from web.api.problems import problem
from web.engine import charts_in_force, engine
from web.i18n import gettext as _

TAG = [TAGS["tasks"]]
DECISIONS = {"APPROVE": "approve", "REJECT": "reject"}


class OrgPath(BaseModel):
    org: str = Field(min_length=1, max_length=64)


class FeishuAction(BaseModel):
    action_type: str = Field(max_length=20, description="APPROVE or REJECT")
    action_context: str = Field(max_length=40, description="our task id, as sent in the instance")
    user_id: str = Field(min_length=1, max_length=64)
    reason: str = Field("", max_length=2000)
    token: str = Field(max_length=200)


@api.post("/integrations/feishu/<org>/callback", tags=TAG, security=[])
def feishu_callback(path: OrgPath, body: FeishuAction) -> Any:
    """Feishu 三方审批: a person approved or rejected a task in Feishu (docs/api.md)."""
    setting = todos.setting_of(engine().db, path.org, "feishu")
    expected = setting.credentials.get("callback_token", "") if setting else ""
    if not expected or not hmac.compare_digest(expected.encode(), body.token.encode()):
        return problem(401, _("Unknown organization or wrong callback token."))
    decision = DECISIONS.get(body.action_type)
    if decision is None or not body.action_context.isdigit():
        return problem(422, "", [{"field": "action_type", "reason": _("expected APPROVE or REJECT and a task id")}])
    client = next((c for c in access().clients(path.org) if setting and c.client_id == setting.client_id), None)
    if client is None or client.revoked_at is not None or not {"act_as", "tasks:write"} <= set(client.scopes.split()):
        return problem(403, _("No system client with act_as and tasks:write is set for Feishu callbacks."))
    try:
        chart = person_chart(charts_in_force(), body.user_id)
    except Exception:  # noqa: BLE001 - an unknown person is simply not of this organization
        chart = None
    user = users.load(body.user_id) if chart is not None and chart.id == path.org else None
    if user is None:
        return problem(403, _("%(person)s is not a person of this client's organization.", person=body.user_id))
    g._login_user = user  # the UI's checks decide, for this person
    via = audit.VIA.set(f"client {client.name} ({client.client_id})")
    try:
        engine().service.decide(int(body.action_context), user.id, decision, body.reason)
    finally:
        audit.VIA.reset(via)
    return {"code": 0, "msg": "success", "data": {"task_id": int(body.action_context), "decision": decision}}
