"""Finding requests again: 我的申请 and 已办 narrowed by type, status, dates and text, and the
current step of each request on a page."""

from __future__ import annotations

from datetime import date

from support import leave_fields, open_steps

from approvals.app import Approvals
from approvals.reports.listing import ListFilter, Listing

STAFF, HEAD = "shen.yue", "jiang.tao"


def _three(app: Approvals) -> list[int]:
    first = app.service.submit(STAFF, "leave", leave_fields(destination="北京市海淀区"))
    app.clock.advance(days=2)  # type: ignore[attr-defined]
    second = app.service.submit(STAFF, "leave", leave_fields(destination="武汉市 100%_会场"))
    third = app.service.submit(STAFF, "leave", leave_fields(destination="上海市"))
    app.service.withdraw(third, STAFF)
    return [first, second, third]


def _ids(page: object) -> list[int]:
    return [item.id for item in page.items]  # type: ignore[attr-defined]


def test_my_requests_are_found_by_text_type_status_and_day(app: Approvals) -> None:
    first, second, third = _three(app)
    mine = Listing(app.db)
    assert _ids(mine.my_requests(STAFF, ListFilter())) == [third, second, first]
    assert _ids(mine.my_requests(STAFF, ListFilter(text="武汉"))) == [second]
    assert _ids(mine.my_requests(STAFF, ListFilter(status="withdrawn"))) == [third]
    assert _ids(mine.my_requests(STAFF, ListFilter(request_type="meeting"))) == []
    since = app.clock.now().date()
    assert _ids(mine.my_requests(STAFF, ListFilter(since=since))) == [third, second]
    assert _ids(mine.my_requests(STAFF, ListFilter(until=date(2026, 11, 23)))) == [first]
    assert _ids(mine.my_requests(STAFF, ListFilter(text=f"#{first}"))) == [first]
    assert mine.my_requests(STAFF, ListFilter(text="武汉"), limit=1).total == 1
    assert _ids(mine.my_requests(HEAD, ListFilter())) == []  # only one's own


def test_percent_and_underscore_in_a_search_mean_themselves(app: Approvals) -> None:
    _, second, _ = _three(app)
    mine = Listing(app.db)
    assert _ids(mine.my_requests(STAFF, ListFilter(text="100%_"))) == [second]
    assert _ids(mine.my_requests(STAFF, ListFilter(text="%"))) == [second]
    assert _ids(mine.my_requests(STAFF, ListFilter(text="0_会"))) == []


def test_what_i_decided_is_found_by_my_comment_and_what_i_did(app: Approvals) -> None:
    first, second, _ = _three(app)
    app.service.decide(open_steps(app, first)[0].id, HEAD, "approve", "同意，注意安全")
    app.service.decide(open_steps(app, second)[0].id, HEAD, "return", "请写明具体地址")
    done = Listing(app.db)
    assert [t.request_id for t in done.done_by(HEAD, ListFilter()).items] == [second, first]
    assert [t.request_id for t in done.done_by(HEAD, ListFilter(text="注意安全")).items] == [first]
    assert [t.request_id for t in done.done_by(HEAD, ListFilter(status="returned")).items] == [second]
    assert [t.request_id for t in done.done_by(HEAD, ListFilter(text="武汉")).items] == [second]


def test_each_request_on_a_page_shows_what_it_waits_on(app: Approvals) -> None:
    first, second, third = _three(app)
    app.service.decide(open_steps(app, first)[0].id, HEAD, "approve", "")
    steps = Listing(app.db).current_steps([first, second, third])
    assert [t.name for t in steps[first]] == ["分管局领导审签"]
    assert [(t.name, t.assignee) for t in steps[second]] == [("科室主要负责人签字", HEAD)]
    assert third not in steps  # withdrawn: nothing waits
