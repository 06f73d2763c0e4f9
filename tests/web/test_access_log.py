"""PIPL: every view of a request's details by someone other than its applicant is logged
(who, when, which request, in what capacity), and inspectors search that log."""

from __future__ import annotations

from flask import Flask
from support import NOW, meeting_fields
from webkit import client_for, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.audit import access_log
from approvals.audit.access_log import AccessQuery
from approvals.service import Upload

INSPECTOR = "yang.fan"


def _views(engine: Approvals, **filters: object) -> list[tuple[str, int | None, str, str]]:
    rows, _total = access_log.search(engine.db, AccessQuery(org_id="xx-nrpb", **filters))  # type: ignore[arg-type]
    return [(r.viewer, r.request_id, r.capacity, r.what) for r in reversed(rows)]


def test_the_applicant_reading_her_own_request_is_not_logged(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, "shen.yue")
    assert client_for(web, "shen.yue").get(f"/requests/{request_id}").status_code == 200
    assert _views(engine) == []


def test_an_approver_opening_the_task_and_the_request_is_logged_as_approver(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, "shen.yue")
    task = open_task(engine, request_id)
    client = client_for(web, task.assignee)
    assert client.get(f"/tasks/{task.id}").status_code == 200
    assert client.get(f"/requests/{request_id}").status_code == 200
    assert _views(engine) == [(task.assignee, request_id, "approver", "task"),
                              (task.assignee, request_id, "approver", "request")]


def test_a_past_decider_and_an_inspector_are_logged_in_their_capacity(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, "shen.yue")
    task = open_task(engine, request_id)
    engine.service.decide(task.id, task.assignee, "approve", "同意")
    client_for(web, task.assignee).get(f"/requests/{request_id}")
    client_for(web, INSPECTOR).get(f"/inspect/requests/{request_id}")
    assert _views(engine) == [(task.assignee, request_id, "past_decider", "request"),
                              (INSPECTOR, request_id, "inspector", "trail")]


def test_downloading_an_attachment_is_logged(engine: Approvals, web: Flask) -> None:
    request_id = engine.service.submit("zhao.lei", "meeting", meeting_fields(60),
                                       {"plan": Upload("防控方案.txt", "text/plain", "方案".encode())})
    [attachment] = engine.queries.attachments(request_id)
    chief = open_task(engine, request_id).assignee
    assert client_for(web, chief).get(f"/attachments/{attachment.id}").status_code == 200
    client_for(web, "zhao.lei").get(f"/attachments/{attachment.id}")
    assert _views(engine) == [(chief, request_id, "approver", "attachment")]


def test_an_audit_export_is_logged_with_its_filters(engine: Approvals, web: Flask) -> None:
    client_for(web, INSPECTOR).get("/inspect/export.csv?decision=approve")
    rows, _total = access_log.search(engine.db, AccessQuery(org_id="xx-nrpb", viewer=INSPECTOR))
    assert [(r.what, r.request_id, r.detail) for r in rows] == [("export", None, '{"decision": "approve"}')]


def test_inspectors_search_the_log_by_viewer_request_and_dates(engine: Approvals, web: Flask) -> None:
    first, second = submit_leave(engine, "shen.yue"), submit_leave(engine, "sun.li")
    for request_id in (first, second):
        task = open_task(engine, request_id)
        client_for(web, task.assignee).get(f"/tasks/{task.id}")
    jiang = open_task(engine, first).assignee
    inspector = client_for(web, INSPECTOR)
    page = text(inspector.get("/inspect/access"))
    assert "个人信息查看记录" in page and "共 2 次查看" in page and "审批人（当前环节）" in page
    by_request = text(inspector.get(f"/inspect/access?request={first}"))
    assert "共 1 次查看" in by_request and f"#{first}" in by_request and jiang in by_request
    assert "共 1 次查看" in text(inspector.get(f"/inspect/access?person={jiang}"))
    day = NOW.date().isoformat()
    assert "共 2 次查看" in text(inspector.get(f"/inspect/access?since={day}&until={day}"))
    assert "没有符合条件的查看记录" in text(inspector.get("/inspect/access?since=2026-11-24"))
    assert client_for(web, "shen.yue").get("/inspect/access").status_code == 403
