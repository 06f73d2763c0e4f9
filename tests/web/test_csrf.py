"""CSRF protection is on by default: a form posted without the page's token is refused."""

from __future__ import annotations

import re

from flask import Flask
from webkit import make_web, open_task, submit_leave, text

from approvals.app import Approvals


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries no CSRF token"
    return match[1]


def test_a_post_without_the_token_is_refused_and_changes_nothing(engine: Approvals) -> None:
    web: Flask = make_web(engine, WTF_CSRF_ENABLED=True)
    client = web.test_client()
    refused = client.post("/login", data={"person": "jiang.tao", "password": "demo"})
    assert refused.status_code == 400 and "表单已过期" in text(refused)

    token = _token(client.get("/login").get_data(as_text=True))
    assert (
        client.post(
            "/login", data={"person": "jiang.tao", "password": "demo", "csrf_token": token}
        ).status_code
        == 302
    )

    task = open_task(engine, submit_leave(engine, "shen.yue"))
    forged = client.post(f"/tasks/{task.id}/decide", data={"decision": "approve"})
    assert forged.status_code == 400 and engine.queries.task(task.id).is_open

    token = _token(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    client.post(f"/tasks/{task.id}/decide", data={"decision": "approve", "csrf_token": token})
    assert engine.queries.task(task.id).status == "approved"


def test_session_cookies_are_http_only_and_same_site(engine: Approvals) -> None:
    web = make_web(engine, SESSION_COOKIE_SECURE=True)
    response = web.test_client().post("/login", data={"person": "jiang.tao", "password": "demo"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
