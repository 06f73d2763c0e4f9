"""What people are told, as they see it in headless Chromium at 1280 wide and 390x844, in
Chinese and English: the applicant's home page with a question for her, the task page of an
opinion asked by 加签 with its reason, the request page with the urge button waiting out its
cool-down, and 通知设置 with and without e-mail set up (its address field styled like every
other input). Screenshots go to /tmp/shots-i19-told/; no page scrolls sideways."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import Desk
from operations_support import leave, only_open
from playwright.sync_api import Browser, expect
from webkit import make_web
from werkzeug.serving import make_server

from approvals.app import Approvals
from approvals.people.offices import Offices

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-i19-told")
SIZES = {"1280": (1280, 900), "390x844": (390, 844)}


@pytest.fixture
def mail_url(engine: Approvals) -> Iterator[str]:
    """The app with e-mail set up on the server (APPROVALS_SMTP_HOST), for 通知设置."""
    web = make_web(engine, WTF_CSRF_ENABLED=True, TESTING=False, APPROVALS_SMTP_HOST="smtp.example.gov.cn")
    server = make_server("127.0.0.1", 0, web, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _look(desk: Desk, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    desk.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    scroll = desk.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name} scrolls sideways ({scroll}px > {width}px)"


def _english(desk: Desk) -> None:
    desk.page.click("form.lang button[value=en]")
    desk.page.wait_for_load_state()


@pytest.mark.parametrize("size", SIZES)
def test_the_applicant_sees_the_question_and_the_person_added_reads_why(
        browser: Browser, live_url: str, engine: Approvals, size: str) -> None:
    width, height = SIZES[size]
    case = leave(engine)
    task = only_open(engine, case.request_id)
    engine.service.ask(task.id, case.head, case.applicant, "请提供探亲证明（单位盖章的复印件即可）")
    added = engine.service.add_approver(task.id, case.head, case.colleague, "before", "涉及考勤，请先核对出勤记录",
                                        Offices())
    applicant = Desk(browser, live_url, case.applicant, (width, height))
    expect(applicant.page.locator("#inbox-count")).to_have_text("1")
    expect(applicant.page.locator("#questions-for-me")).to_contain_text(f"就申请 #{case.request_id} 向您提问（沟通）")
    _look(applicant, f"home-question-zh-{size}", width)
    applicant.page.goto(f"{live_url}/requests/{case.request_id}")
    applicant.page.locator(f"#urge-{task.id}").click()
    expect(applicant.page.locator(f"#urge-{task.id}")).to_be_disabled()
    expect(applicant.page.locator(f"#urge-{task.id}")).to_contain_text("起可再次催办")
    _look(applicant, f"request-urged-zh-{size}", width)
    _english(applicant)
    expect(applicant.page.locator(f"#urge-{task.id}")).to_contain_text("again from")
    _look(applicant, f"request-urged-en-{size}", width)
    applicant.page.goto(f"{live_url}/")
    expect(applicant.page.locator("#questions-for-me")).to_contain_text(f"asks you about request #{case.request_id}")
    _look(applicant, f"home-question-en-{size}", width)
    assert applicant.errors == []
    applicant.context.close()

    colleague = Desk(browser, live_url, case.colleague, (width, height))
    colleague.page.goto(f"{live_url}/tasks/{added}")
    expect(colleague.page.locator("#why")).to_contain_text("理由：涉及考勤，请先核对出勤记录")
    _look(colleague, f"task-added-zh-{size}", width)
    _english(colleague)
    expect(colleague.page.locator("#why")).to_contain_text("Reason: 涉及考勤，请先核对出勤记录")
    _look(colleague, f"task-added-en-{size}", width)
    colleague.page.wait_for_load_state("networkidle")
    assert colleague.errors == []
    colleague.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_settings_page_says_when_email_is_not_set_up_and_styles_the_address_field(
        browser: Browser, live_url: str, mail_url: str, engine: Approvals, size: str) -> None:
    width, height = SIZES[size]
    case = leave(engine)
    plain = Desk(browser, live_url, case.applicant, (width, height))
    plain.page.goto(f"{live_url}/notifications/settings")
    expect(plain.page.locator("#mail-not-configured")).to_contain_text("本服务器未配置电子邮件")
    _look(plain, f"settings-no-mail-zh-{size}", width)
    _english(plain)
    expect(plain.page.locator("#mail-not-configured")).to_contain_text("E-mail is not set up on this server")
    _look(plain, f"settings-no-mail-en-{size}", width)
    plain.context.close()
    mail = Desk(browser, mail_url, case.applicant, (width, height))
    mail.page.goto(f"{mail_url}/notifications/settings")
    field = mail.page.locator("#email")
    style = "e => [getComputedStyle(e).borderTopColor, getComputedStyle(e).paddingTop, getComputedStyle(e).width]"
    border, padding, field_width = field.evaluate(style)
    assert (border, padding) == ("rgb(184, 192, 200)", "7.2px") and float(field_width[:-2]) > 200
    _look(mail, f"settings-mail-zh-{size}", width)
    mail.context.close()
