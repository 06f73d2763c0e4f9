"""个人访问令牌: a person creates a token on a page (shown once, then only its prefix), uses it
on the API, and revokes it there; another person's token cannot be revoked (404)."""

from __future__ import annotations

from flask import Flask
from webkit import client_for, text

from approvals.app import Approvals
from approvals.identity.api_access import ApiAccess

STAFF, OTHER = "sun.li", "zhao.lei"


def test_a_person_creates_a_token_sees_it_once_uses_it_and_revokes_it(engine: Approvals, web: Flask) -> None:
    client = client_for(web, STAFF)
    assert client.get("/account/tokens").status_code == 200
    made = client.post("/account/tokens", data={"name": "我的手机", "scopes": ["read"], "days": "30"})
    assert made.status_code == 200
    token = next(w for w in text(made).split() if w.startswith("apr_pat_"))
    api = web.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me/counts", headers=bearer).status_code == 200
    listed = client.get("/account/tokens")
    assert token not in listed.get_data(as_text=True) and "我的手机" in text(listed)
    [row] = ApiAccess(engine.db, engine.clock).tokens(STAFF)
    assert client.post(f"/account/tokens/{row.id}/revoke", follow_redirects=True).status_code == 200
    assert api.get("/api/v1/me/counts", headers=bearer).status_code == 401
    assert "已吊销" in text(client.get("/account/tokens"))


def test_a_token_without_a_name_or_scope_is_refused_next_to_the_field(engine: Approvals, web: Flask) -> None:
    client = client_for(web, STAFF)
    refused = client.post("/account/tokens", data={"name": "", "scopes": ["read"], "days": "30"})
    assert refused.status_code == 400 and ApiAccess(engine.db, engine.clock).tokens(STAFF) == []
    refused = client.post("/account/tokens", data={"name": "脚本", "days": "30"})
    assert refused.status_code == 400 and ApiAccess(engine.db, engine.clock).tokens(STAFF) == []


def test_another_persons_token_cannot_be_revoked(engine: Approvals, web: Flask) -> None:
    theirs = ApiAccess(engine.db, engine.clock).create_token(OTHER, "theirs", ["read"], 30)
    assert client_for(web, STAFF).post(f"/account/tokens/{theirs.token_id}/revoke").status_code == 404
    [row] = ApiAccess(engine.db, engine.clock).tokens(OTHER)
    assert row.revoked_at is None
