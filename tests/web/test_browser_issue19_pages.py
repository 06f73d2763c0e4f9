"""Issue 19's page changes in headless Chromium at 1280 wide and 390×844: 拿回 on 已办 and on
the request page, the report that waits for the trip, the inspector's inbox note. Screenshots
go to tests/artifacts/ (gitignored); nothing may scroll sideways."""

from __future__ import annotations

import pytest
from browsing import DESKTOP, PHONE, Desk
from playwright.sync_api import Browser, expect
from webkit import open_task, submit_leave

from approvals.app import Approvals

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_take_back_is_found_on_done_and_the_request_page_and_the_report_waits_for_the_trip(
        browser: Browser, live_url: str, engine: Approvals, size: tuple[int, int]) -> None:
    tag = "desktop" if size == DESKTOP else "phone"
    request_id = submit_leave(engine, "shen.yue")
    first = open_task(engine, request_id)
    engine.service.decide(first.id, first.assignee, "approve", "同意")

    head = Desk(browser, live_url, first.assignee, size)
    head.go("/done")
    expect(head.page.locator("form.take-back button")).to_have_text("拿回")
    assert head.overflow() <= 0
    head.shot(f"i19-take-back-done-{tag}")
    head.go(f"/requests/{request_id}")
    expect(head.page.locator("#take-back")).to_contain_text("后续办理人尚未处理")
    assert head.overflow() <= 0
    head.shot(f"i19-take-back-request-{tag}")
    head.page.click("#take-back button")
    expect(head.page.locator(".flash.success")).to_contain_text("拿回")
    head.close()

    for _ in range(3):
        task = open_task(engine, request_id, "approve")
        engine.service.decide(task.id, task.assignee, "approve", "")
    staff = Desk(browser, live_url, "shen.yue", size)
    staff.go(f"/requests/{request_id}")
    expect(staff.page.locator(".report-later")).to_contain_text("2026-12-01 起可提交报告")
    assert staff.overflow() <= 0
    staff.shot(f"i19-report-waits-{tag}")
    staff.close()
