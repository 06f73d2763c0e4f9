"""The task page's other actions as an approver uses them: 转办, 加签/减签, 退回, 沟通, 拿回, 终止, 已阅."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from topics import FIELDS, topic_bureau
from webkit import ADMIN, client_for, make_web, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.identity import credentials

STAFF = "shen.yue"  # 规划科 clerk
HEAD = "jiang.tao"  # 规划科科长
COLLEAGUE = "he.ping"
LEADER = "chen.gang"  # 分管局领导


def _colleague(engine: Approvals) -> str:
    chart = engine.orgcharts.current("xx-nrpb")
    unit = chart.people[STAFF].unit
    return next(p for p in chart.people if chart.people[p].unit == unit and p not in (STAFF, HEAD))


def test_the_head_transfers_from_the_task_page_and_the_trail_shows_who_to_whom(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    colleague = _colleague(engine)
    head = client_for(web, HEAD)
    page = text(head.get(f"/tasks/{task.id}"))
    assert "更多操作" in page and "转办给他人" in page and "加签" in page and "沟通" in page
    response = head.post(f"/tasks/{task.id}/transfer", data={"to": colleague, "reason": "该同志熟悉情况"})
    assert response.status_code == 302
    new = open_task(engine, request_id)
    assert new.assignee == colleague
    trail = text(client_for(web, colleague).get(f"/tasks/{new.id}"))
    assert "蒋涛 科长 已转办 2026-11-23 09:00 2026-11-23 09:00 已阅 该同志熟悉情况" in trail
    assert "由蒋涛转办 理由：该同志熟悉情况 待处理" in trail  # who and why, under the new row


def test_a_transfer_to_the_applicant_is_refused_next_to_the_field_and_changes_nothing(
        engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    response = client_for(web, HEAD).post(f"/tasks/{task.id}/transfer", data={"to": STAFF, "reason": "熟悉"})
    assert response.status_code == 400
    assert 'id="to-error">此人是申请 #' in response.get_data(as_text=True)
    assert "任何人不得审批本人的申请" in text(response)
    assert open_task(engine, request_id).id == task.id


def test_a_transfer_without_a_reason_names_the_reason_field(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    response = client_for(web, HEAD).post(f"/tasks/{task.id}/transfer", data={"to": _colleague(engine), "reason": ""})
    assert response.status_code == 400
    assert "请填写理由" in text(response) and 'id="reason-error"' in response.get_data(as_text=True)
    assert open_task(engine, request_id).id == task.id


def test_nobody_but_the_holder_may_post_an_operation(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    for intruder in (STAFF, LEADER):
        response = client_for(web, intruder).post(f"/tasks/{task.id}/transfer",
                                                  data={"to": _colleague(engine), "reason": "熟悉"})
        assert response.status_code == 403
    assert open_task(engine, request_id).id == task.id


def test_the_head_adds_a_colleague_before_and_removes_them_again(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    colleague = _colleague(engine)
    head = client_for(web, HEAD)
    head.post(f"/tasks/{task.id}/add-approver", data={"person": colleague, "mode": "before", "reason": "请核实"})
    page = text(head.get(f"/tasks/{task.id}"))
    assert "等待加签人意见" in page and "减签" in page
    added = next(t for t in engine.queries.steps(request_id) if t.origin == "before")
    head.post(f"/tasks/{added.id}/remove-approver")
    assert engine.queries.task(added.id).status == "removed"
    assert engine.queries.task(task.id).status == "open"


def test_the_leader_sends_back_to_the_head_and_the_head_takes_back_again(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    first = open_task(engine, request_id)
    head = client_for(web, HEAD)
    head.post(f"/tasks/{first.id}/decide", data={"decision": "approve"})
    second = open_task(engine, request_id)
    leader = client_for(web, second.assignee)
    assert "退回到已办环节" in text(leader.get(f"/tasks/{second.id}"))
    leader.post(f"/tasks/{second.id}/send-back", data={"to_step": str(first.id), "reason": "请补充说明"})
    again = open_task(engine, request_id)
    assert again.assignee == HEAD and again.origin == "send_back"
    head.post(f"/tasks/{again.id}/decide", data={"decision": "approve"})
    page = text(head.get(f"/tasks/{again.id}"))
    assert "拿回" in page
    response = head.post(f"/requests/{request_id}/take-back", data={"task": str(again.id)})
    assert response.status_code == 302
    assert open_task(engine, request_id).assignee == HEAD


def test_the_head_asks_the_applicant_who_answers_on_her_questions_page(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    head = client_for(web, HEAD)
    head.post(f"/tasks/{task.id}/ask", data={"person": STAFF, "question": "请提供探亲证明"})
    applicant = client_for(web, STAFF)
    assert "有 1 条沟通待您答复" in text(applicant.get("/inbox"))
    page = text(applicant.get("/questions"))
    assert "请提供探亲证明" in page
    from approvals.store.models import Question
    with engine.db.reading() as s:
        qid = s.query(Question.id).scalar()
    empty = applicant.post(f"/questions/{qid}/answer", data={"answer": " "})
    assert empty.status_code == 400 and "请填写内容" in text(empty)
    applicant.post(f"/questions/{qid}/answer", data={"answer": "证明已补交人事科"})
    assert "证明已补交人事科" in text(head.get(f"/tasks/{task.id}"))


def test_opening_a_task_marks_it_read_in_the_timeline(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    client_for(web, HEAD).get(f"/tasks/{task.id}")
    assert engine.queries.task(task.id).opened_at is not None
    assert "已阅" in text(client_for(web, HEAD).get(f"/tasks/{task.id}"))


def test_the_administrator_terminates_a_request_from_the_task_page(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    admin = client_for(web, ADMIN)
    client_for(web, HEAD).post(f"/tasks/{task.id}/decide", data={"decision": "approve"})
    assert client_for(web, HEAD).post(f"/requests/{request_id}/terminate", data={"reason": "调离"}).status_code == 403
    admin.post(f"/requests/{request_id}/terminate", data={"reason": "申请人已调离"})
    assert engine.queries.request(request_id).status == "terminated"


def test_a_file_on_the_heads_opinion_and_the_answer_show_on_the_applicants_request_page(
        engine: Approvals, web: Flask) -> None:
    import io

    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    head = client_for(web, HEAD)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    refused = head.post(f"/tasks/{task.id}/attach", data={"attachment": (io.BytesIO(b"<html>"), "意见.pdf")},
                        content_type="multipart/form-data")
    assert refused.status_code == 400 and 'id="attachment-error"' in refused.get_data(as_text=True)
    head.post(f"/tasks/{task.id}/attach", data={"attachment": (io.BytesIO(pdf), "审核意见.pdf")},
              content_type="multipart/form-data")
    head.post(f"/tasks/{task.id}/ask", data={"person": STAFF, "question": "请提供探亲证明"})
    page = text(client_for(web, STAFF).get(f"/requests/{request_id}"))
    assert "蒋涛的意见附件 · 科室主要负责人签字: 审核意见.pdf" in page
    assert "蒋涛 → 沈悦" in page and "请提供探亲证明" in page and "尚未答复" in page


def test_the_administrator_terminates_by_request_number_and_bad_input_is_named(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    admin = client_for(web, ADMIN)
    assert "终止申请" in text(admin.get("/inbox"))
    assert client_for(web, HEAD).get("/terminate").status_code == 403
    missing = admin.post("/terminate", data={"request_id": "9999", "reason": "调离"})
    assert missing.status_code == 400 and "没有编号为 #9999 的申请" in text(missing)
    no_reason = admin.post("/terminate", data={"request_id": str(request_id), "reason": ""})
    assert no_reason.status_code == 400 and 'id="reason-error">请填写理由' in no_reason.get_data(as_text=True)
    assert engine.queries.request(request_id).status == "pending"
    done = admin.post("/terminate", data={"request_id": f"#{request_id}", "reason": "申请人已调离"})
    assert done.status_code == 302
    assert engine.queries.request(request_id).status == "terminated"
    assert "已终止" in text(client_for(web, STAFF).get(f"/requests/{request_id}"))


def test_a_group_member_s_transfer_to_the_other_member_is_refused_naming_him(db_url: str, tmp_path: Path) -> None:
    """One person, one signature in a 会签: 赵磊 may not hand his part to 李明, who signs his own."""
    bureau = topic_bureau(db_url, tmp_path, passwords=True)
    try:
        request_id = bureau.service.submit("sun.li", "topic", FIELDS)
        office = next(t for t in bureau.queries.steps(request_id) if t.is_open and t.assignee == "wu.min")
        bureau.service.decide(office.id, "wu.min", "approve")
        part = next(t for t in bureau.queries.steps(request_id) if t.is_open and t.assignee == "zhao.lei")
        response = client_for(make_web(bureau), "zhao.lei").post(
            f"/tasks/{part.id}/transfer", data={"to": "li.ming", "reason": "请李局长一并签"})
        assert response.status_code == 400
        assert "李明 已在本轮会签中持有任务" in text(response) and "同一轮中每人只签一次" in text(response)
        assert 'id="to-error">李明' in response.get_data(as_text=True)
        assert bureau.queries.task(part.id).is_open
    finally:
        bureau.db.dispose()


def test_a_transfer_to_a_disabled_account_is_refused_naming_the_person(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    credentials.set_disabled(engine.db, COLLEAGUE, True, ADMIN, engine.clock.now())
    response = client_for(web, HEAD).post(f"/tasks/{task.id}/transfer", data={"to": COLLEAGUE, "reason": "熟悉"})
    assert response.status_code == 400
    assert "何平 的账号已停用，无法登录办理" in text(response)
    assert open_task(engine, request_id).id == task.id
