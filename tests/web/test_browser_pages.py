"""Every kind of page in a real browser: no script errors or blocked resources, Chinese text
drawn (not blank boxes), and a screenshot of each in tests/artifacts/ to look at."""

from __future__ import annotations

import pytest
from browsing import Desk
from playwright.sync_api import Browser, expect
from webkit import open_task, submit_leave

from approvals.app import Approvals

pytestmark = pytest.mark.browser


def test_pages_of_every_role_render_cleanly(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    request_id = submit_leave(engine, "shen.yue")
    task = open_task(engine, request_id)
    engine.service.urge(task.id, "shen.yue")
    broken = engine.admin.current_text("xx-nrpb").replace("head: jiang.tao", "head: jiang.tal")
    yang_fan = submit_leave(engine, "yang.fan")  # waits for 韩冰, an inspector

    login = Desk(browser, live_url, "shen.yue")
    login.go("/")
    login.shot("20-home")
    login.page.click("button:has-text('English')")
    expect(login.page.locator("nav.menu")).to_contain_text("My requests")
    login.go(f"/requests/{request_id}")
    login.shot("21-request-in-english")
    login.page.click("button:has-text('中文')")
    login.go("/apply/leave")
    login.page.fill("#f-destination", "武汉市")
    login.page.click("button[value=submit]")
    expect(login.page.locator("#e-depart_on")).to_contain_text("此项为必填项")
    login.page.wait_for_timeout(500)  # the live preview has run: the server's messages stay
    expect(login.page.locator("#e-depart_on")).to_contain_text("此项为必填项")
    expect(login.page.locator("#f-destination")).to_have_value("武汉市")
    login.shot("27-form-errors-kept")
    login.go("/no/such/page")
    expect(login.page.locator("h1")).to_have_text("未找到")
    login.shot("22-not-found")
    login.close()

    head = Desk(browser, live_url, "jiang.tao")
    head.go("/inbox")
    expect(head.page.locator(".urged").first).to_contain_text("已催办")
    head.shot("23-inbox-urged")
    head.go("/delegation")
    head.shot("24-delegation")
    head.close()

    admin = Desk(browser, live_url, "feng.jie")
    admin.go("/admin/orgchart/edit")
    admin.page.fill("#text", broken)
    admin.page.click("button[value=check]")
    expect(admin.page.locator("li.bad")).to_contain_text("jiang.tal")
    admin.shot("25-orgchart-inline-error")
    admin.close()

    inspector = Desk(browser, live_url, "han.bing")
    inspector.go(f"/tasks/{open_task(engine, yang_fan).id}")
    expect(inspector.page.locator("main")).to_contain_text("只出具纪检意见")
    expect(inspector.page.locator("button[value=approve]")).to_have_count(0)
    inspector.shot("26-inspector-holds-a-task")
    inspector.close()
