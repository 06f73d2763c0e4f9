"""The notification centre on a phone (390x844), in headless Chromium: an applicant urges, the
head sees the count in the menu, opens the notification and lands on the task."""

from __future__ import annotations

import pytest
from browsing import ARTIFACTS, Desk
from playwright.sync_api import Browser, expect
from support import leave_fields

from approvals.app import Approvals

pytestmark = pytest.mark.browser


def test_on_a_phone_the_head_sees_the_urge_in_the_notification_centre_and_opens_the_task(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    request_id = engine.service.submit("shen.yue", "leave", leave_fields())
    [task] = [t for t in engine.queries.steps(request_id) if t.is_open]
    engine.service.urge(task.id, "shen.yue")
    head = Desk(browser, live_url, task.assignee)
    head.page.set_viewport_size({"width": 390, "height": 844})
    expect(head.page.locator("#unread-count")).to_have_text("2")
    head.page.click("#nav-notifications")
    notes = head.page.locator("ul.notifications li.unread")
    expect(notes).to_have_count(2)
    expect(notes.first).to_contain_text(f"沈悦 催办离孝审批 #{request_id}")
    ARTIFACTS.mkdir(exist_ok=True)
    head.page.screenshot(path=str(ARTIFACTS / "notifications-390x844.png"))  # the first screen, as seen
    width = head.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    notes.first.locator("button").click()
    expect(head.page).to_have_url(f"{live_url}/tasks/{task.id}")
    expect(head.page.locator("#unread-count")).to_have_text("1")
    head.page.wait_for_load_state("networkidle")  # the task page's diagram files fully served before closing
    head.close()
