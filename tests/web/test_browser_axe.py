"""axe-core (vendored under tests/web/vendor, MPL-2.0) over every kind of page, at desktop and
phone size: no WCAG 2.0 A/AA violation (GB/T 37668-2019 follows WCAG 2.0 AA). What axe
cannot see (keyboard use of the diagram, focus after an error) has its own tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browsing import DESKTOP, PHONE, Desk
from playwright.sync_api import Browser, expect
from webkit import open_task, submit_leave

from approvals.app import Approvals

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}


def violations(desk: Desk) -> list[str]:
    """axe's findings on the open page, one line each: rule, impact and the first elements."""
    desk.page.wait_for_load_state("networkidle")
    desk.page.evaluate(AXE.read_text(encoding="utf-8") + ";0")  # evaluated: no CSP exception
    found: list[dict[str, Any]] = desk.page.evaluate("(rules) => axe.run(document, rules)"
                                                     ".then(r => r.violations)", RULES)
    return [f"{desk.page.url}: {v['id']} ({v['impact']}): "
            f"{[n['target'] for n in v['nodes'][:3]]}" for v in found]


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_page_has_an_axe_violation(
    browser: Browser, live_url: str, engine: Approvals, size: tuple[int, int]
) -> None:
    request_id = submit_leave(engine, "shen.yue")
    task = open_task(engine, request_id)
    engine.service.urge(task.id, "shen.yue")
    pages = {
        "shen.yue": ["/", "/apply/leave", "/requests", f"/requests/{request_id}",
                     f"/requests/{request_id}/print", "/requests?since=昨天", "/delegation"],
        "jiang.tao": ["/inbox", f"/tasks/{task.id}", "/done"],
        "feng.jie": ["/notices", "/stats/", "/admin/orgchart", "/admin/orgchart/edit"],
        "yang.fan": ["/inspect/", "/inspect/access", "/inspect/copy?code=1-0000-0000-0000-0000"],
    }
    found: list[str] = []
    for person, paths in pages.items():
        desk = Desk(browser, live_url, person, size)
        for path in paths:
            desk.go(path)
            found += violations(desk)
        desk.close()
    assert found == []


def test_a_form_sent_back_focuses_its_first_wrong_field_and_ties_the_message_to_it(
    browser: Browser, live_url: str
) -> None:
    desk = Desk(browser, live_url, "shen.yue", PHONE)
    desk.go("/apply/leave")
    desk.page.fill("#f-destination", "武汉市")
    desk.page.click("button[value=submit]")
    expect(desk.page.locator("#e-depart_on")).to_contain_text("此项为必填项")
    expect(desk.page.locator("#f-depart_on")).to_be_focused()
    assert desk.page.get_attribute("#f-depart_on", "aria-invalid") == "true"
    assert "e-depart_on" in (desk.page.get_attribute("#f-depart_on", "aria-describedby") or "")
    assert violations(desk) == []
    desk.page.fill("#f-reason", "探" * 10)
    assert desk.page.inner_text("#c-reason").startswith("10 / ")
    desk.close()


def test_the_diagram_zooms_and_moves_from_the_keyboard(
    browser: Browser, live_url: str, engine: Approvals
) -> None:
    request_id = submit_leave(engine, "shen.yue")
    desk = Desk(browser, live_url, "shen.yue")
    desk.go(f"/requests/{request_id}")
    desk.page.wait_for_selector("#diagram.ready")
    scale = "document.querySelector('#diagram .viewport').transform.baseVal.consolidate().matrix.a"
    before = desk.page.evaluate(scale)
    desk.page.focus("#diagram")
    desk.page.keyboard.press("+")
    assert desk.page.evaluate(scale) > before
    desk.page.keyboard.press("0")
    desk.page.keyboard.press("ArrowLeft")
    desk.close()
