"""Who may do what: each refusal is a 403 or 404 page, and nothing changes in the database."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from webkit import ADMIN, client_for, open_task, submit_leave

from approvals.app import Approvals
from approvals.store.models import AuditEntry

STAFF = "shen.yue"
HEAD = "jiang.tao"
OTHER_HEAD = "zhao.lei"  # 规划科科长: approves his own staff, not 财务科's
INSPECTOR = "yang.fan"


def _audit_size(engine: Approvals) -> int:
    """Entries other than refusals: a refused administrator page is recorded (``office_refused``,
    三员分立: the audit administrator reads it), and changes nothing else."""
    with engine.db.reading() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.action != "office_refused")) or 0


def _unchanged(
    engine: Approvals, before: int, response: Any, codes: tuple[int, ...] = (403, 404)
) -> None:
    assert response.status_code in codes, response.status_code
    assert "Traceback" not in response.get_data(as_text=True)
    assert _audit_size(engine) == before, "a refused action left a trace in the audit trail"


def test_an_approver_cannot_open_or_decide_another_approvers_task(
    engine: Approvals, web: Flask
) -> None:
    task = open_task(engine, submit_leave(engine, STAFF))
    client = client_for(web, OTHER_HEAD)
    before = _audit_size(engine)
    _unchanged(engine, before, client.get(f"/tasks/{task.id}"))
    _unchanged(
        engine, before, client.post(f"/tasks/{task.id}/decide", data={"decision": "approve"})
    )
    _unchanged(
        engine,
        before,
        client.post(f"/tasks/{task.id}/decide", data={"decision": "reject", "comment": "x"}),
    )
    _unchanged(engine, before, client.post("/inbox/approve", data={"task": [task.id]}), (302,))
    _unchanged(engine, before, client.post(f"/tasks/{task.id}/acknowledge"))
    assert engine.queries.task(task.id).is_open


def test_an_applicant_cannot_read_or_change_another_applicants_request(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    client = client_for(web, "sun.li")
    before = _audit_size(engine)
    for url in (
        f"/requests/{request_id}",
        f"/requests/{request_id}/diagram.bpmn",
        f"/requests/{request_id}/resubmit",
    ):
        _unchanged(engine, before, client.get(url))
    for url in (f"/requests/{request_id}/withdraw", f"/requests/{request_id}/urge/{task.id}"):
        _unchanged(engine, before, client.post(url))
    assert engine.queries.request(request_id).status == "pending"


def test_an_approver_may_read_the_request_but_not_act_as_its_applicant(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    client = client_for(web, HEAD)
    assert client.get(f"/requests/{request_id}").status_code == 200
    before = _audit_size(engine)
    _unchanged(engine, before, client.post(f"/requests/{request_id}/withdraw"))


def test_an_inspector_never_decides_even_a_task_their_post_gives_them(
    engine: Approvals, web: Flask
) -> None:
    # 杨帆 (机关纪委) applies; her unit head 韩冰 is an inspector and gets the task.
    request_id = submit_leave(engine, "yang.fan")
    task = open_task(engine, request_id)
    assert task.assignee == "han.bing"
    client = client_for(web, "han.bing")
    assert client.get(f"/tasks/{task.id}").status_code == 200  # may read it (已阅 is noted) ...
    before = _audit_size(engine)
    _unchanged(
        engine, before, client.post(f"/tasks/{task.id}/decide", data={"decision": "approve"})
    )
    _unchanged(engine, before, client.post("/inbox/approve", data={"task": [task.id]}))
    assert engine.queries.task(task.id).is_open


def test_an_inspector_reads_any_request_of_their_organization_but_cannot_decide_it(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    client = client_for(web, INSPECTOR)
    assert client.get(f"/requests/{request_id}").status_code == 200
    assert client.get(f"/inspect/requests/{request_id}").status_code == 200
    before = _audit_size(engine)
    _unchanged(
        engine, before, client.post(f"/tasks/{task.id}/decide", data={"decision": "approve"})
    )


def test_a_non_admin_cannot_see_or_change_the_org_chart(engine: Approvals, web: Flask) -> None:
    client = client_for(web, STAFF)
    versions = len(engine.admin.versions("xx-nrpb"))
    text = engine.admin.current_text("xx-nrpb").replace("head: jiang.tao", "head: he.ping")
    before = _audit_size(engine)
    for url in (
        "/admin/orgchart",
        "/admin/orgchart/edit",
        "/admin/orgchart/versions",
        "/admin/delegations",
    ):
        _unchanged(engine, before, client.get(url), (403,))
    _unchanged(
        engine,
        before,
        client.post("/admin/orgchart/edit", data={"text": text, "action": "save"}),
        (403,),
    )
    _unchanged(
        engine,
        before,
        client.post(
            "/admin/delegations",
            data={
                "principal": HEAD,
                "delegate": STAFF,
                "starts_on": "2026-11-23",
                "ends_on": "2026-11-30",
            },
        ),
        (403,),
    )
    assert len(engine.admin.versions("xx-nrpb")) == versions


def test_only_inspectors_open_the_audit_pages(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    for person in (STAFF, HEAD, ADMIN):
        client = client_for(web, person)
        for url in ("/inspect/", "/inspect/export.csv", f"/inspect/requests/{request_id}"):
            assert client.get(url).status_code == 403, (person, url)


def test_an_inspector_of_one_bureau_cannot_read_another_bureaus_requests(
    engine: Approvals, web: Flask
) -> None:
    chart_b = engine.orgcharts.current("cq-mca")
    applicant = next(p for p in chart_b.people if p != chart_b.posts.get("chief"))
    request_id = engine.service.submit(
        applicant,
        "leave",
        {
            "destination": "成都市",
            "depart_on": "2026-12-01",
            "return_on": "2026-12-05",
            "reason": "探亲",
        },
    )
    client = client_for(web, INSPECTOR)
    assert client.get(f"/requests/{request_id}").status_code == 403
    assert client.get(f"/inspect/requests/{request_id}").status_code == 404


@pytest.mark.parametrize(
    "url", ["/", "/inbox", "/requests/1", "/tasks/1", "/admin/orgchart", "/inspect/"]
)
def test_signed_out_visitors_are_sent_to_the_login_page(web: Flask, url: str) -> None:
    response = web.test_client().get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_requests_and_tasks_are_404(web: Flask) -> None:
    client = client_for(web, STAFF)
    assert client.get("/requests/999").status_code == 404
    assert client.get("/tasks/999").status_code == 404
    assert client.get("/apply/no-such-type").status_code == 404
