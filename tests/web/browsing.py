"""Driving the UI in headless Chromium as a given person: sign in, look, act, screenshot.

Each person gets their own browser context (their own cookies), as on separate desks.
JavaScript errors and content-security-policy violations fail the test.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DESKTOP = (1280, 860)
PHONE = (390, 844)  # most staff approve on a phone


class Desk:
    def __init__(
        self, browser: Browser, base: str, person: str, size: tuple[int, int] = DESKTOP
    ) -> None:
        self.base = base
        self.person = person
        self.context: BrowserContext = browser.new_context(
            locale="zh-CN",
            viewport={"width": size[0], "height": size[1]},
            is_mobile=size[0] < 640,
            has_touch=size[0] < 640,
        )
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", self._console)
        self.go("/login")
        self.page.fill("#person", person)
        self.page.fill("#password", "demo")
        self.page.click("form button.primary")
        self.page.wait_for_url(f"{base}/")

    def _console(self, message: ConsoleMessage) -> None:
        # The document's own status (a form sent back with errors is 400, a missing page 404)
        # is what the tests assert; a failing script, style or fetch is a fault.
        if message.type != "error":
            return
        if (
            message.text.startswith("Failed to load resource")
            and message.location.get("url") == self.page.url
        ):
            return
        self.errors.append(f"{message.text} ({message.location.get('url')})")

    def go(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def overflow(self) -> int:
        """How many pixels the page runs off the right edge (0: nothing to scroll sideways)."""
        width = (self.page.viewport_size or {"width": 0})["width"]  # a phone's layout viewport
        return int(self.page.evaluate("document.documentElement.scrollWidth")) - width  # can grow

    def text(self) -> str:
        return self.page.inner_text("main")

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        assert self.errors == [], f"JavaScript errors for {self.person}: {self.errors}"
        self.context.close()


def approve_from_inbox(browser: Browser, base: str, person: str, shot: str | None = None) -> None:
    """``person`` opens the first task in their inbox and approves it."""
    desk = Desk(browser, base, person)
    desk.go("/inbox")
    desk.page.click("table.inbox a.button")
    expect(desk.page.locator("button[value=approve]")).to_be_visible()
    if shot:
        desk.shot(shot)
    desk.page.click("button[value=approve]")
    expect(desk.page.locator(".flash.success")).to_contain_text("已同意")
    desk.close()
