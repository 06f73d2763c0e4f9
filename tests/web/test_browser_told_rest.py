"""Issue 19, points 13 and 18, as people see them in headless Chromium at 1280 wide and
390x844: a process file refused on the deploy page in Chinese; the request page naming the
steps still ahead; 我的申请 with each request's content; 转办 found by pinyin; the inspector's
trail cards on a phone naming each value. Screenshots go to /tmp/shots-f-told/; no page
scrolls sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import Desk
from playwright.sync_api import Browser, expect
from support import PROCESSES
from webkit import ADMIN, open_task, submit_leave

from approvals.app import Approvals

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-f-told")
SIZES = {"1280": (1280, 900), "390x844": (390, 844)}
STAFF, INSPECTOR = "shen.yue", "yang.fan"


def _look(desk: Desk, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    desk.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    scroll = desk.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name} scrolls sideways ({scroll}px > {width}px)"


@pytest.mark.parametrize("size", SIZES)
def test_a_refused_process_file_reads_in_chinese_on_the_deploy_page(
        browser: Browser, live_url: str, tmp_path: Path, size: str) -> None:
    width, height = SIZES[size]
    broken = tmp_path / "leave_xx.bpmn"
    broken.write_text((PROCESSES / "leave_xx.bpmn").read_text(encoding="utf-8")
                      .replace('name="kind" value="approve"', 'name="kind" value="sign"', 1)
                      .replace("</bpmn:process>", "", 1), encoding="utf-8")
    admin = Desk(browser, live_url, ADMIN, (width, height))
    admin.go("/admin/processes")
    admin.page.set_input_files("#upload", str(broken))
    admin.page.click("button[value=check]")
    expect(admin.page.locator("#refused")).to_contain_text("不是格式正确的 XML（解析器提示：")
    expect(admin.page.locator("#refused")).not_to_contain_text("not well-formed")
    _look(admin, f"deploy-refused-zh-{size}", width)
    assert admin.errors == []
    admin.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_applicant_sees_what_is_ahead_and_her_list_says_what_each_request_is(
        browser: Browser, live_url: str, engine: Approvals, size: str) -> None:
    width, height = SIZES[size]
    request_id = submit_leave(engine, STAFF)
    applicant = Desk(browser, live_url, STAFF, (width, height))
    applicant.go(f"/requests/{request_id}")
    expect(applicant.page.locator("#ahead")).to_contain_text("分管局领导审签")
    expect(applicant.page.locator("#ahead")).to_contain_text("陈刚")
    _look(applicant, f"request-ahead-zh-{size}", width)
    applicant.go("/requests")
    expect(applicant.page.locator("table.list .summary").first).to_contain_text("目的地：北京市海淀区")
    _look(applicant, f"my-requests-zh-{size}", width)
    assert applicant.errors == []
    applicant.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_holder_finds_whom_to_transfer_to_by_pinyin(
        browser: Browser, live_url: str, engine: Approvals, size: str) -> None:
    width, height = SIZES[size]
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    holder = Desk(browser, live_url, task.assignee, (width, height))
    holder.go(f"/tasks/{task.id}")
    transfer = holder.page.locator("details", has=holder.page.locator("select[name=to]"))
    transfer.locator("summary").click()
    box = transfer.locator("input.picker-search")
    box.fill("hp")
    expect(transfer.locator("select[name=to]")).to_have_value("he.ping")
    _look(holder, f"transfer-picker-zh-{size}", width)
    assert holder.errors == []
    holder.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_inspectors_trail_cards_name_each_value(
        browser: Browser, live_url: str, engine: Approvals, size: str) -> None:
    width, height = SIZES[size]
    request_id = submit_leave(engine, STAFF)
    task = open_task(engine, request_id)
    engine.service.decide(task.id, task.assignee, "approve", "同意")
    inspector = Desk(browser, live_url, INSPECTOR, (width, height))
    inspector.go(f"/inspect/requests/{request_id}")
    first = inspector.page.locator("table.audit tbody tr").first
    for label in ("时间", "办理人", "操作"):
        expect(first.locator(f"td[data-label='{label}']")).to_have_count(1)
    if width < 640:  # a card: the label is drawn before the value
        before = first.locator("td[data-label='时间']").evaluate(
            "td => getComputedStyle(td, '::before').content")
        assert "时间" in before
    _look(inspector, f"inspector-trail-zh-{size}", width)
    assert inspector.errors == []
    inspector.context.close()
