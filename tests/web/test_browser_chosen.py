"""Choosing one's approver and 抄送 on the start form in headless Chromium, at desktop size and
on a phone (390×844): the pinyin filter narrows the picker to the step's allowed people and the
route preview shows the person chosen (tests/choosing.py). Screenshots in tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import DESKTOP, PHONE, Desk
from choosing import chosen_xml
from playwright.sync_api import Browser, expect
from timing import APPLICANT, supplies_bureau
from webkit import everyone, set_passwords

from approvals.app import Approvals

pytestmark = pytest.mark.browser


@pytest.fixture
def engine(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = supplies_bureau(db_url, tmp_path, xml=chosen_xml())
    set_passwords(app, everyone(app))
    yield app
    app.db.dispose()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_applicant_picks_a_leader_by_pinyin_and_the_preview_shows_them(
    browser: Browser, live_url: str, engine: Approvals, size: tuple[int, int]
) -> None:
    desk = Desk(browser, live_url, APPLICANT, size)
    desk.go("/apply/supplies")
    desk.page.fill("#f-item", "投影仪 1 台")
    search = desk.page.locator("[data-field=reviewer] input.picker-search")
    search.fill("zhanghua")  # 张华 in pinyin
    shown = desk.page.locator("#f-reviewer option:not([hidden])")
    expect(shown).to_have_count(2)  # the placeholder and 张华: the other leaders are hidden
    expect(shown.nth(1)).to_contain_text("张华（")
    expect(desk.page.locator("#f-reviewer")).to_have_value("zhang.hua")  # the only match is picked
    desk.page.select_option("#f-cc_to", ["qian.hong", "ma.lin"])
    route = desk.page.locator("#preview-steps li.shown")
    expect(route).to_have_count(4)
    expect(route.nth(1)).to_contain_text("张华")
    expect(route.nth(3)).to_contain_text("马林")
    assert desk.overflow() <= 0
    desk.shot(f"chosen-01-picker-and-preview-{size[0]}")
    desk.page.click("button[value=submit]")
    expect(desk.page.locator(".flash.success")).to_contain_text("已提交")
    desk.shot(f"chosen-02-submitted-{size[0]}")
    desk.close()
