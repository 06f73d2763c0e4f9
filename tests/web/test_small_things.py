"""Small things a user noticed (issue 11): what each page says, in the user's words."""

from __future__ import annotations

from flask import Flask
from webkit import client_for, open_task, submit_leave, text

from approvals.app import Approvals

STAFF = "shen.yue"


def test_a_return_names_the_applicant_without_stray_spaces(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    page = client_for(web, "jiang.tao").post(
        f"/tasks/{task.id}/decide",
        data={"decision": "return", "comment": "请写明地址"},
        follow_redirects=True,
    )
    assert "已退回沈悦修改" in text(page)


def test_a_decision_sent_again_from_a_second_tab_is_called_ones_own(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    head = client_for(web, "jiang.tao")
    head.post(f"/tasks/{task.id}/decide", data={"decision": "approve"})
    again = text(
        head.post(f"/tasks/{task.id}/decide", data={"decision": "approve"}, follow_redirects=True)
    )
    assert "您已于 2026-11-23 09:00 处理过此事项（同意），本次操作未生效" in again
    assert "已被他人处理" not in again


def test_office_pages_refused_say_whose_pages_they_are(web: Flask) -> None:
    staff = client_for(web, STAFF)
    admin = staff.get("/admin/orgchart")
    audit = staff.get("/inspect/")
    assert (admin.status_code, audit.status_code) == (403, 403)
    assert "管理员" in text(admin) and "他人的工作事项" not in text(admin)
    assert "纪检" in text(audit) and "他人的工作事项" not in text(audit)


def test_a_family_trip_report_that_needs_no_approval_is_not_said_to_be_under_way(
    web: Flask,
) -> None:
    fields = {"relation": "配偶", "traveller": "李某", "destination": "某市高风险区",
              "risk_level": "高风险", "depart_on": "2026-11-20", "return_on": "2026-11-30"}
    page = text(client_for(web, STAFF).post("/apply/family_trip", data=fields, follow_redirects=True))
    assert "无需审批" in page and "已进入审批流程" not in page


def test_an_applicants_overdue_report_stands_out_on_her_home_page(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF, depart_on="2026-11-24", return_on="2026-11-26")
    for _ in range(3):
        task = open_task(engine, request_id, "approve")
        engine.service.decide(task.id, task.assignee, "approve")
    engine.clock.advance(days=30)  # type: ignore[attr-defined]  # back long ago, no report
    home = client_for(web, STAFF).get("/").get_data(as_text=True)
    assert 'class="card attention late"' in home
    assert "已逾期" in home
