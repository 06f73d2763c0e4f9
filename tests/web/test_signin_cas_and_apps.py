"""CAS 3.0 and the 免登 of 钉钉 / 企业微信 / 飞书 (issue 20), against local receivers that
answer with the protocols' documented responses and check the requests' shapes
(tests/protocol_receivers.py). A ticket or code is used once; a replay, a forged ticket, a
visitor the app does not know as a member are refused with a page naming why, and audited;
CAS single logout ends the person's sessions here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import protocol_receivers as pr
import pytest
from flask import Flask
from webkit import make_web, text

from approvals.app import Approvals
from approvals.audit import search as audit_search
from approvals.identity.methods import SignInMethods

ORG = "xx-nrpb"
SERVICE = f"http://localhost/signin/{ORG}/cas/callback"


@pytest.fixture
def receiver() -> Iterator[pr.Receiver]:
    with pr.receiver() as r:
        yield r


@pytest.fixture
def web(engine: Approvals, receiver: pr.Receiver, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv("TEST_DING_SECRET", pr.APP_SECRET)
    monkeypatch.setenv("TEST_WECOM_SECRET", pr.CORP_SECRET)
    monkeypatch.setenv("TEST_FEISHU_SECRET", pr.FEISHU_SECRET)
    signin = SignInMethods.parse({"organizations": {ORG: {"methods": [
        {"id": "cas", "kind": "cas", "label": "统一身份认证", "url": f"{receiver.url}/cas",
         "match": {"claim": "employeeNumber", "by": "account"}},
        {"id": "ding", "kind": "dingtalk", "label": "政务钉钉", "base_url": receiver.url, "app_key": pr.APP_KEY,
         "app_secret_env": "TEST_DING_SECRET"},
        {"id": "wx", "kind": "wecom", "label": "企业微信", "base_url": receiver.url, "corp_id": pr.CORP_ID,
         "corp_secret_env": "TEST_WECOM_SECRET"},
        {"id": "fs", "kind": "feishu", "label": "飞书", "base_url": receiver.url, "app_id": pr.FEISHU_ID,
         "app_secret_env": "TEST_FEISHU_SECRET", "match": {"claim": "employee_no", "by": "account"}},
    ]}}})
    return make_web(engine, APPROVALS_SIGNIN=signin)


def refusals(engine: Approvals) -> list[dict[str, Any]]:
    hits = audit_search.search(engine.db, audit_search.AuditQuery(actions=("sign_in_refused",))).hits
    return [json.loads(h.entry.detail) for h in reversed(hits)]


def signed_in(client: Any, name: str) -> bool:
    return name in text(client.get("/requests"))


def test_cas_start_sends_the_browser_to_the_cas_login_with_our_service(web: Flask, receiver: pr.Receiver) -> None:
    answer = web.test_client().get(f"/signin/{ORG}/cas")
    assert answer.status_code == 302
    assert answer.location.startswith(f"{receiver.url}/cas/login?service=")
    assert "callback" in answer.location


def test_cas_signs_in_by_the_attribute_of_service_validate_and_the_ticket_is_single_use(
    engine: Approvals, web: Flask, receiver: pr.Receiver
) -> None:
    receiver.lenient = True  # the server would validate it twice; we must not
    receiver.issue_ticket("ST-1-abc", SERVICE, "cas-zl", employeeNumber="zhao.lei", mail="zl@example.gov.cn")
    client = web.test_client()
    answer = client.get(f"/signin/{ORG}/cas/callback?ticket=ST-1-abc")
    assert answer.status_code == 302 and signed_in(client, "赵磊")
    again = web.test_client().get(f"/signin/{ORG}/cas/callback?ticket=ST-1-abc")
    assert again.status_code == 403 and "已使用过" in text(again)
    assert refusals(engine)[-1]["reason"] == "replayed_ticket"
    assert receiver.seen.count(("GET", "/cas/p3/serviceValidate")) == 1  # the replay never left us
    out = client.post("/logout")  # signing out here ends the CAS server's session too
    assert out.status_code == 302 and out.location.startswith(f"{receiver.url}/cas/logout?service=")


def test_cas_refuses_a_ticket_the_server_does_not_know_naming_its_code(engine: Approvals, web: Flask) -> None:
    answer = web.test_client().get(f"/signin/{ORG}/cas/callback?ticket=ST-forged-1")
    assert answer.status_code == 403 and "INVALID_TICKET" in text(answer)
    assert refusals(engine)[-1]["reason"] == "cas_failure"
    bad = web.test_client().get(f"/signin/{ORG}/cas/callback?ticket=<script>")
    assert bad.status_code == 403 and refusals(engine)[-1]["reason"] == "bad_ticket"


def test_cas_single_logout_ends_the_session_of_whoever_signed_in_with_the_ticket(
    engine: Approvals, web: Flask, receiver: pr.Receiver
) -> None:
    receiver.issue_ticket("ST-2-xyz", SERVICE, "cas-zl", employeeNumber="zhao.lei")
    client = web.test_client()
    client.get(f"/signin/{ORG}/cas/callback?ticket=ST-2-xyz")
    assert signed_in(client, "赵磊")
    logout = ('<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
              'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-1" Version="2.0" '
              'IssueInstant="2026-11-23T09:00:00Z"><saml:NameID>@NOT_USED@</saml:NameID>'
              '<samlp:SessionIndex>ST-2-xyz</samlp:SessionIndex></samlp:LogoutRequest>')
    assert web.test_client().post(f"/signin/{ORG}/cas/callback", data={"logoutRequest": logout}).status_code == 200
    assert client.get("/requests").status_code == 302  # signed out here too
    outs = audit_search.search(engine.db, audit_search.AuditQuery(actions=("signed_out",))).hits
    assert json.loads(outs[0].entry.detail)["reason"] == "single_logout"
    hostile = '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    assert web.test_client().post(f"/signin/{ORG}/cas/callback", data={"logoutRequest": hostile}).status_code == 400


def test_dingtalk_code_to_userid_with_the_documented_calls(
    engine: Approvals, web: Flask, receiver: pr.Receiver
) -> None:
    receiver.issue_code("dcode1", userid="zhao.lei", name="赵磊")
    client = web.test_client()
    assert client.get(f"/signin/{ORG}/ding/callback?code=dcode1").status_code == 302
    assert signed_in(client, "赵磊")
    assert receiver.seen[-2:] == [("GET", "/gettoken"), ("POST", "/topapi/v2/user/getuserinfo")]
    again = web.test_client().get(f"/signin/{ORG}/ding/callback?code=dcode1")
    assert again.status_code == 403 and refusals(engine)[-1]["reason"] == "replayed_code"


def test_wecom_code_to_userid_and_a_visitor_who_is_no_member_is_refused(
    engine: Approvals, web: Flask, receiver: pr.Receiver
) -> None:
    receiver.issue_code("wcode1", userid="sun.li")
    receiver.issue_code("wcode2", openid="o-visitor")
    client = web.test_client()
    assert client.get(f"/signin/{ORG}/wx/callback?code=wcode1").status_code == 302 and signed_in(client, "孙丽")
    assert receiver.seen[-2:] == [("GET", "/cgi-bin/gettoken"), ("GET", "/cgi-bin/auth/getuserinfo")]
    visitor = web.test_client().get(f"/signin/{ORG}/wx/callback?code=wcode2")
    assert visitor.status_code == 403 and refusals(engine)[-1]["reason"] == "not_a_member"


def test_feishu_code_to_user_by_employee_number_and_an_unknown_person_is_named(
    engine: Approvals, web: Flask, receiver: pr.Receiver
) -> None:
    receiver.issue_code("fcode1", user_id="ou_1", employee_no="zhao.lei")
    receiver.issue_code("fcode2", user_id="ou_2", employee_no="nobody.here")
    client = web.test_client()
    assert client.get(f"/signin/{ORG}/fs/callback?code=fcode1").status_code == 302 and signed_in(client, "赵磊")
    assert receiver.seen[-3:] == [("POST", "/open-apis/auth/v3/app_access_token/internal"),
                                  ("POST", "/open-apis/authen/v1/access_token"),
                                  ("GET", "/open-apis/authen/v1/user_info")]
    unknown = web.test_client().get(f"/signin/{ORG}/fs/callback?code=fcode2")
    assert unknown.status_code == 403 and "nobody.here" in text(unknown)
    assert refusals(engine)[-1]["reason"] == "unknown"


def test_a_wrong_app_secret_is_refused_with_the_apps_own_message(
    engine: Approvals, web: Flask, receiver: pr.Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_DING_SECRET", "wrong")
    receiver.issue_code("dcode9", userid="zhao.lei")
    answer = web.test_client().get(f"/signin/{ORG}/ding/callback?code=dcode9")
    assert answer.status_code == 403 and "40089" in text(answer)
    assert refusals(engine)[-1]["reason"] == "app_refused"
