"""A task that changes hands without anyone deciding says what happened (issue 19, points 7
and 10): a chart change (人事变动) by which admin and why, an acting approver (代理审批) named
or ended; the new holder's task is unread, and the trail keeps who held it before and whether
they had read it."""

from __future__ import annotations

import json
from datetime import date, datetime

from support import leave_fields

from approvals.app import Approvals
from approvals.notifications.centre import Centre
from approvals.notifications.render import render
from approvals.people.orgchart.changes import Appoint

ORG = "xx-nrpb"
NAMES = {"jiang.tao": "蒋涛", "he.ping": "何平", "feng.jie": "冯洁", "chen.gang": "陈刚",
         "zhang.hua": "张华", "shen.yue": "沈悦"}


def _name(person: str | None) -> str:
    return NAMES.get(person or "", person or "")


def _moved(app: Approvals, person: str) -> tuple[dict[str, object], str]:
    """The newest 'moved' notification of ``person``: its params and the message text sent out."""
    moved = next(n for n in Centre(app.db).page(person)[0] if n.kind == "moved")
    return moved.params, render("moved", moved.params, moved.request_id, "离孝审批", "科室主要负责人签字", _name)[1]


def _holder_changes(app: Approvals, request_id: int) -> list[dict[str, object]]:
    return [json.loads(e.detail) for e in app.queries.trail(request_id) if e.action == "reassigned"]


def _read_by_jiang_tao(app: Approvals) -> tuple[int, int]:
    request_id = app.service.submit("shen.yue", "leave", leave_fields())
    [step] = [t for t in app.queries.steps(request_id) if t.is_open]
    assert step.assignee == "jiang.tao"
    assert app.service.mark_opened(step.id, "jiang.tao")  # 蒋涛 read it (已阅)
    app.clock.advance(hours=2)  # type: ignore[attr-defined]
    return request_id, step.id


def test_a_task_moved_by_a_chart_change_says_personnel_change_by_which_admin_and_why(app: Approvals) -> None:
    request_id, task_id = _read_by_jiang_tao(app)
    app.admin.save_change(ORG, Appoint("he.ping", "head", "finance"), "蒋涛调任办公室，何平任财务科科长", "feng.jie")

    params, text = _moved(app, "he.ping")
    assert params == {"from": "jiang.tao", "reason": "orgchart", "by": "feng.jie",
                      "comment": "蒋涛调任办公室，何平任财务科科长"}
    assert text == ("人事变动：离孝审批 #1 的“科室主要负责人签字”步骤原由 蒋涛 办理，"
                    "冯洁 调整组织架构后改由您办理（蒋涛调任办公室，何平任财务科科长）。")
    assert "转给您" not in text  # 蒋涛 did nothing


def test_the_new_holder_of_a_moved_task_has_not_read_it_and_the_trail_keeps_who_had(app: Approvals) -> None:
    request_id, task_id = _read_by_jiang_tao(app)
    read_at = app.queries.task(task_id).opened_at
    app.admin.save_change(ORG, Appoint("he.ping", "head", "finance"), "干部调整", "feng.jie")

    task = app.queries.task(task_id)
    assert (task.assignee, task.opened_at) == ("he.ping", None)
    assert _holder_changes(app, request_id) == [
        {"step": "科室主要负责人签字", "role": "unit_head", "from": "jiang.tao", "to": "he.ping",
         "reason": "orgchart: he.ping now holds the post (unit_head)", "cause": "orgchart", "change": "post",
         "comment": "干部调整", "read_at": read_at.isoformat()}]
    assert app.service.mark_opened(task_id, "he.ping")  # his own first opening is recorded
    assert app.queries.task(task_id).opened_at == datetime(2026, 11, 23, 11, 0)


def test_a_task_moved_to_an_acting_approver_says_so_and_is_unread(app: Approvals) -> None:
    request_id, task_id = _read_by_jiang_tao(app)
    app.service.delegate("jiang.tao", "he.ping", date(2026, 11, 23), date(2026, 11, 27))

    params, text = _moved(app, "he.ping")
    assert (params["reason"], params["from"], params["by"]) == ("delegation", "jiang.tao", "jiang.tao")
    assert text == "代理审批：蒋涛 指定您为代理人，离孝审批 #1 的“科室主要负责人签字”步骤由您代为办理。"
    assert app.queries.task(task_id).opened_at is None
    [entry] = _holder_changes(app, request_id)
    assert (entry["cause"], entry["read_at"]) == ("delegation", "2026-11-23T09:00:00")


def test_a_task_given_back_when_the_acting_approver_ends_says_so(app: Approvals) -> None:
    request_id, task_id = _read_by_jiang_tao(app)
    delegation = app.service.delegate("jiang.tao", "he.ping", date(2026, 11, 23), date(2026, 11, 27))
    app.accounts.end_delegation(delegation, "jiang.tao")

    params, text = _moved(app, "jiang.tao")
    assert (params["reason"], params["from"]) == ("delegation ended", "he.ping")
    assert text == "代理结束：离孝审批 #1 的“科室主要负责人签字”步骤由代理人 何平 交回您办理。"
    assert [e["cause"] for e in _holder_changes(app, request_id)] == ["delegation", "delegation_ended"]
