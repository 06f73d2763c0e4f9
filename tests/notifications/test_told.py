"""What people are told about the operations (issue 19): a question reaches the person asked
and the answer the asker; 终止 tells the applicant, every open holder and everyone still asked
something, and closes the open questions; a 转办 or 加签 notice says who and why; and every
e-mail and robot message links to the page where its reader acts."""

from __future__ import annotations

import json
import logging

import pytest
from notifykit import robot, smtp_server
from operations_support import leave, only_open
from support import head_of_duty

from approvals.app import Approvals
from approvals.errors import InvalidStateError
from approvals.jobs import notify as jobs
from approvals.notifications import settings
from approvals.notifications.centre import Centre, Shown
from approvals.people.offices import Offices

XX = "xx-nrpb"


def _told(app: Approvals, person: str) -> list[Shown]:
    shown, _ = Centre(app.db).page(person)
    return list(reversed(shown))


def test_a_question_to_the_applicant_reaches_her_and_her_answer_reaches_the_head(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    question = app.service.ask(task.id, case.head, case.applicant, "请提供探亲证明")
    [asked] = [n for n in _told(app, case.applicant) if n.kind == "question"]
    assert (asked.request_id, asked.params) == (case.request_id, {"by": case.head, "question": "请提供探亲证明"})
    chart = app.orgcharts.current(XX)
    assert app.queries.waiting(chart, case.applicant).questions == 1  # her badge counts it
    app.service.answer(question, case.applicant, "证明已补交")
    [answer] = [n for n in _told(app, case.head) if n.kind == "answer"]
    assert (answer.task_id, answer.params) == (task.id, {"by": case.applicant, "answer": "证明已补交"})
    assert app.queries.waiting(chart, case.applicant).questions == 0


def test_terminating_tells_the_applicant_the_holder_and_the_person_asked_why_and_closes_the_question(
        app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    question = app.service.ask(task.id, case.head, case.colleague, "考勤情况如何？")
    app.service.decide(task.id, case.head, "approve")  # the supervising leader holds it now
    admin = head_of_duty(app.orgcharts.current(XX), "filing")
    assert admin == case.head  # 人事科's head administers the bureau
    app.service.terminate(case.request_id, admin, "申请人已调离", Offices())
    for person in (case.applicant, case.supervisor, case.colleague):
        notes = [n for n in _told(app, person) if n.kind == "terminated"]
        assert [(n.request_id, n.params) for n in notes] == [(case.request_id, {"by": admin, "reason": "申请人已调离"})]
    assert [n for n in _told(app, admin) if n.kind == "terminated"] == []  # who terminated knows
    chart = app.orgcharts.current(XX)
    assert app.queries.waiting(chart, case.colleague).questions == 0  # the question closed
    with pytest.raises(InvalidStateError, match="questions are closed"):
        app.service.answer(question, case.colleague, "迟到的答复")
    [entry] = [e for e in app.queries.trail(case.request_id) if e.action == "terminated"]
    assert json.loads(entry.detail or "{}") == {"closed_questions": [question]}


def test_a_transfer_notice_names_who_transferred_and_why_and_comes_once(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    moved = app.service.transfer(task.id, case.head, case.colleague, "本人出差，请代为审核", Offices())
    assert [(n.kind, n.task_id, n.params) for n in _told(app, case.colleague)] == [
        ("transferred", moved, {"by": case.head, "from": case.head, "reason": "本人出差，请代为审核"})]


def test_the_person_added_before_the_holder_is_told_who_asked_and_why(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    added = app.service.add_approver(task.id, case.head, case.colleague, "before", "涉及考勤，请先核对", Offices())
    assert [(n.kind, n.task_id, n.params) for n in _told(app, case.colleague)] == [
        ("added", added, {"by": case.head, "mode": "before", "reason": "涉及考勤，请先核对"})]


def test_an_email_and_a_robot_message_link_to_the_task_from_the_base_url(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    with smtp_server() as box, robot() as receiver:
        settings.put(app.db, XX, case.colleague, "email", "colleague@example.gov.cn")
        settings.put(app.db, XX, None, "wecom", receiver.url)
        question = app.service.ask(task.id, case.head, case.colleague, "考勤情况如何？")
        app.service.answer(question, case.colleague, "全勤")
        env = {"APPROVALS_SMTP_HOST": box.host, "APPROVALS_SMTP_PORT": str(box.port),
               "APPROVALS_BASE_URL": "https://oa.example.gov.cn/"}
        jobs.delivery_job(app, env)()
        [mail] = box.messages
        posted = [r.body["text"]["content"] for r in receiver.tries]
    body = mail.get_content()
    assert "向您提问（沟通）：考勤情况如何？" in body
    assert body.rstrip().endswith("办理：https://oa.example.gov.cn/questions")
    assert any("答复了您" in p and p.rstrip().endswith(f"办理：https://oa.example.gov.cn/tasks/{task.id}")
               for p in posted)


def test_without_a_base_url_messages_carry_no_link_and_the_worker_says_so_once(
        app: Approvals, caplog: pytest.LogCaptureFixture) -> None:
    case = leave(app)
    with robot() as receiver, caplog.at_level(logging.WARNING, logger="approvals.worker"):
        settings.put(app.db, XX, None, "wecom", receiver.url)
        run = jobs.delivery_job(app, {})
        run()
        app.service.ask(only_open(app, case.request_id).id, case.head, case.applicant, "请说明")
        run()
        texts = [r.body["text"]["content"] for r in receiver.tries]
    assert texts and not any("办理：" in t or "http" in t for t in texts)
    assert caplog.text.count("APPROVALS_BASE_URL is not set") == 1
