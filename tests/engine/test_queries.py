"""Read-side views: pages, counts and batch reads give the same answers as one-by-one reads."""

from __future__ import annotations

from support import leave_fields, open_steps, pick

from approvals.app import Approvals


def _submit(app: Approvals, times: int) -> tuple[str, list[int]]:
    applicant = pick(app.orgcharts.current("xx-nrpb"), "staff", "section", county=True)
    return applicant, [app.service.submit(applicant, "leave", leave_fields()) for _ in range(times)]


def test_a_page_of_tasks_reads_its_requests_in_one_call_and_skips_unknown_ids(app: Approvals) -> None:
    applicant, ids = _submit(app, 3)
    found = app.queries.requests([*ids, ids[0], 999_999])
    assert sorted(found) == ids
    assert [found[i].applicant for i in ids] == [applicant] * 3
    assert [found[i].status for i in ids] == [app.queries.request(i).status for i in ids]
    assert app.queries.requests([]) == {}


def test_an_inbox_page_past_the_end_is_empty_but_still_counts_every_waiting_task(app: Approvals) -> None:
    _, ids = _submit(app, 3)
    head = open_steps(app, ids[0])[0].assignee
    chart = app.orgcharts.current("xx-nrpb")
    first = app.queries.inbox(chart, head, limit=2)
    rest = app.queries.inbox(chart, head, limit=2, offset=2)
    beyond = app.queries.inbox(chart, head, limit=2, offset=10)
    assert [t.request_id for t in [*first.items, *rest.items]] == ids
    assert (first.total, rest.total, beyond.total, list(beyond.items)) == (3, 3, 3, [])
