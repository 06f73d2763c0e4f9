"""The applicant: a form generated from the process, the route preview, and following,
withdrawing, urging, resubmitting and reporting on a request."""

from __future__ import annotations

import re

from flask import Flask
from support import REPORT_A, back_from_trip, leave_fields, walk
from webkit import client_for, open_task, submit_leave, text

from approvals.app import Approvals

STAFF = "shen.yue"  # 财务与资金运用科: 蒋涛 -> 陈刚 -> 李明, filed with 人事科 (冯洁)


def test_the_leave_form_is_generated_from_the_process_fields(web: Flask) -> None:
    html = client_for(web, STAFF).get("/apply/leave").get_data(as_text=True)
    assert re.search(r'<input type="text" id="f-destination" name="destination"', html)
    assert re.search(r'<input type="date" id="f-depart_on" name="depart_on"', html)
    assert 'name="return_on"' in html and '<textarea id="f-reason" name="reason"' in html


def test_a_bad_form_says_what_is_wrong_in_chinese_next_to_each_field_and_keeps_what_was_typed(
    engine: Approvals, web: Flask
) -> None:
    form = {**leave_fields(depart_on="下周一", return_on=""), "action": "submit"}
    response = client_for(web, STAFF).post("/apply/leave", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'data-field="depart_on">.*?请按 YYYY-MM-DD 格式输入日期', html, re.S)
    assert re.search(r'data-field="return_on">.*?此项为必填项', html, re.S)
    assert 'value="北京市海淀区"' in html and 'value="下周一"' in html and "探亲" in html
    assert engine.queries.my_requests(STAFF).total == 0


def test_the_preview_shows_who_decides_in_order_with_name_title_and_why(web: Flask) -> None:
    form = {**leave_fields(), "action": "preview"}
    page = text(client_for(web, STAFF).post("/apply/leave", data=form))
    assert re.search(
        r"蒋涛 科长 .*陈刚 党组成员、副局长 .*李明 党组成员、副局长（分管机关）.*冯洁 科长", page
    )
    assert (
        "财务与资金运用科主要负责人" in page and "工作人员" in page
    )  # the rule: who applies, which post


def test_the_preview_explains_a_step_merged_by_the_no_double_signing_rule(web: Flask) -> None:
    # 规划科 is supervised by 李明, who is also the organ leader: he signs once.
    response = client_for(web, "sun.li").post("/apply/leave/preview.json", data=leave_fields())
    steps = response.get_json()["steps"]
    merged = [s for s in steps if not s["shown"]]
    assert [s["person_name"] for s in steps if s["shown"]][:2] == ["赵磊", "李明"]
    assert merged and merged[0]["person_name"] == "李明" and "不重复签批" in merged[0]["reason"]


def test_the_preview_of_a_vacant_post_names_the_post(engine: Approvals, web: Flask) -> None:
    chart = engine.admin.current_text("xx-nrpb").replace("head: jiang.tao", "head: null")
    engine.admin.save(chart, "feng.jie")
    data = client_for(web, STAFF).post("/apply/leave/preview.json", data=leave_fields()).get_json()
    assert "财务与资金运用科主要负责人" in data["error"] and "空缺" in data["error"]


def test_submitting_shows_the_request_with_its_timeline_and_the_waiting_approver(
    engine: Approvals, web: Flask
) -> None:
    client = client_for(web, STAFF)
    response = client.post("/apply/leave", data={**leave_fields(), "action": "submit"})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "已提交" in page and "审批中" in page and re.search(r"蒋涛 科长 待处理", page)
    assert "撤回" in page and "催办蒋涛" in page
    assert engine.queries.my_requests(STAFF).total == 1


def test_my_requests_lists_each_request_with_its_status(engine: Approvals, web: Flask) -> None:
    first = submit_leave(engine, STAFF)
    engine.service.withdraw(first, STAFF)
    submit_leave(engine, STAFF)
    page = text(client_for(web, STAFF).get("/requests"))
    assert re.search(r"已撤回", page) and re.search(r"审批中", page)


def test_withdrawing_before_the_first_decision_ends_the_request(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    page = text(
        client_for(web, STAFF).post(f"/requests/{request_id}/withdraw", follow_redirects=True)
    )
    assert "申请已撤回" in page and engine.queries.request(request_id).status == "withdrawn"


def test_withdrawing_after_a_decision_is_refused_with_a_reason(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    engine.service.decide(open_task(engine, request_id).id, "jiang.tao", "approve")
    client = client_for(web, STAFF)
    assert "撤回" not in text(client.get(f"/requests/{request_id}")).split("申请 #")[0]
    page = text(client.post(f"/requests/{request_id}/withdraw", follow_redirects=True))
    assert "已有审批意见，不能再撤回" in page
    assert engine.queries.request(request_id).status == "pending"


def test_urging_marks_the_task_in_the_approvers_inbox(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    page = text(
        client_for(web, STAFF).post(f"/requests/{request_id}/urge/{task.id}", follow_redirects=True)
    )
    assert "已催办蒋涛" in page
    assert "已催办 ×1" in text(client_for(web, "jiang.tao").get("/inbox"))
    again = client_for(web, STAFF).post(f"/requests/{request_id}/urge/{task.id}", follow_redirects=True)
    assert "您已于 09:00 催办过 蒋涛；2026-11-24 09:00 起可再次催办" in text(again)  # who urged: you


def test_a_returned_request_is_changed_and_resubmitted_and_starts_again(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    engine.service.decide(open_task(engine, request_id).id, "jiang.tao", "return", "请写明具体地址")
    client = client_for(web, STAFF)
    page = text(client.get(f"/requests/{request_id}"))
    assert "已退回修改" in page and "请写明具体地址" in page
    form = client.get(f"/requests/{request_id}/resubmit").get_data(as_text=True)
    assert 'value="北京市海淀区"' in form  # what was submitted, ready to change
    changed = {**leave_fields(destination="北京市海淀区中关村大街1号")}
    client.post(f"/requests/{request_id}/resubmit", data=changed)
    req = engine.queries.request(request_id)
    assert (req.status, req.round) == ("pending", 2)
    assert "第 2 轮" in text(client.get(f"/requests/{request_id}"))


def test_the_return_report_form_is_offered_when_due_and_completes_the_request(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    for _ in range(3):
        task = open_task(engine, request_id, "approve")
        engine.service.decide(task.id, task.assignee, "approve")
    client = client_for(web, STAFF)
    report = open_task(engine, request_id, "report")
    assert "待提交的报告" in text(client.get("/"))
    assert "提交报告：" not in text(client.get(f"/requests/{request_id}"))  # the trip has not started
    with back_from_trip(engine, request_id):
        client = client_for(web, STAFF)  # a week later: signed in again
        assert "提交报告：" in text(client.get(f"/requests/{request_id}"))
        bad = client.post(
            f"/requests/{request_id}/report/{report.id}", data={"actual_return_on": "昨天"}
        )
        assert bad.status_code == 400 and "请按 YYYY-MM-DD 格式输入日期" in text(bad)
        client.post(f"/requests/{request_id}/report/{report.id}", data=REPORT_A)
    assert engine.queries.request(request_id).status == "completed"


def test_a_meeting_with_a_plan_attached_can_be_downloaded_by_its_approver(
    engine: Approvals, web: Flask
) -> None:
    from io import BytesIO

    client = client_for(web, "zhao.lei")
    form = {
        "title": "全局规划工作会",
        "participants": "60",
        "held_on": "2026-12-10",
        "venue": "报告厅",
        "action": "submit",
        "plan": (BytesIO(b"%PDF-1.4 plan"), "防控方案.pdf"),
    }
    response = client.post("/apply/meeting", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    request_id = int(response.headers["Location"].rsplit("/", 1)[1])
    [attachment] = engine.queries.attachments(request_id)
    chief = open_task(engine, request_id).assignee
    download = client_for(web, chief).get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 plan"
    assert client_for(web, STAFF).get(f"/attachments/{attachment.id}").status_code == 403


def test_the_diagram_is_the_process_version_the_request_runs_on(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    response = client_for(web, STAFF).get(f"/requests/{request_id}/diagram.bpmn")
    assert response.mimetype == "application/xml"
    assert (
        response.data.decode()
        == engine.service.definition_of(engine.queries.request(request_id)).xml
    )


def test_the_walk_helper_agrees_with_the_pages(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, STAFF)
    walk(engine, request_id, REPORT_A)
    assert "已办结" in text(client_for(web, STAFF).get(f"/requests/{request_id}"))
