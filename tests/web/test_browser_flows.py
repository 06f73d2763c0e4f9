"""End to end in headless Chromium: the three flows of issue 3, as the people who do them.

Screenshots go to tests/artifacts/ (gitignored) so a person can look at the pages.
"""

from __future__ import annotations

import re

import pytest
from browsing import Desk, approve_from_inbox
from playwright.sync_api import Browser, expect

from approvals.app import Approvals

pytestmark = pytest.mark.browser


def test_staff_leave_is_approved_by_three_in_turn_filed_acknowledged_and_reported(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    staff = Desk(browser, live_url, "shen.yue")
    staff.go("/apply")
    staff.page.click("text=离孝审批")
    staff.page.fill("#f-destination", "北京市海淀区")
    staff.page.fill("#f-depart_on", "2026-12-01")
    staff.page.fill("#f-return_on", "2026-12-05")
    staff.page.fill("#f-reason", "探亲")
    staff.page.click("#preview-button")
    route = staff.page.locator("#preview-steps li.shown")
    expect(route).to_have_count(5)
    expect(route.nth(0)).to_contain_text("蒋涛")
    expect(route.nth(1)).to_contain_text("陈刚")
    expect(route.nth(2)).to_contain_text("李明")
    staff.shot("01-leave-form-with-route-preview")
    staff.page.click("button[value=submit]")
    expect(staff.page.locator(".flash.success")).to_contain_text("已提交")
    expect(staff.page.locator("#diagram.ready")).to_have_count(1)
    expect(staff.page.locator("#diagram .step-current")).to_have_count(1)  # 蒋涛's step, marked
    expect(
        staff.page.locator("#diagram .bjs-powered-by")
    ).to_be_visible()  # the licence's watermark
    staff.shot("02-leave-request-page")
    request_url = staff.page.url

    approve_from_inbox(browser, live_url, "jiang.tao", "03-task-page-section-head")
    approve_from_inbox(browser, live_url, "chen.gang")
    approve_from_inbox(browser, live_url, "li.ming")

    hr = Desk(browser, live_url, "feng.jie")
    hr.go("/notices")
    expect(hr.page.locator("main")).to_contain_text("沈悦")
    hr.shot("04-filing-list")
    hr.page.click("button:has-text('签收')")
    expect(hr.page.locator(".flash.success")).to_contain_text("已签收")
    hr.close()

    staff.page.goto(request_url)
    staff.page.click("text=提交报告：")
    staff.page.fill("#f-actual_return_on", "2026-12-05")
    staff.page.fill("#f-itinerary", "北京市海淀区，未去中高风险地区")
    staff.shot("05-return-report-form")
    staff.page.click("button.primary")
    expect(staff.page.locator(".flash.success")).to_contain_text("报告已提交")
    expect(staff.page.locator("h2 .pill")).to_have_text("已办结")
    staff.shot("06-leave-completed")
    staff.close()


def test_a_sixty_person_meeting_goes_to_the_chief_who_rejects_it_with_a_reason(
    browser: Browser, live_url: str
) -> None:
    head = Desk(browser, live_url, "zhao.lei")
    head.go("/apply/meeting")
    head.page.fill("#f-title", "全局国土空间规划工作会")
    head.page.fill("#f-participants", "60")
    head.page.fill("#f-held_on", "2026-12-10")
    head.page.fill("#f-venue", "局机关报告厅")
    head.page.set_input_files(
        "#f-plan",
        files=[
            {
                "name": "防控方案.pdf",  # attachments are checked by content: a PDF
                "mimeType": "application/pdf",
                "buffer": "%PDF-1.4\n测温、戴口罩、间隔就座".encode(),
            }
        ],
    )
    head.page.locator("#f-venue").blur()
    expect(head.page.locator("#preview-steps li.shown").first).to_contain_text("王军")
    head.shot("07-meeting-form-chief-preview")
    head.page.click("button[value=submit]")
    expect(head.page.locator(".flash.success")).to_contain_text("已提交")

    chief = Desk(browser, live_url, "wang.jun")
    chief.go("/inbox")
    expect(chief.page.locator("#inbox-count")).to_have_text("1")
    chief.page.click("table.inbox a.button")
    chief.page.click("button[value=reject]")
    expect(chief.page.locator(".decision .error")).to_contain_text("必须填写意见")
    chief.shot("08-reject-without-comment")
    chief.page.fill("#comment", "人数过多，请改为视频会议")
    chief.page.click("button[value=reject]")
    expect(chief.page.locator(".flash.success")).to_contain_text("已不同意")
    chief.close()

    head.go("/requests")
    head.page.click("table.list a >> nth=0")
    expect(head.page.locator("main")).to_contain_text("人数过多，请改为视频会议")
    expect(head.page.locator("h2 .pill")).to_have_text("未批准")
    head.shot("09-meeting-rejected")
    head.close()


def test_an_admin_replaces_a_section_head_and_the_new_head_finds_the_waiting_task(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    engine.service.submit(
        "shen.yue",
        "leave",
        {
            "destination": "武汉市",
            "depart_on": "2026-12-01",
            "return_on": "2026-12-03",
            "reason": "参加培训",
        },
    )
    admin = Desk(browser, live_url, "feng.jie")
    admin.go("/admin/orgchart")
    admin.shot("10-orgchart-page")
    admin.page.click(".tabs >> text=编辑")
    yaml = admin.page.input_value("#text")
    admin.page.fill("#text", yaml.replace("head: jiang.tao", "head: he.ping"))
    admin.page.fill("#comment", "蒋涛调任，何平任科长")
    admin.page.click("button[value=check]")
    expect(admin.page.locator("ul.moves")).to_contain_text("将 1 个待办从 蒋涛 移交给 何平")
    admin.shot("11-orgchart-impact-preview")
    admin.page.click("button[value=save]")
    expect(admin.page.locator(".flash.success")).to_contain_text("1 个待办事项已移交")
    admin.shot("12-orgchart-versions")
    admin.close()

    new_head = Desk(browser, live_url, "he.ping")
    new_head.go("/inbox")
    expect(new_head.page.locator("#inbox-count")).to_have_text("1")
    expect(new_head.page.locator("table.inbox")).to_contain_text("沈悦")
    new_head.shot("13-new-head-inbox")
    new_head.close()


def test_an_inspector_searches_the_trail_and_sees_the_chain_intact(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    request_id = engine.service.submit(
        "shen.yue",
        "leave",
        {
            "destination": "武汉市",
            "depart_on": "2026-12-01",
            "return_on": "2026-12-03",
            "reason": "参加培训",
        },
    )
    task = next(t for t in engine.queries.steps(request_id) if t.is_open)
    engine.service.decide(task.id, "jiang.tao", "return", "请补充培训通知")
    inspector = Desk(browser, live_url, "yang.fan")
    inspector.go("/inspect/")
    inspector.page.click("text=校验最新记录")  # a bounded check; the page never walks the whole chain
    expect(inspector.page.locator("#chain-status")).to_contain_text("哈希链完整")
    inspector.page.select_option("#decision", "return")
    inspector.page.click("text=查询")
    expect(inspector.page.locator("table.audit")).to_contain_text("请补充培训通知")
    inspector.shot("14-audit-search")
    inspector.page.click(f"text=#{request_id}")
    expect(inspector.page.locator("main")).to_contain_text(re.compile("第 1 版"))
    inspector.shot("15-request-trail")
    inspector.close()
