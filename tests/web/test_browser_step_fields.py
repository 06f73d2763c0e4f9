"""Finance fills 核定金额 at its own step, in headless Chromium at desktop size and on a phone
(390×844): the field is on its task page and not on anyone else's, a missing amount is refused
beside the field, and the applicant reads the amount on the request page (tests/trips.py).
Screenshots in tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import DESKTOP, PHONE, Desk
from playwright.sync_api import Browser, expect
from trips import APPLICANT, FINANCE, HEAD, open_task, trip_bureau, trip_fields

from approvals.app import Approvals

pytestmark = pytest.mark.browser


@pytest.fixture
def engine(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = trip_bureau(db_url, tmp_path, passwords=True)
    yield app
    app.db.dispose()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_finance_sets_the_approved_amount_at_its_step(
    browser: Browser, live_url: str, engine: Approvals, size: tuple[int, int]
) -> None:
    request_id = engine.service.submit(APPLICANT, "trip", trip_fields())
    head = Desk(browser, live_url, HEAD, size)
    head.go(f"/tasks/{open_task(engine, request_id, 'head').id}")
    expect(head.page.locator("#f-approved_amount")).to_have_count(0)  # not the unit head's to fill
    head.page.click("button[value=approve]")
    head.close()

    finance = Desk(browser, live_url, FINANCE, size)
    finance.go(f"/tasks/{open_task(engine, request_id, 'finance').id}")
    expect(finance.page.locator("main")).not_to_contain_text("出差事由")  # hidden from finance
    finance.page.click("button[value=approve]")
    expect(finance.page.locator("#e-approved_amount")).to_contain_text("必填")
    finance.page.fill("#f-approved_amount", "3000")
    finance.page.fill("#f-finance_note", "住宿按标准核减")
    assert finance.overflow() <= 0
    finance.shot(f"step-fields-01-finance-task-{size[0]}")
    finance.page.click("button[value=approve]")
    expect(finance.page.locator(".flash.success")).to_be_visible()
    finance.close()

    applicant = Desk(browser, live_url, APPLICANT, size)
    applicant.go(f"/requests/{request_id}")
    report = applicant.page.locator("section.report", has_text="财务科核定金额")
    expect(report).to_contain_text("3000")
    expect(applicant.page.locator("main")).to_contain_text("行程明细")
    assert applicant.overflow() <= 0
    applicant.shot(f"step-fields-02-request-page-{size[0]}")
    applicant.close()
