"""终止 by the bureau's administrator, 沟通 questions and answers, files on a decision, 已阅."""

from __future__ import annotations

import pytest
from operations_support import counts, heard, leave, only_open, waiting
from support import head_of_duty

from approvals.app import Approvals
from approvals.errors import ConflictError, FieldError, InvalidStateError, NotPermittedError
from approvals.people.offices import Offices
from approvals.service import Upload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_personnel_head_terminates_a_request_whose_applicant_left(app: Approvals) -> None:
    case = leave(app)
    admin = head_of_duty(app.orgcharts.current("xx-nrpb"), "filing")  # 人事科 head administers the bureau
    got, stop = heard(["terminated", "completed"])
    try:
        app.service.terminate(case.request_id, admin, "申请人已调离", Offices())
    finally:
        stop()
    req = app.queries.request(case.request_id)
    assert (req.status, req.outcome_comment) == ("terminated", "申请人已调离")
    assert waiting(app, case.request_id) == []
    assert [n for n, _ in got] == ["terminated", "completed"]
    with pytest.raises(InvalidStateError, match="terminated"):
        app.service.terminate(case.request_id, admin, "再次", Offices())


def test_nobody_but_an_administrator_terminates_and_a_reason_is_required(app: Approvals) -> None:
    case = leave(app)
    admin = head_of_duty(app.orgcharts.current("xx-nrpb"), "filing")
    before = counts(app)
    assert admin == case.head  # the applicant works in 人事科: her head administers the bureau
    for who in (case.colleague, case.supervisor, "nobody.here"):
        with pytest.raises(NotPermittedError, match="does not administer"):
            app.service.terminate(case.request_id, who, "申请人已调离", Offices())
    with pytest.raises(FieldError) as info:
        app.service.terminate(case.request_id, admin, " ", Offices())
    assert info.value.issues[0].where == "reason"
    assert counts(app) == before


def test_an_administrator_does_not_terminate_their_own_request(app: Approvals) -> None:
    admin = head_of_duty(app.orgcharts.current("xx-nrpb"), "filing")
    from support import leave_fields
    request_id = app.service.submit(admin, "leave", leave_fields())
    with pytest.raises(NotPermittedError, match="withdraw it instead"):
        app.service.terminate(request_id, admin, "不再需要", Offices())


def test_the_head_asks_the_applicant_who_answers_with_a_file_in_the_trail(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    question = app.service.ask(task.id, case.head, case.applicant, "请提供探亲证明")
    assert waiting(app, case.request_id) == [("科室主要负责人签字", case.head)]  # asking decides nothing
    with pytest.raises(NotPermittedError, match=f"put to {case.applicant}"):
        app.service.answer(question, case.colleague, "代答")
    app.service.answer(question, case.applicant, "证明见附件", Upload("证明.pdf", "application/pdf", PDF))
    with pytest.raises(ConflictError, match="already answered"):
        app.service.answer(question, case.applicant, "再答")
    trail = [(e.action, e.actor, e.comment) for e in app.queries.trail(case.request_id) if e.action in
             ("asked", "answered")]
    assert trail == [("asked", case.head, "请提供探亲证明"), ("answered", case.applicant, "证明见附件")]
    files = [(a.field, a.filename) for a in app.queries.attachments(case.request_id)]
    assert files == [(f"question:{question}", "证明.pdf")]


def test_a_question_needs_words_and_someone_in_the_chart_and_an_answer_file_is_checked(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    before = counts(app)
    for person, words, field in ((case.applicant, "", "question"), ("nobody.here", "请说明", "person"),
                                 (case.head, "请说明", "person")):
        with pytest.raises(FieldError) as info:
            app.service.ask(task.id, case.head, person, words)
        assert info.value.issues[0].where == field
    with pytest.raises(NotPermittedError):
        app.service.ask(task.id, case.applicant, case.head, "请说明")
    assert counts(app) == before
    question = app.service.ask(task.id, case.head, case.colleague, "考勤情况如何？")
    with pytest.raises(FieldError, match="accepted") as info:
        app.service.answer(question, case.colleague, "见附件", Upload("考勤.pdf", "application/pdf", b"<html>"))
    assert info.value.issues[0].where == "attachment"


def test_an_approver_attaches_a_file_to_their_decision(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    app.service.attach(task.id, case.head, Upload("意见.pdf", "application/pdf", PDF))
    with pytest.raises(NotPermittedError):
        app.service.attach(task.id, case.applicant, Upload("意见.pdf", "application/pdf", PDF))
    assert [(a.field, a.filename) for a in app.queries.attachments(case.request_id)] == [(f"decision:{task.id}",
                                                                                          "意见.pdf")]


def test_the_trail_shows_when_the_holder_first_opened_their_task(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    assert not app.service.mark_opened(task.id, case.colleague)  # not theirs: nothing noted
    assert app.service.mark_opened(task.id, case.head)
    assert not app.service.mark_opened(task.id, case.head)  # only the first opening counts
    assert app.queries.task(task.id).opened_at == app.clock.now()
    opened = [(e.actor, e.task_id) for e in app.queries.trail(case.request_id) if e.action == "opened"]
    assert opened == [(case.head, task.id)]
