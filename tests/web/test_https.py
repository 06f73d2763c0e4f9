"""Served over HTTPS (directly, or behind a trusted proxy), every response carries HSTS and
every cookie is Secure; over plain HTTP neither, unless APPROVALS_SECURE_COOKIES forces the
cookies."""

from __future__ import annotations

from typing import Any

from flask import Flask
from webkit import PASSWORD, make_web

from approvals.app import Approvals

FORM = {"person": "shen.yue", "password": PASSWORD}
HTTPS = "https://localhost"


def _cookies(response: Any) -> list[str]:
    cookies: list[str] = response.headers.getlist("Set-Cookie")
    assert cookies, "the response sets no cookie"
    return cookies


def _is_secure(cookie: str) -> bool:
    return "secure" in [part.strip().lower() for part in cookie.split(";")]


def test_over_https_hsts_is_sent_and_cookies_are_secure(web: Flask) -> None:
    client = web.test_client()
    signed_in = client.post("/login", data=FORM, base_url=HTTPS)
    assert signed_in.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert all(_is_secure(c) for c in _cookies(signed_in))
    page = client.get("/requests", base_url=HTTPS)
    assert page.status_code == 200 and page.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert all(_is_secure(c) for c in _cookies(client.post("/logout", base_url=HTTPS)))


def test_over_plain_http_there_is_no_hsts_and_cookies_are_not_secure(web: Flask) -> None:
    response = web.test_client().post("/login", data=FORM)
    assert "Strict-Transport-Security" not in response.headers
    assert not any(_is_secure(c) for c in _cookies(response))


def test_secure_cookies_can_be_forced_for_plain_http(engine: Approvals) -> None:
    response = make_web(engine, SESSION_COOKIE_SECURE=True).test_client().post("/login", data=FORM)
    assert all(_is_secure(c) for c in _cookies(response))
    assert "Strict-Transport-Security" not in response.headers


def test_behind_a_trusted_proxy_its_https_and_client_address_are_believed(engine: Approvals) -> None:
    web = make_web(engine, APPROVALS_TRUST_PROXY=1, APPROVALS_SIGNIN_ADDRESS_FAILURES=2)
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    response = web.test_client().post("/login", data=FORM, headers=proxied)
    assert response.headers["Strict-Transport-Security"] and all(_is_secure(c) for c in _cookies(response))

    client = web.test_client()
    for person in ("sun.li", "zhao.lei"):  # two failures from one client lock its address only
        client.post("/login", data={"person": person, "password": "x"}, headers=proxied)
    paused = client.post("/login", data=FORM, headers=proxied)
    assert paused.status_code == 429
    other = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.10"}
    assert client.post("/login", data=FORM, headers=other).status_code == 302


def test_without_trusting_a_proxy_its_headers_change_nothing(web: Flask) -> None:
    response = web.test_client().post("/login", data=FORM, headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    assert not any(_is_secure(c) for c in _cookies(response))


def test_hsts_can_be_switched_off(engine: Approvals) -> None:
    web = make_web(engine, APPROVALS_HSTS_SECONDS=0)
    response = web.test_client().post("/login", data=FORM, base_url=HTTPS)
    assert "Strict-Transport-Security" not in response.headers
