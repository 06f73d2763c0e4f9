"""What a menu shows: the counts of the inbox, open filings and copies, and reports due, as one
read that agrees with the lists those badges lead to."""

from __future__ import annotations

from support import head_of_duty, leave_fields, pick

from approvals.app import Approvals
from approvals.reports.queries import Waiting

DECISIONS = ("approve", "consent", "record")


def _as_lists_say(app: Approvals, person: str) -> Waiting:
    chart = app.orgcharts.for_person(person)
    return Waiting(app.queries.inbox(chart, person).total, app.queries.notices(chart, person).total,
                   len(app.queries.reports_due(person)))


def _approve_all(app: Approvals, request_id: int) -> None:
    while task := next((t for t in app.queries.steps(request_id) if t.is_open and t.kind in DECISIONS), None):
        app.service.decide(task.id, task.assignee, "approve", "")


def test_the_menu_counts_match_the_lists_along_a_leave_route(app: Approvals) -> None:
    chart = app.orgcharts.current("xx-nrpb")
    staff = pick(chart, "staff", "section")
    head = chart.units[chart.people[staff].unit].head
    filing = head_of_duty(chart, "filing")
    assert head is not None
    first = app.service.submit(staff, "leave", leave_fields())
    app.service.submit(staff, "leave", leave_fields(destination="上海市"))
    assert app.queries.waiting(chart, head) == Waiting(2, 0, 0) == _as_lists_say(app, head)

    _approve_all(app, first)
    assert app.queries.waiting(chart, head) == Waiting(1, 0, 0) == _as_lists_say(app, head)
    assert app.queries.waiting(chart, staff) == Waiting(0, 0, 1) == _as_lists_say(app, staff)
    waiting = app.queries.waiting(chart, filing)
    assert waiting.notices == 1 and waiting == _as_lists_say(app, filing)
