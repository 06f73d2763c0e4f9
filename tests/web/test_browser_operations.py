"""转办 and 加签 end to end in headless Chromium, on a phone-sized screen (390×844): the section
head hands the task to a colleague; the colleague asks the finance deputy's opinion first
(前加签), who agrees, and the task comes back to the colleague, who approves.

Screenshots go to tests/artifacts/ (gitignored)."""

from __future__ import annotations

import pytest
from browsing import Desk
from playwright.sync_api import Browser, expect
from webkit import open_task, submit_leave

from approvals.app import Approvals

pytestmark = pytest.mark.browser

STAFF, HEAD, COLLEAGUE, ASKED = "shen.yue", "jiang.tao", "he.ping", "zhao.lei"


def _phone(desk: Desk) -> Desk:
    desk.page.set_viewport_size({"width": 390, "height": 844})
    return desk


def test_the_head_transfers_and_the_colleague_adds_an_approver_on_a_phone(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)

    head = _phone(Desk(browser, live_url, HEAD))
    head.go(f"/tasks/{task.id}")
    head.page.click("#op-transfer summary")
    head.page.select_option("#transfer-to", COLLEAGUE)
    head.page.fill("#transfer-reason", "何平同志熟悉该情况")
    head.shot("ops-01-transfer-form-phone")
    head.page.click("#op-transfer button.primary")
    expect(head.page.locator(".flash.success")).to_contain_text("已转办给何平")
    head.close()

    colleague = _phone(Desk(browser, live_url, COLLEAGUE))
    colleague.go("/inbox")
    colleague.page.click("table.inbox a.button")
    expect(colleague.page.locator("table.timeline")).to_contain_text("由蒋涛转办")
    colleague.page.click("#op-add summary")
    colleague.page.select_option("#add-person", ASKED)
    colleague.page.fill("#add-reason", "请规划科把关")
    colleague.shot("ops-02-add-approver-form-phone")
    colleague.page.click("#op-add button.primary")
    expect(colleague.page.locator(".flash.success")).to_contain_text("已前加签")
    expect(colleague.page.locator("button:has-text('减签')")).to_be_visible()
    expect(colleague.page.locator("button[value=approve]")).to_have_count(0)  # held until the opinion comes
    colleague.shot("ops-03-waiting-for-added-approver-phone")
    task_url = colleague.page.url

    asked = _phone(Desk(browser, live_url, ASKED))
    asked.go("/inbox")
    asked.page.click("table.inbox a.button")
    asked.page.fill("#comment", "同意，请按规定办理")
    asked.page.click("button[value=approve]")
    expect(asked.page.locator(".flash.success")).to_contain_text("已同意")
    asked.close()

    colleague.page.goto(task_url)
    expect(colleague.page.locator("table.timeline")).to_contain_text("同意，请按规定办理")
    colleague.page.click("button[value=approve]")
    expect(colleague.page.locator(".flash.success")).to_contain_text("已同意")
    colleague.close()
    assert open_task(engine, request_id).assignee == "chen.gang"  # the route went on to 分管局领导
