"""拿回 and 退回到上一环节 / 任一已办环节 on a leave request: section head, then bureau leader."""

from __future__ import annotations

import pytest
from operations_support import actions, counts, heard, leave, only_open, timeline, waiting

from approvals.app import Approvals
from approvals.errors import ConflictError, FieldError, InvalidStateError, NotPermittedError
from approvals.operations import rewind

STEP, NEXT = "科室主要负责人签字", "分管局领导审签"


def test_the_head_takes_back_an_approval_the_leader_has_not_acted_on(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    app.service.decide(task.id, case.head, "approve", "")
    got, stop = heard(["taken_back", "task_assigned"])
    try:
        new = app.service.take_back(case.request_id, case.head)
    finally:
        stop()
    assert waiting(app, case.request_id) == [(STEP, case.head)]
    assert timeline(app, case.request_id) == [(STEP, case.head, "approved", None),
                                              (NEXT, case.supervisor, "taken_back", None),
                                              (STEP, case.head, "open", "take_back")]
    assert [n for n, _ in got] == ["task_assigned", "taken_back"]
    app.service.decide(new, case.head, "approve", "改为同意")
    assert waiting(app, case.request_id) == [(NEXT, case.supervisor)]
    assert "taken_back" in actions(app, case.request_id)


def test_nothing_is_taken_back_once_the_next_holder_decided(app: Approvals) -> None:
    case = leave(app)
    app.service.decide(only_open(app, case.request_id).id, case.head, "approve", "")
    app.service.decide(only_open(app, case.request_id).id, case.supervisor, "approve", "")
    before = counts(app)
    with pytest.raises(ConflictError, match=f"{case.supervisor} already acted"):
        app.service.take_back(case.request_id, case.head)
    assert counts(app) == before


def test_only_the_approver_takes_back_their_decision(app: Approvals) -> None:
    case = leave(app)
    app.service.decide(only_open(app, case.request_id).id, case.head, "approve", "")
    before = counts(app)
    for who in (case.colleague, case.applicant, case.supervisor):
        with pytest.raises(NotPermittedError, match="latest decision"):
            app.service.take_back(case.request_id, who)
    assert counts(app) == before


def test_the_leader_sends_the_request_back_to_the_head_without_a_resubmission(app: Approvals) -> None:
    case = leave(app)
    first = only_open(app, case.request_id)
    app.service.decide(first.id, case.head, "approve", "")
    second = only_open(app, case.request_id)
    assert [t.id for t in rewind.earlier_steps(app.service, second.id)] == [first.id]
    new = app.service.send_back(second.id, case.supervisor, first.id, "请科室补充请假天数说明")
    assert waiting(app, case.request_id) == [(STEP, case.head)]
    assert app.queries.request(case.request_id).status == "pending"
    assert app.queries.task(second.id).status == "sent_back"
    entry = next(e for e in app.queries.trail(case.request_id) if e.action == "sent_back")
    assert (entry.actor, entry.comment) == (case.supervisor, "请科室补充请假天数说明")
    app.service.decide(new, case.head, "approve", "已补充")
    assert waiting(app, case.request_id) == [(NEXT, case.supervisor)]
    assert app.queries.request(case.request_id).round == 1


def test_sending_back_needs_a_reason_and_a_step_decided_earlier(app: Approvals) -> None:
    case = leave(app)
    first = only_open(app, case.request_id)
    app.service.decide(first.id, case.head, "approve", "")
    second = only_open(app, case.request_id)
    before = counts(app)
    with pytest.raises(FieldError) as info:
        app.service.send_back(second.id, case.supervisor, first.id, "")
    assert info.value.issues[0].where == "reason"
    with pytest.raises(FieldError) as info:
        app.service.send_back(second.id, case.supervisor, second.id, "请补充")
    assert info.value.issues[0].where == "to_step"
    with pytest.raises(NotPermittedError):
        app.service.send_back(second.id, case.head, first.id, "请补充")
    assert counts(app) == before


def test_a_request_taken_back_twice_still_offers_its_step_once(app: Approvals) -> None:
    case = leave(app)
    app.service.decide(only_open(app, case.request_id).id, case.head, "approve", "")
    again = app.service.take_back(case.request_id, case.head)
    app.service.decide(again, case.head, "approve", "")
    second = only_open(app, case.request_id)
    assert [t.id for t in rewind.earlier_steps(app.service, second.id)] == [again]
    with pytest.raises(ConflictError):
        app.service.decide(again, case.head, "approve", "")


def test_an_opinion_given_as_an_added_approver_is_not_taken_back(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    added = app.service.add_approver(task.id, case.head, case.colleague, "before", "请核实")
    app.service.decide(added, case.colleague, "approve", "")
    with pytest.raises(InvalidStateError, match="as an added approver"):
        app.service.take_back(case.request_id, case.colleague)


def test_after_every_operation_the_audit_chain_verifies_and_the_route_finishes(app: Approvals) -> None:
    from approvals.audit import chain as audit
    from approvals.audit import trail_check

    case = leave(app)
    first = only_open(app, case.request_id)
    moved = app.service.transfer(first.id, case.head, case.colleague, "熟悉情况")
    app.service.decide(moved, case.colleague, "approve", "")
    again = app.service.take_back(case.request_id, case.colleague)
    app.service.decide(again, case.colleague, "approve", "")
    second = only_open(app, case.request_id)
    back = app.service.send_back(second.id, case.supervisor, again, "请补充")
    app.service.decide(back, case.colleague, "approve", "")
    app.service.decide(only_open(app, case.request_id).id, case.supervisor, "approve", "")
    while waiting(app, case.request_id):
        step = only_open(app, case.request_id)
        app.service.decide(step.id, step.assignee, "approve", "")
    assert app.queries.request(case.request_id).status in ("approved", "completed")
    with app.db.reading() as s:
        assert audit.verify(s).ok
        assert trail_check.check(s) == []  # every row an operation made has its entry
