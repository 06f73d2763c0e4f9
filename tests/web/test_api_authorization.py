"""The UI's 403/404 matrix (test_authorization.py) run through the API: each refusal is a 403
or 404 problem, and nothing changes in the audit trail."""

from __future__ import annotations

from typing import Any

from apikit import Api, api_for
from flask import Flask
from test_authorization import HEAD, INSPECTOR, OTHER_HEAD, STAFF, _audit_size
from webkit import ADMIN, open_task, submit_leave

from approvals.app import Approvals


def _unchanged(engine: Approvals, before: int, response: Any, codes: tuple[int, ...] = (403, 404)) -> None:
    assert response.status_code in codes, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json"
    assert _audit_size(engine) == before, "a refused call left a trace in the audit trail"


def test_an_approver_cannot_open_or_decide_another_approvers_task(engine: Approvals, web: Flask) -> None:
    task = open_task(engine, submit_leave(engine, STAFF))
    other = api_for(web, engine, OTHER_HEAD)
    before = _audit_size(engine)
    _unchanged(engine, before, other.get(f"/api/v1/tasks/{task.id}"))
    for body in ({"decision": "approve"}, {"decision": "reject", "comment": "x"}):
        _unchanged(engine, before, other.post(f"/api/v1/tasks/{task.id}/decide", body))
    _unchanged(engine, before, other.post(f"/api/v1/tasks/{task.id}/acknowledge"))
    for op, body in (("transfer", {"to": STAFF}), ("add-approver", {"person": STAFF, "mode": "after"}),
                     ("ask", {"person": STAFF, "question": "?"}), ("send-back", {"to_task_id": task.id})):
        _unchanged(engine, before, other.post(f"/api/v1/tasks/{task.id}/{op}", body))
    assert engine.queries.task(task.id).is_open


def test_an_applicant_cannot_read_or_change_another_applicants_request(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    other = api_for(web, engine, "sun.li")
    before = _audit_size(engine)
    _unchanged(engine, before, other.get(f"/api/v1/requests/{request_id}"))
    _unchanged(engine, before, other.post(f"/api/v1/requests/{request_id}/withdraw"))
    _unchanged(engine, before, other.post(f"/api/v1/requests/{request_id}/urge/{task.id}"))
    assert engine.queries.request(request_id).status == "pending"


def test_an_approver_may_read_the_request_but_not_act_as_its_applicant(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    head = api_for(web, engine, HEAD)
    assert head.get(f"/api/v1/requests/{request_id}").status_code == 200
    before = _audit_size(engine)
    _unchanged(engine, before, head.post(f"/api/v1/requests/{request_id}/withdraw"))


def test_an_inspector_never_decides_even_a_task_their_post_gives_them(engine: Approvals, web: Flask) -> None:
    task = open_task(engine, submit_leave(engine, "yang.fan"))
    assert task.assignee == "han.bing"
    inspector = api_for(web, engine, "han.bing")
    assert inspector.get(f"/api/v1/tasks/{task.id}").status_code == 200
    before = _audit_size(engine)
    _unchanged(engine, before, inspector.post(f"/api/v1/tasks/{task.id}/decide", {"decision": "approve"}))
    assert engine.queries.task(task.id).is_open


def test_an_inspector_reads_any_request_of_their_organization_but_cannot_decide_it(engine: Approvals,
                                                                                  web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    inspector = api_for(web, engine, INSPECTOR)
    assert inspector.get(f"/api/v1/requests/{request_id}").status_code == 200
    assert inspector.get(f"/api/v1/audit/requests/{request_id}/trail").status_code == 200
    before = _audit_size(engine)
    _unchanged(engine, before, inspector.post(f"/api/v1/tasks/{task.id}/decide", {"decision": "approve"}))


def test_a_non_admin_cannot_see_chart_versions_or_deploy(engine: Approvals, web: Flask) -> None:
    staff = api_for(web, engine, STAFF)
    before = _audit_size(engine)
    _unchanged(engine, before, staff.get("/api/v1/admin/orgchart/versions"), (403,))
    _unchanged(engine, before, staff.post("/api/v1/admin/processes/check", {"xml": "<x/>"}), (403,))
    _unchanged(engine, before, staff.post("/api/v1/admin/processes/deploy", {"xml": "<x/>"}), (403,))
    _unchanged(engine, before, staff.post("/api/v1/requests/1/terminate", {"reason": "x"}), (403, 404))
    assert api_for(web, engine, ADMIN).get("/api/v1/admin/orgchart/versions").status_code == 200


def test_only_inspectors_use_the_audit_endpoints(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    for person in (STAFF, HEAD, ADMIN):
        api = api_for(web, engine, person)
        for url in ("/api/v1/audit/entries", "/api/v1/audit/access-log",
                    f"/api/v1/audit/requests/{request_id}/trail"):
            assert api.get(url).status_code == 403, (person, url)


def test_an_inspector_of_one_bureau_cannot_read_another_bureaus_requests(engine: Approvals, web: Flask) -> None:
    chart_b = engine.orgcharts.current("cq-mca")
    applicant = next(p for p in chart_b.people if p != chart_b.posts.get("chief"))
    request_id = engine.service.submit(applicant, "leave", {"destination": "成都市", "depart_on": "2026-12-01",
                                                            "return_on": "2026-12-05", "reason": "探亲"})
    inspector = api_for(web, engine, INSPECTOR)
    assert inspector.get(f"/api/v1/requests/{request_id}").status_code == 403
    assert inspector.get(f"/api/v1/audit/requests/{request_id}/trail").status_code == 404


def test_unknown_requests_and_tasks_are_404(engine: Approvals, web: Flask) -> None:
    staff = api_for(web, engine, STAFF)
    assert staff.get("/api/v1/requests/999").status_code == 404
    assert staff.get("/api/v1/tasks/999").status_code == 404
    assert staff.post("/api/v1/processes/no-such-type/requests", {"fields": {}}).status_code == 404


def test_a_garbage_token_is_401(web: Flask) -> None:
    assert Api(web, "apr_pat_nothing").get("/api/v1/me/inbox").status_code == 401
