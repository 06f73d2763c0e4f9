"""A task moved by a chart change or an acting approver says what happened, on the task page,
in the timeline, in the notification centre and on the inspector's trail; the new holder's
task is unread until they open it (issue 19, points 7 and 10)."""

from __future__ import annotations

from datetime import date

from flask import Flask
from webkit import client_for, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.people.orgchart.changes import Appoint

WHY = "蒋涛调任办公室，何平任财务科科长"
HELD = "曾由 蒋涛（2026-11-23 09:00 已阅） 持有 → 人事变动 → 何平"


def _moved_after_jiang_tao_read_it(engine: Approvals, web: Flask) -> tuple[int, int]:
    request_id = submit_leave(engine, "shen.yue")
    task = open_task(engine, request_id)
    assert task.assignee == "jiang.tao"
    client_for(web, "jiang.tao").get(f"/tasks/{task.id}")  # 已阅 at 09:00
    engine.clock.advance(hours=1)  # type: ignore[attr-defined]
    engine.admin.save_change("xx-nrpb", Appoint("he.ping", "head", "finance"), WHY, "feng.jie")
    return request_id, task.id


def test_the_new_holder_is_told_of_a_personnel_change_not_a_transfer_by_the_old_one(
        engine: Approvals, web: Flask) -> None:
    request_id, _task_id = _moved_after_jiang_tao_read_it(engine, web)
    told = text(client_for(web, "he.ping").get("/notifications"))
    assert (f"人事变动：离孝审批 #{request_id} 原由 蒋涛 办理，冯洁 调整组织架构后改由您办理（{WHY}）。"
            in told)
    assert "转给您" not in told


def test_the_timeline_shows_who_held_the_task_and_the_new_holders_task_is_unread(
        engine: Approvals, web: Flask) -> None:
    request_id, task_id = _moved_after_jiang_tao_read_it(engine, web)
    page = client_for(web, "shen.yue").get(f"/requests/{request_id}")
    shown = text(page)
    assert HELD in shown and f"冯洁 调整组织架构：{WHY}" in shown
    assert 'class="hint opened"' not in page.get_data(as_text=True)  # 何平 has not read it

    he_ping = client_for(web, "he.ping").get(f"/tasks/{task_id}")
    assert f"{HELD} · 冯洁 调整组织架构：{WHY}" in text(he_ping)
    after = client_for(web, "shen.yue").get(f"/requests/{request_id}").get_data(as_text=True)
    assert '<div class="hint opened">2026-11-23 10:00 已阅</div>' in after  # his own reading, when he opened it


def test_the_inspectors_trail_says_what_moved_the_task(engine: Approvals, web: Flask) -> None:
    request_id, _task_id = _moved_after_jiang_tao_read_it(engine, web)
    trail = text(client_for(web, "han.bing").get(f"/inspect/requests/{request_id}"))
    assert f"{HELD} · 冯洁 调整组织架构：{WHY}" in trail


def test_an_acting_approver_is_told_who_named_them(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, "shen.yue")
    task = open_task(engine, request_id)
    engine.service.delegate("jiang.tao", "he.ping", date(2026, 11, 23), date(2026, 11, 27))
    told = text(client_for(web, "he.ping").get("/notifications"))
    assert f"代理审批：蒋涛 指定您为代理人，离孝审批 #{request_id} 由您代为办理。" in told
    page = text(client_for(web, "he.ping").get(f"/tasks/{task.id}"))
    assert "曾由 蒋涛 持有 → 代理审批 → 何平" in page
