"""Feishu 三方审批's approve/reject buttons come back through our API as that person: the
callback token says it is Feishu's call for this organization, the organization's system
client acts as the person who pressed it, the UI's rules decide, and the trail says via which
client."""

from __future__ import annotations

import json

from flask import Flask
from sqlalchemy import select
from support import leave_fields, open_steps, pick
from todokit import KEY, SECRET

from approvals.app import Approvals
from approvals.identity.api_access import ApiAccess
from approvals.notifications.todos import Todos
from approvals.store.models import Task

XX = "xx-nrpb"
URL = f"/api/v1/integrations/feishu/{XX}/callback"


def _setup(engine: Approvals, scopes: tuple[str, ...] = ("act_as", "tasks:write")) -> tuple[str, str, int, str]:
    client_id, _ = ApiAccess(engine.db, engine.clock).create_client(XX, "飞书审批", list(scopes), "feng.jie")
    token = Todos(engine.db, engine.clock).put(XX, "feishu", KEY, SECRET, "feng.jie", api_base="https://open.feishu.cn",
                                               client_id=client_id, options={"approval_code": "A-1"})
    request_id = engine.service.submit(pick(engine.orgcharts.current(XX), "leader"), "leave", leave_fields())
    [step] = open_steps(engine, request_id)
    return token, client_id, step.id, step.assignee


def _body(token: str, task_id: int, who: str, action: str = "APPROVE", reason: str = "") -> dict[str, str]:
    return {"action_type": action, "action_context": str(task_id), "user_id": who, "reason": reason, "token": token}


def test_an_approval_pressed_in_feishu_is_decided_here_as_that_person_via_the_client(
        engine: Approvals, web: Flask) -> None:
    token, client_id, task_id, holder = _setup(engine)
    answer = web.test_client().post(URL, json=_body(token, task_id, holder, reason="同意，飞书"))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["code"] == 0
    decided = [e for e in engine.queries.trail(_request_of(engine, task_id)) if e.action == "decided"]
    [entry] = decided
    assert (entry.actor, entry.decision, entry.comment) == (holder, "approve", "同意，飞书")
    assert json.loads(entry.detail)["via"] == f"client 飞书审批 ({client_id})"


def _request_of(engine: Approvals, task_id: int) -> int:
    with engine.db.reading() as s:
        return int(s.scalar(select(Task.request_id).where(Task.id == task_id)))


def test_a_callback_with_a_wrong_token_decides_nothing(engine: Approvals, web: Flask) -> None:
    _token, _client, task_id, holder = _setup(engine)
    answer = web.test_client().post(URL, json=_body("forged", task_id, holder))
    assert answer.status_code == 401
    assert [t.id for t in open_steps(engine, _request_of(engine, task_id))] == [task_id]


def test_someone_who_does_not_hold_the_step_cannot_decide_it_from_feishu(engine: Approvals, web: Flask) -> None:
    token, _client, task_id, holder = _setup(engine)
    other = next(p for p in engine.orgcharts.current(XX).people if p != holder)
    answer = web.test_client().post(URL, json=_body(token, task_id, other))
    assert answer.status_code in (403, 404)
    stranger = next(iter(engine.orgcharts.current("cq-mca").people))
    assert web.test_client().post(URL, json=_body(token, task_id, stranger)).status_code == 403
    assert [t.id for t in open_steps(engine, _request_of(engine, task_id))] == [task_id]


def test_a_client_without_act_as_cannot_carry_feishu_decisions(engine: Approvals, web: Flask) -> None:
    token, _client, task_id, holder = _setup(engine, scopes=("tasks:write",))
    assert web.test_client().post(URL, json=_body(token, task_id, holder)).status_code == 403
