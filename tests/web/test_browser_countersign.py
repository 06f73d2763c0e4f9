"""A 会签/或签 topic end to end in headless Chromium (tests/fixtures/topic_xx.bpmn deployed).

Screenshots go to tests/artifacts/ (gitignored) so a person can look at the pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import Desk, approve_from_inbox
from playwright.sync_api import Browser, expect
from topics import topic_bureau

from approvals.app import Approvals

pytestmark = pytest.mark.browser


@pytest.fixture
def engine(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    """This module's bureau: policy A with the topic process deployed (tests/topics.py)."""
    app = topic_bureau(db_url, tmp_path, passwords=True)
    yield app
    app.db.dispose()


def test_a_topic_is_checked_by_any_one_clerk_then_signed_by_every_leader(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    drafter = Desk(browser, live_url, "sun.li")
    drafter.go("/apply")
    drafter.page.click("text=党组会议题审批")
    drafter.page.fill("#f-title", "关于调整规划科内设岗位的议题")
    drafter.page.fill("#f-summary", "拟调整岗位设置，提请党组会研究。")
    drafter.page.click("#preview-button")
    route = drafter.page.locator("#preview-steps li.shown")
    expect(route).to_have_count(4)
    expect(route.nth(0)).to_contain_text("或签（任一人）：周强, 吴敏, 郑宇")
    expect(route.nth(1)).to_contain_text("与以下环节同时进行：机关纪委意见")
    expect(route.nth(3)).to_contain_text("依次会签：王军, 李明, 张华, 陈刚, 刘洋")
    drafter.shot("countersign-01-topic-form-with-group-preview")
    drafter.page.click("button[value=submit]")
    expect(drafter.page.locator(".flash.success")).to_contain_text("已提交")
    request_url = drafter.page.url

    approve_from_inbox(browser, live_url, "wu.min", "countersign-02-any-one-clerk-task")
    clerk = Desk(browser, live_url, "zhou.qiang")
    clerk.go("/inbox")
    expect(clerk.page.locator("table.inbox")).to_have_count(0)  # his colleague checked it: nothing left
    clerk.close()

    for person in ("zhao.lei", "li.ming"):
        approve_from_inbox(browser, live_url, person)
    approve_from_inbox(browser, live_url, "han.bing", "countersign-03-discipline-opinion")

    drafter.page.goto(request_url)
    expect(drafter.page.locator("main")).to_contain_text("无需办理：同组的 吴敏 已办理（或签）")
    drafter.shot("countersign-04-request-page-mid-party-group")
    drafter.close()
    for person in ("wang.jun", "li.ming", "zhang.hua", "chen.gang", "liu.yang"):
        approve_from_inbox(browser, live_url, person)
    assert engine.queries.request(int(request_url.rstrip("/").rsplit("/", 1)[-1])).status == "completed"
