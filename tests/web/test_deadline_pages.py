"""Due dates as the approver and the admin see them: working days left or overdue, and a
warning when the holiday data for next year is missing."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from support import leave_fields, pick
from webkit import ADMIN, client_for, open_task, text

from approvals.app import Approvals


def test_the_inbox_and_task_page_count_working_days_left_then_overdue(engine: Approvals, web: Flask) -> None:
    chart = engine.orgcharts.current("xx-nrpb")
    request_id = engine.service.submit(pick(chart, "leader"), "leave", leave_fields())
    task = open_task(engine, request_id)
    client = client_for(web, task.assignee)
    assert "剩 3 个工作日" in text(client.get("/inbox"))
    engine.clock.at = datetime(2026, 11, 30, 9)  # type: ignore[attr-defined]  # Monday after the Thursday
    client = client_for(web, task.assignee)
    assert "已超期 2 个工作日" in text(client.get("/inbox"))
    assert "已超期 2 个工作日" in text(client.get(f"/tasks/{task.id}"))


def test_the_admin_page_says_next_year_has_no_holiday_data(engine: Approvals, web: Flask) -> None:
    page = text(client_for(web, ADMIN).get("/admin/orgchart"))
    assert "没有 2027 年的节假日数据" in page and "周一至周五" in page
