"""The main flows at phone size (390×844) and the same pages at desktop size: nothing runs off
the screen sideways, lists are cards with the open button in reach, the diagram opens readable
with the current step in view. Screenshots go to tests/artifacts/ (phone-*.png) to look at."""

from __future__ import annotations

import pytest
from browsing import DESKTOP, PHONE, Desk
from playwright.sync_api import Browser, expect
from webkit import open_task, submit_leave

from approvals.app import Approvals

pytestmark = pytest.mark.browser


def _in_view(desk: Desk, selector: str) -> bool:
    box = desk.page.locator(selector).first.bounding_box()
    size = desk.page.viewport_size
    assert box is not None and size is not None
    return box["x"] >= 0 and box["x"] + box["width"] <= size["width"]


def test_a_leave_request_is_filed_and_approved_on_a_phone(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    staff = Desk(browser, live_url, "shen.yue", PHONE)
    staff.go("/apply/leave")
    assert staff.overflow() == 0
    staff.page.fill("#f-destination", "北京市海淀区")
    staff.page.fill("#f-depart_on", "2026-12-01")
    staff.page.fill("#f-return_on", "2026-12-05")
    staff.page.fill("#f-reason", "探亲")
    staff.page.locator("#f-reason").blur()
    expect(staff.page.locator("#preview-steps li.shown").first).to_contain_text("蒋涛")
    staff.shot("phone-01-leave-form")
    staff.page.click("button[value=submit]")
    expect(staff.page.locator(".flash.success")).to_contain_text("已提交")
    expect(staff.page.locator("#diagram.ready")).to_have_count(1)
    assert staff.overflow() == 0
    # opened readable, not shrunk to fit: the current step is drawn and inside the box
    current = staff.page.locator("#diagram .step-current").first.bounding_box()
    frame = staff.page.locator("#diagram").bounding_box()
    assert current is not None and frame is not None
    assert frame["x"] <= current["x"] and current["x"] + current["width"] <= frame["x"] + frame["width"]
    assert current["width"] >= 70  # a 100-unit task box at a readable scale
    staff.page.click("#diagram-tools button[data-zoom=fit]")
    staff.shot("phone-02-request-page")
    staff.go("/requests")
    assert staff.overflow() == 0
    staff.shot("phone-03-my-requests")
    staff.close()

    head = Desk(browser, live_url, "jiang.tao", PHONE)
    head.go("/inbox")
    assert head.overflow() == 0
    assert _in_view(head, "table.inbox td.action a.button")
    expect(head.page.locator("#batch-approve")).to_be_disabled()  # no empty "are you sure?"
    head.page.check("table.inbox td.pick input")
    expect(head.page.locator("#batch-approve")).to_be_enabled()
    head.page.uncheck("table.inbox td.pick input")
    head.shot("phone-04-inbox-cards")
    head.page.click("table.inbox td.action a.button")
    assert head.overflow() == 0
    assert _in_view(head, "button[value=approve]")
    head.shot("phone-05-task-page")
    head.page.click("button[value=approve]")
    expect(head.page.locator(".flash.success")).to_contain_text("已同意")
    head.go("/done")
    assert head.overflow() == 0
    head.shot("phone-06-done")
    head.close()


@pytest.mark.parametrize("size", [PHONE, (320, 640), DESKTOP], ids=["phone", "320", "desktop"])
def test_list_and_request_pages_never_scroll_sideways(
    browser: Browser, live_url: str, engine: Approvals, size: tuple[int, int]
) -> None:
    request_id = submit_leave(engine, "shen.yue")
    engine.service.decide(open_task(engine, request_id).id, "jiang.tao", "approve", "同意")
    for person, paths in {
        "shen.yue": ["/", "/requests", f"/requests/{request_id}", "/apply/meeting"],
        "chen.gang": ["/inbox", "/done", f"/tasks/{open_task(engine, request_id).id}"],
        "feng.jie": ["/notices", "/admin/orgchart", "/stats/"],
        "wang.jun": [f"/requests/{request_id}/print"],
        "yang.fan": ["/inspect/"],
    }.items():
        desk = Desk(browser, live_url, person, size)
        for path in paths:
            desk.go(path)
            assert desk.overflow() == 0, f"{path} runs off a {size[0]} px screen for {person}"
        desk.close()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_hr_reads_the_statistics_and_an_applicant_opens_the_print_view(
    browser: Browser, live_url: str, engine: Approvals, size: tuple[int, int]
) -> None:
    request_id = submit_leave(engine, "shen.yue")
    while waiting := [t for t in engine.queries.steps(request_id) if t.is_open and t.kind == "approve"]:
        engine.service.decide(waiting[0].id, waiting[0].assignee, "approve", "同意")
    hr = Desk(browser, live_url, "feng.jie", size)
    hr.go("/")
    hr.page.click("nav.menu >> text=统计")
    expect(hr.page.locator("figure.chart").first).to_contain_text("12月")
    assert hr.overflow() == 0
    hr.shot(f"stats-{size[0]}")
    hr.close()
    staff = Desk(browser, live_url, "shen.yue", size)
    staff.go(f"/requests/{request_id}")
    staff.page.click("text=打印审批单")
    expect(staff.page.locator("h1")).to_have_text("审 批 单")
    assert staff.overflow() == 0
    staff.shot(f"print-view-{size[0]}")
    staff.close()
