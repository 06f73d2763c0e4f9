"""转办: the section head hands the leave request to a colleague who knows the case."""

from __future__ import annotations

import pytest
from operations_support import actions, counts, heard, leave, only_open, timeline, waiting

from approvals.app import Approvals
from approvals.errors import ConflictError, FieldError, NotPermittedError


def test_the_head_transfers_to_a_colleague_who_decides_and_the_route_goes_on(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    got, stop = heard(["transferred", "task_assigned"])
    try:
        new = app.service.transfer(task.id, case.head, case.colleague, "该同志熟悉情况")
    finally:
        stop()
    assert waiting(app, case.request_id) == [("科室主要负责人签字", case.colleague)]
    assert timeline(app, case.request_id) == [("科室主要负责人签字", case.head, "transferred", None),
                                              ("科室主要负责人签字", case.colleague, "open", "transfer")]
    entry = next(e for e in app.queries.trail(case.request_id) if e.action == "transferred")
    assert (entry.actor, entry.comment) == (case.head, "该同志熟悉情况")
    assert [n for n, _ in got] == ["transferred", "task_assigned"]
    assert got[0][1] == {"request_id": case.request_id, "task_id": task.id, "new_task_id": new, "actor": case.head,
                         "old_assignee": case.head, "new_assignee": case.colleague, "reason": "该同志熟悉情况"}
    app.service.decide(new, case.colleague, "approve", "同意")
    assert waiting(app, case.request_id) == [("分管局领导审签", case.supervisor)]
    decided = [e for e in app.queries.trail(case.request_id) if e.action == "decided"]
    assert [(e.actor, e.on_behalf_of) for e in decided] == [(case.colleague, None)]
    assert actions(app, case.request_id)[:3] == ["submitted", "assigned", "transferred"]


def test_the_head_no_longer_decides_a_task_they_transferred(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    app.service.transfer(task.id, case.head, case.colleague, "熟悉情况")
    with pytest.raises(ConflictError, match="transferred"):
        app.service.decide(task.id, case.head, "approve", "")


@pytest.mark.parametrize(("who", "why"), [
    ("nobody.here", "is not in the org chart"),
    ("applicant", "is the applicant of request"),
    ("head", "is you"),
    ("inspector", "is a discipline inspector"),
    ("", "name the person"),
])
def test_a_transfer_to_someone_who_could_not_decide_is_refused_naming_the_field(
        app: Approvals, who: str, why: str) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    person = getattr(case, who, who)
    before = counts(app)
    with pytest.raises(FieldError, match=why) as info:
        app.service.transfer(task.id, case.head, person, "熟悉情况")
    assert info.value.issues[0].where == "to"
    assert counts(app) == before


def test_a_transfer_without_a_reason_is_refused_and_changes_nothing(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    before = counts(app)
    with pytest.raises(FieldError) as info:
        app.service.transfer(task.id, case.head, case.colleague, "   ")
    assert info.value.issues[0].where == "reason"
    assert counts(app) == before


def test_only_the_holder_transfers_never_the_applicant_nor_an_outsider(app: Approvals) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    before = counts(app)
    for intruder, why in ((case.applicant, "is the applicant of request"), (case.supervisor, "assigned to"),
                          ("nobody.here", "assigned to")):
        with pytest.raises(NotPermittedError, match=why):
            app.service.transfer(task.id, intruder, case.colleague, "熟悉情况")
    assert counts(app) == before
