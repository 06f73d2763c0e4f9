"""The admin's flows of issue 10 in headless Chromium, as 冯洁 (HR head) does them: an
appointment by form with its impact preview, a broken YAML edit answered in Chinese, a
process deployed from the page and offered to an applicant at once. Screenshots at desktop
size and at 390x844 (a phone) go to tests/artifacts/."""

from __future__ import annotations

import pytest
from browsing import ARTIFACTS, Desk
from playwright.sync_api import Browser, expect
from support import PROCESSES
from webkit import ADMIN, submit_leave

from approvals.app import Approvals

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _both_sizes(desk: Desk, name: str) -> None:
    desk.shot(f"{name}-desktop")
    desk.page.set_viewport_size(PHONE)
    desk.shot(f"{name}-phone")
    desk.page.set_viewport_size({"width": 1280, "height": 860})


def test_an_appointment_by_form_shows_the_tasks_it_moves_then_saves(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    for destination in ("武汉市", "长沙市"):
        submit_leave(engine, "shen.yue", destination=destination)
    hr = Desk(browser, live_url, ADMIN)
    hr.go("/admin/orgchart/changes")
    form = hr.page.locator("#form-appoint")
    form.locator("#appoint-position").select_option("unit:head")
    form.locator("#appoint-unit").select_option("finance")
    form.locator("input.picker-search").fill("hp")  # pinyin initials of 何平
    expect(form.locator("#appoint-person")).to_have_value("he.ping")
    form.locator("button[value=check]").click()
    preview = hr.page.locator("#preview")
    expect(preview).to_contain_text("任命 何平 为 财务与资金运用科主要负责人")
    expect(preview).to_contain_text("将 2 个待办从 蒋涛 移交给 何平")
    _both_sizes(hr, "10-appointment-impact-preview")
    hr.page.fill("#reason", "局党组会议决定")
    hr.page.click("#preview button[value=save]")
    expect(hr.page.locator(".flash.success")).to_contain_text("已保存")
    hr.close()
    assert engine.orgcharts.current("xx-nrpb").units["finance"].head == "he.ping"


def test_a_broken_yaml_edit_shows_a_chinese_sentence_at_its_line(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    hr = Desk(browser, live_url, ADMIN)
    hr.go("/admin/orgchart/edit")
    text = hr.page.input_value("#text")
    hr.page.fill("#text", text.replace("head: jiang.tao", "head: he.pin"))
    hr.page.click("button[value=check]")
    problem = hr.page.locator("li.bad .problem")
    expect(problem).to_contain_text("单位 财务与资金运用科 的 负责人")
    expect(problem).to_contain_text("人员名单中没有这个编号的人员（是否想写 he.ping？）")
    _both_sizes(hr, "11-yaml-error-in-chinese")
    hr.close()


def test_a_process_deployed_from_the_page_is_offered_at_once(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    renamed = (PROCESSES / "leave_xx.bpmn").read_text(encoding="utf-8").replace(
        'name="离孝审批"', 'name="干部职工离孝审批"', 1)
    upload = ARTIFACTS / "leave_xx.bpmn"
    ARTIFACTS.mkdir(exist_ok=True)
    upload.write_text(renamed, encoding="utf-8")
    hr = Desk(browser, live_url, ADMIN)
    hr.go("/admin/processes")
    hr.page.set_input_files("#upload", str(upload))
    hr.page.fill("#comment", "流程改名")
    hr.page.click("button[value=deploy]")
    expect(hr.page.locator(".flash.success")).to_contain_text("已部署")
    _both_sizes(hr, "12-process-deployed")
    hr.close()

    staff = Desk(browser, live_url, "shen.yue")
    staff.go("/apply")
    expect(staff.page.locator("main")).to_contain_text("干部职工离孝审批")
    staff.page.set_viewport_size(PHONE)
    staff.shot("13-deployed-process-offered-phone")
    staff.close()
