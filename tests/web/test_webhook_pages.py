"""The admin page 接口与订阅 (webhooks): add with the events wanted (the secret shown once),
list by host only, remove; a private address refused next to the field; another organization's
webhook cannot be removed."""

from __future__ import annotations

import pytest
from flask import Flask
from webkit import ADMIN, client_for, text

from approvals.app import Approvals
from approvals.notifications.addresses import ALLOW_ENV
from approvals.notifications.webhooks import Webhooks

XX, CQ = "xx-nrpb", "cq-mca"


def test_an_admin_adds_a_webhook_sees_its_secret_once_and_removes_it(engine: Approvals, web: Flask) -> None:
    client = client_for(web, ADMIN)
    added = client.post(f"/admin/webhooks?org={XX}", data={
        "url": "https://oa.example.gov.cn/hooks/approvals?token=abc", "events": ["request.approved", "task.created"]})
    assert added.status_code == 200
    [hook] = Webhooks(engine.db, engine.clock).list(XX)
    assert hook.events == ("request.approved", "task.created")
    assert "whsec_" in text(added)
    again = client.get(f"/admin/webhooks?org={XX}")
    assert "whsec_" not in text(again) and "oa.example.gov.cn" in text(again)
    assert "token=abc" not in again.get_data(as_text=True)
    removed = client.post(f"/admin/webhooks/{hook.id}/remove?org={XX}", follow_redirects=True)
    assert removed.status_code == 200 and Webhooks(engine.db, engine.clock).list(XX) == []


def test_a_loopback_url_is_refused_next_to_the_field(
        engine: Approvals, web: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_ENV)
    client = client_for(web, ADMIN)
    refused = client.post(f"/admin/webhooks?org={XX}", data={"url": "http://127.0.0.1:5432/"})
    assert refused.status_code == 400
    assert "127.0.0.1" in text(refused) and ALLOW_ENV in text(refused)
    assert Webhooks(engine.db, engine.clock).list(XX) == []


def test_another_organizations_webhook_is_404(engine: Approvals, web: Flask) -> None:
    theirs, _ = Webhooks(engine.db, engine.clock).add(CQ, "https://cq.example.gov.cn/h", ["*"], "admin")
    client = client_for(web, ADMIN)
    assert client.post(f"/admin/webhooks/{theirs}/remove?org={XX}").status_code == 404
    assert client.get(f"/admin/webhooks?org={CQ}").status_code == 404
    assert len(Webhooks(engine.db, engine.clock).list(CQ)) == 1
