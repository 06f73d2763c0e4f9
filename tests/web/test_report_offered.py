"""The return report (返岗报告) is offered once it may be sent, and a refused report keeps what
was typed (issue 19, point 14)."""

from __future__ import annotations

from flask import Flask
from support import REPORT_A, back_from_trip
from webkit import client_for, open_task, submit_leave, text

from approvals.app import Approvals

STAFF = "shen.yue"


def _granted(engine: Approvals) -> int:
    request_id = submit_leave(engine, STAFF)  # departs 2026-12-01; the clock stands at 2026-11-23
    for _ in range(3):
        task = open_task(engine, request_id, "approve")
        engine.service.decide(task.id, task.assignee, "approve")
    return request_id


def test_before_the_trip_the_request_page_says_when_the_report_may_be_sent_instead_of_offering_it(
        engine: Approvals, web: Flask) -> None:
    request_id = _granted(engine)
    report = open_task(engine, request_id, "report")
    client = client_for(web, STAFF)
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert f"/report/{report.id}" not in page
    assert "2026-12-01 起可提交报告" in text(client.get(f"/requests/{request_id}"))
    opened = client.get(f"/requests/{request_id}/report/{report.id}", follow_redirects=True)
    assert "2026-12-01 起可提交报告" in text(opened) and "实际返回日期" not in text(opened)


def test_a_report_refused_as_too_early_keeps_what_was_typed_and_says_why_in_chinese(
        engine: Approvals, web: Flask) -> None:
    request_id = _granted(engine)
    report = open_task(engine, request_id, "report")
    client = client_for(web, STAFF)
    refused = client.post(f"/requests/{request_id}/report/{report.id}", data=REPORT_A)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert REPORT_A["itinerary"] in html and 'value="2026-12-05"' in html
    assert "行程开始后（2026-12-01 起）才能提交报告" in text(refused)
    with back_from_trip(engine, request_id):
        client = client_for(web, STAFF)
        assert f"/report/{report.id}" in client.get(f"/requests/{request_id}").get_data(as_text=True)
