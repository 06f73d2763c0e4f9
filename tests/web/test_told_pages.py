"""What the pages tell people (issue 19): a question put to the applicant is in her badge, on
her home page and in her notifications; 终止 says who and why and closes the question; the
person a task was transferred to or asked by 加签 reads who and why on the task page and in
the timeline; a 或签 member's closed row names who decided; the urge button waits out its
cool-down and says until when; the settings page says when e-mail is not set up."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from operations_support import leave, only_open
from topics import FIELDS, topic_bureau
from webkit import client_for, make_web, text

from approvals.app import Approvals
from approvals.people.offices import Offices


def test_a_question_to_the_applicant_is_in_her_badge_home_page_and_notifications(engine: Approvals) -> None:
    case = leave(engine)
    task = only_open(engine, case.request_id)
    engine.service.ask(task.id, case.head, case.applicant, "请提供探亲证明")
    web = make_web(engine)
    client = client_for(web, case.applicant)
    home = text(client.get("/"))
    assert re.search(r"待办 1", home)  # the menu's inbox badge
    assert f"就申请 #{case.request_id} 向您提问（沟通）" in home and "请提供探亲证明" in home
    assert "没有待您处理的事项" not in home
    notes = client.get("/notifications").get_data(as_text=True)
    assert "向您提问（沟通）：请提供探亲证明" in text(client.get("/notifications"))
    [note_id] = re.findall(r"/notifications/(\d+)/open", notes)
    assert client.post(f"/notifications/{note_id}/open").headers["Location"].endswith("/questions")
    [question] = re.findall(r"/questions/(\d+)/answer", client.get("/questions").get_data(as_text=True))
    client.post(f"/questions/{question}/answer", data={"answer": "证明已补交"})
    assert "没有待您处理的事项" in text(client.get("/"))
    head = client_for(web, case.head)
    assert "答复了您就离孝审批" in text(head.get("/notifications")) and "证明已补交" in text(head.get("/notifications"))


def test_terminating_tells_the_applicant_who_and_why_and_the_open_question_reads_closed(engine: Approvals) -> None:
    case = leave(engine)
    task = only_open(engine, case.request_id)
    engine.service.ask(task.id, case.head, case.applicant, "请提供探亲证明")
    engine.service.terminate(case.request_id, case.head, "申请人已调离", Offices())  # the head administers
    client = client_for(make_web(engine), case.applicant)
    head_name = engine.orgcharts.current("xx-nrpb").display_name(case.head)
    notes = text(client.get("/notifications"))
    assert f"离孝审批 #{case.request_id} 已被 {head_name} 终止。理由：申请人已调离" in notes
    assert "未答复即关闭：申请已结束" in text(client.get(f"/requests/{case.request_id}"))
    assert "没有待您处理的事项" in text(client.get("/")) and not re.search(r"待办 [1-9]", text(client.get("/")))


def test_the_new_holder_reads_who_transferred_the_task_and_why(engine: Approvals) -> None:
    case = leave(engine)
    task = only_open(engine, case.request_id)
    moved = engine.service.transfer(task.id, case.head, case.colleague, "本人出差，请代为审核", Offices())
    client = client_for(make_web(engine), case.colleague)
    head_name = engine.orgcharts.current("xx-nrpb").display_name(case.head)
    page = text(client.get(f"/tasks/{moved}"))
    assert f"此环节由 {head_name} 转办而来。 理由：本人出差，请代为审核" in page
    assert f"{head_name} 将离孝审批 #{case.request_id} 转给您办理（转办）。理由：本人出差，请代为审核" in text(
        client.get("/notifications"))


def test_the_person_added_reads_the_reason_on_the_task_page_in_the_timeline_and_notification(
        engine: Approvals) -> None:
    case = leave(engine)
    task = only_open(engine, case.request_id)
    added = engine.service.add_approver(task.id, case.head, case.colleague, "before", "涉及考勤，请先核对", Offices())
    client = client_for(make_web(engine), case.colleague)
    head_name = engine.orgcharts.current("xx-nrpb").display_name(case.head)
    page = text(client.get(f"/tasks/{added}"))
    assert f"此意见由 {head_name} 加签征求，在其决定之前签署。 理由：涉及考勤，请先核对" in page
    timeline = page[page.index("办理过程"):]
    assert "理由：涉及考勤，请先核对" in timeline
    assert "请您在其之前审批离孝审批" in text(client.get("/notifications"))


@pytest.fixture
def bureau(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = topic_bureau(db_url, tmp_path, passwords=True)
    yield app
    app.db.dispose()


def test_a_closed_any_one_row_names_who_decided_for_the_group(bureau: Approvals) -> None:
    request_id = bureau.service.submit("sun.li", "topic", FIELDS)
    office = next(t for t in bureau.queries.steps(request_id) if t.is_open and t.assignee == "zhou.qiang")
    bureau.service.decide(office.id, "zhou.qiang", "approve", "")
    page = text(client_for(make_web(bureau), "sun.li").get(f"/requests/{request_id}"))
    assert page.count("无需办理：同组的 周强 已办理（或签）") == 2  # 吴敏's and 郑宇's rows


def test_the_urge_button_waits_out_the_cool_down_and_says_until_when(engine: Approvals) -> None:
    case = leave(engine)
    task = only_open(engine, case.request_id)
    client = client_for(make_web(engine), case.applicant)
    client.post(f"/requests/{case.request_id}/urge/{task.id}")
    page = client.get(f"/requests/{case.request_id}").get_data(as_text=True)
    urged = engine.queries.task(task.id).urged_at
    assert urged is not None
    again = f"{urged.replace(day=urged.day + 1):%Y-%m-%d %H:%M}"
    head_name = engine.orgcharts.current("xx-nrpb").display_name(case.head)
    assert re.search(rf'<button class="secondary urge-wait" disabled id="urge-{task.id}">已于 {urged:%H:%M} 催办 '
                     rf'{head_name} · {again} 起可再次催办</button>', page)
    refused = text(client.post(f"/requests/{case.request_id}/urge/{task.id}", follow_redirects=True))
    assert f"您已于 {urged:%H:%M} 催办过 {head_name}；{again} 起可再次催办。" in refused


def test_the_settings_page_says_when_email_is_not_set_up_on_this_server(engine: Approvals) -> None:
    case = leave(engine)
    page = client_for(make_web(engine), case.applicant).get("/notifications/settings").get_data(as_text=True)
    assert "本服务器未配置电子邮件" in page and 'name="email"' not in page
    ready = client_for(make_web(engine, APPROVALS_SMTP_HOST="smtp.example.gov.cn"), case.applicant)
    page = ready.get("/notifications/settings").get_data(as_text=True)
    assert "本服务器未配置电子邮件" not in page and 'name="email"' in page
