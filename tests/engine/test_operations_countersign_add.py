"""加签 and 减签: the section head asks the supervising leader's view before deciding, or
asks a colleague to sign after them, and may take the added person off before they act."""

from __future__ import annotations

import pytest
from operations_support import counts, heard, leave, only_open, timeline, waiting

from approvals.app import Approvals
from approvals.errors import ConflictError, FieldError, InvalidStateError, NotPermittedError

STEP, NEXT = "科室主要负责人签字", "分管局领导审签"


def test_added_before_me_gives_an_opinion_then_the_task_comes_back_to_me(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    got, stop = heard(["approver_added", "task_assigned"])
    try:
        added = app.service.add_approver(task.id, case.head, case.colleague, "before", "请先核实考勤")
    finally:
        stop()
    assert waiting(app, case.request_id) == [(STEP, case.head), (STEP, case.colleague)]
    assert app.queries.task(task.id).status == "held"
    with pytest.raises(InvalidStateError, match="waits for the opinion"):
        app.service.decide(task.id, case.head, "approve", "")
    assert [n for n, _ in got] == ["approver_added", "task_assigned"]
    assert got[0][1]["mode"] == "before" and got[0][1]["person"] == case.colleague
    app.service.decide(added, case.colleague, "approve", "考勤无误")
    assert app.queries.task(task.id).status == "open"
    assert waiting(app, case.request_id) == [(STEP, case.head)]
    app.service.decide(task.id, case.head, "approve", "")
    assert waiting(app, case.request_id) == [(NEXT, case.supervisor)]


def test_added_after_me_decides_after_my_approval_and_before_the_next_step(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    added = app.service.add_approver(task.id, case.head, case.colleague, "after", "请经办人复核")
    assert waiting(app, case.request_id) == [(STEP, case.head)]  # the colleague's turn comes later
    assert app.queries.task(task.id).status == "open_after"
    app.service.decide(task.id, case.head, "approve", "")
    assert waiting(app, case.request_id) == [(STEP, case.colleague)]
    app.service.decide(added, case.colleague, "approve", "")
    assert waiting(app, case.request_id) == [(NEXT, case.supervisor)]
    assert [(who, status, origin) for _s, who, status, origin in timeline(app, case.request_id)] == [
        (case.head, "approved", None), (case.colleague, "approved", "after"), (case.supervisor, "open", None)]


def test_an_added_approver_who_rejects_ends_the_request_as_any_rejection(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    added = app.service.add_approver(task.id, case.head, case.colleague, "before", "请核实")
    app.service.decide(added, case.colleague, "reject", "与考勤记录不符")
    assert app.queries.request(case.request_id).status == "rejected"
    assert app.queries.task(task.id).status == "cancelled" and waiting(app, case.request_id) == []


def test_the_head_removes_the_person_they_added_before_that_person_acts(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    added = app.service.add_approver(task.id, case.head, case.colleague, "before", "请核实")
    with pytest.raises(NotPermittedError, match=f"only {case.head}"):
        app.service.remove_approver(added, case.colleague)
    app.service.remove_approver(added, case.head)
    assert waiting(app, case.request_id) == [(STEP, case.head)]
    assert app.queries.task(added).status == "removed"
    with pytest.raises(ConflictError, match="removed"):
        app.service.decide(added, case.colleague, "approve", "")
    app.service.decide(task.id, case.head, "approve", "")
    assert waiting(app, case.request_id) == [(NEXT, case.supervisor)]


def test_removing_the_one_added_after_me_once_i_approved_lets_the_route_go_on(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    added = app.service.add_approver(task.id, case.head, case.colleague, "after", "请复核")
    app.service.decide(task.id, case.head, "approve", "")
    app.service.remove_approver(added, case.head)
    assert waiting(app, case.request_id) == [(NEXT, case.supervisor)]


def test_a_second_add_while_the_first_is_pending_is_a_conflict(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    app.service.add_approver(task.id, case.head, case.colleague, "after", "请复核")
    before = counts(app)
    with pytest.raises(ConflictError, match=f"already waits on {case.colleague}"):
        app.service.add_approver(task.id, case.head, case.supervisor, "before", "请把关")
    assert counts(app) == before


@pytest.mark.parametrize(("who", "why"), [
    ("nobody.here", "is not in the org chart"),
    ("applicant", "is the applicant of request"),
    ("head", "is you"),
    ("inspector", "is a discipline inspector"),
])
def test_adding_someone_who_could_not_decide_is_refused_naming_the_field(app: Approvals, who: str, why: str) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    before = counts(app)
    with pytest.raises(FieldError, match=why) as info:
        app.service.add_approver(task.id, case.head, getattr(case, who, who), "before", "请核实")
    assert info.value.issues[0].where == "person"
    assert counts(app) == before


def test_an_add_needs_a_mode_and_a_reason_and_the_holder(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    before = counts(app)
    for mode, reason, field in (("sideways", "请核实", "mode"), ("before", "", "reason")):
        with pytest.raises(FieldError) as info:
            app.service.add_approver(task.id, case.head, case.colleague, mode, reason)
        assert info.value.issues[0].where == field
    with pytest.raises(NotPermittedError, match="is the applicant"):
        app.service.add_approver(task.id, case.applicant, case.colleague, "before", "请核实")
    assert counts(app) == before


def test_every_row_an_add_makes_is_bound_to_the_audit_trail(app: Approvals) -> None:
    from approvals.audit import trail_check

    case = leave(app)
    task = only_open(app, case.request_id)
    before = app.service.add_approver(task.id, case.head, case.colleague, "before", "请核实")
    app.service.decide(before, case.colleague, "approve", "")
    after = app.service.add_approver(task.id, case.head, case.supervisor, "after", "请把关")
    app.service.remove_approver(after, case.head)
    app.service.add_approver(task.id, case.head, case.colleague, "after", "请复核")
    with app.db.reading() as s:
        assert trail_check.check(s) == []
