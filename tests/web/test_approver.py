"""The approver: inbox, the task page, decisions with comments, conflicts, batch approval,
filings and copies, overdue reports and acting approvers."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from webkit import client_for, open_task, submit_leave, text

from approvals.app import Approvals

STAFF = "shen.yue"
HEAD = "jiang.tao"


def test_the_inbox_counts_tasks_oldest_first_with_their_age(engine: Approvals, web: Flask) -> None:
    first = submit_leave(engine, STAFF)
    engine.clock.advance(days=2)  # type: ignore[attr-defined]
    second = submit_leave(engine, STAFF, destination="武汉市")
    engine.clock.advance(hours=5)  # type: ignore[attr-defined]
    page = text(client_for(web, HEAD).get("/inbox"))
    assert re.search(r"待办 2", page)
    assert re.search(rf"{first} .*沈悦.*2 天.*{second} .*沈悦.*5 小时", page)


def test_the_task_page_shows_the_request_fields_and_history(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    page = text(client_for(web, HEAD).get(f"/tasks/{open_task(engine, request_id).id}"))
    assert "北京市海淀区" in page and "探亲" in page and "2026-12-01" in page
    assert "办理过程" in page and "同意" in page and "退回修改" in page and "不同意" in page


def test_approving_moves_the_request_to_the_next_approver(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    response = client_for(web, HEAD).post(f"/tasks/{task.id}/decide", data={"decision": "approve"})
    assert response.status_code == 302
    assert open_task(engine, request_id).assignee == "chen.gang"
    assert "1" in text(client_for(web, "chen.gang").get("/inbox"))


def test_rejecting_without_a_comment_is_refused_in_chinese_and_changes_nothing(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    response = client_for(web, HEAD).post(
        f"/tasks/{task.id}/decide", data={"decision": "reject", "comment": " "}
    )
    assert response.status_code == 400
    assert "不同意或退回时必须填写意见" in text(response)
    assert engine.queries.task(task.id).is_open


def test_rejecting_with_a_comment_ends_the_request_and_tells_the_applicant(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    client_for(web, HEAD).post(
        f"/tasks/{task.id}/decide", data={"decision": "reject", "comment": "年底工作繁忙"}
    )
    page = text(client_for(web, STAFF).get(f"/requests/{request_id}"))
    assert "未批准" in page and "年底工作繁忙" in page


def test_deciding_a_task_one_already_decided_in_another_tab_says_so(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    client = client_for(web, HEAD)
    client.get(f"/tasks/{task.id}")  # the page is open ...
    engine.service.decide(task.id, HEAD, "approve", "同意")  # ... when the decision lands elsewhere
    page = text(
        client.post(
            f"/tasks/{task.id}/decide",
            data={"decision": "reject", "comment": "不行"},
            follow_redirects=True,
        )
    )
    assert "您已于 2026-11-23 09:00 处理过此事项（同意）" in page and "已被他人处理" not in page
    assert engine.queries.task(task.id).status == "approved"


def test_batch_approval_approves_every_ticked_task(engine: Approvals, web: Flask) -> None:
    ids = [submit_leave(engine, STAFF, destination=d) for d in ("武汉市", "长沙市")]
    tasks = [open_task(engine, i).id for i in ids]
    page = text(
        client_for(web, HEAD).post("/inbox/approve", data={"task": tasks}, follow_redirects=True)
    )
    assert "已批准 2 个事项" in page
    assert all(engine.queries.task(t).status == "approved" for t in tasks)


def test_done_by_me_lists_what_i_decided(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    engine.service.decide(open_task(engine, request_id).id, HEAD, "return", "补充行程")
    page = text(client_for(web, HEAD).get("/done"))
    assert "沈悦" in page and "退回" in page and "补充行程" in page


def _approved(engine: Approvals, applicant: str = STAFF) -> int:
    request_id = submit_leave(engine, applicant)
    for _ in range(3):
        task = open_task(engine, request_id, "approve")
        engine.service.decide(task.id, task.assignee, "approve")
    return request_id


def test_the_filing_unit_sees_and_acknowledges_filings(engine: Approvals, web: Flask) -> None:
    request_id = _approved(engine)
    filing = open_task(engine, request_id, "file")
    client = client_for(web, "wei.na")  # a member of 人事科, not its head: members may act too
    assert re.search(r"备案和抄送 1", text(client.get("/")))
    page = text(client.post(f"/tasks/{filing.id}/acknowledge", follow_redirects=True))
    assert "已签收" in page and engine.queries.task(filing.id).decided_by == "wei.na"
    again = text(
        client_for(web, "feng.jie").post(f"/tasks/{filing.id}/acknowledge", follow_redirects=True)
    )
    assert "已被他人处理" in again and "卫娜" in again


def test_overdue_return_reports_are_listed_for_the_filing_unit(
    engine: Approvals, web: Flask
) -> None:
    _approved(engine)
    engine.clock.at = engine.clock.at.replace(year=2026, month=12, day=8)  # type: ignore[attr-defined]
    page = text(client_for(web, "feng.jie").get("/notices"))
    assert re.search(r"逾期未交的返回报告 1", page) and "沈悦" in page and "3 天" in page
    assert date(2026, 12, 5).isoformat() in page


def test_an_acting_approver_receives_new_tasks_and_decides_on_behalf(
    engine: Approvals, web: Flask
) -> None:
    client = client_for(web, HEAD)
    response = client.post(
        "/delegation",
        data={"delegate": "he.ping", "starts_on": "2026-11-23", "ends_on": "2026-11-30"},
    )
    assert response.status_code == 302
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    assert (task.assignee, task.principal) == ("he.ping", HEAD)
    client_for(web, "he.ping").post(f"/tasks/{task.id}/decide", data={"decision": "approve"})
    page = text(client_for(web, STAFF).get(f"/requests/{request_id}"))
    assert "代蒋涛" in page


def test_a_delegation_with_the_dates_the_wrong_way_round_is_refused(
    engine: Approvals, web: Flask
) -> None:
    response = client_for(web, HEAD).post(
        "/delegation",
        data={"delegate": "he.ping", "starts_on": "2026-11-30", "ends_on": "2026-11-23"},
    )
    assert response.status_code == 400 and "结束日期不能早于开始日期" in text(response)
