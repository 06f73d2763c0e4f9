"""Signing in in a real browser: through the OIDC provider's own login and consent pages, and
with the directory's password (slapd), on a desktop and on a 390×844 phone. Screenshots go to
tests/artifacts/signin-*.png."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import idservers
import pytest
from playwright.sync_api import Browser, Page, expect
from test_signin_ldap import ldap_method
from test_signin_oidc import oidc_method
from webkit import make_web
from werkzeug.serving import make_server

from approvals.app import Approvals

pytestmark = pytest.mark.browser
ARTIFACTS = idservers.Path(__file__).resolve().parents[1] / "artifacts"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def signin_url(engine: Approvals, oidc_issuer: str, slapd: idservers.Slapd) -> Iterator[str]:
    config = {"organizations": {"xx-nrpb": {"methods": [oidc_method(oidc_issuer), ldap_method(slapd)]}}}
    web = make_web(engine, WTF_CSRF_ENABLED=True, TESTING=False, APPROVALS_SIGNIN=config)
    server = make_server("127.0.0.1", 0, web, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _page(browser: Browser, size: str, db_url: str) -> Page:
    if "postgresql" in db_url:
        pytest.skip("the pages are the same on either database")
    return browser.new_context(viewport=SIZES[size], locale="zh-CN").new_page()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"signin-{name}.png"), full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_sign_in_through_the_providers_own_login_page(browser: Browser, signin_url: str, size: str,
                                                      db_url: Any) -> None:
    page = _page(browser, size, db_url)
    page.goto(f"{signin_url}/login")
    shot(page, f"login-{size}")
    page.get_by_role("link", name="XX市统一身份认证").click()
    page.locator("input[name=login]").fill("zhao.lei")
    page.locator("input[name=password]").fill("any")
    shot(page, f"provider-{size}")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # the provider's consent page
    expect(page.locator("body")).to_contain_text("赵磊")
    shot(page, f"oidc-home-{size}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", SIZES)
def test_sign_in_with_the_directory_password(browser: Browser, signin_url: str, size: str, db_url: Any) -> None:
    page = _page(browser, size, db_url)
    page.goto(f"{signin_url}/login")
    page.get_by_role("link", name="局域账号").click()
    page.get_by_label("用户名").fill("*)(uid=*))(|(uid=*")
    page.get_by_label("密码").fill(idservers.DIRECTORY_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名中含有用户名不会有的字符")
    shot(page, f"ldap-refused-{size}")
    page.get_by_label("用户名").fill("zhao.lei")
    page.get_by_label("密码").fill(idservers.DIRECTORY_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("body")).to_contain_text("赵磊")
    shot(page, f"ldap-home-{size}")
