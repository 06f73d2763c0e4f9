"""Signing in through a 统一身份认证平台 by OpenID Connect, against the real npm package
oidc-provider started on 127.0.0.1 (tests/idservers.py): its own login and consent pages,
its tokens and keys. Every refusal names its reason on the page and is in the audit trail."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import idservers
import pytest
from flask import Flask
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select
from webkit import make_web, text

from approvals.app import Approvals
from approvals.identity.external import Refused
from approvals.identity.methods import SignInMethods
from approvals.identity.oidc import OidcClient, Pending
from approvals.store.models import AuditEntry

CHART_B_PERSON = "pan.hao"  # 重庆市民政局, whose organization keeps local passwords here


def oidc_method(issuer: str, method_id: str = "idp", claim: str = "preferred_username", by: str = "account",
                client_id: str = idservers.CLIENT_ID, secret: str = idservers.CLIENT_SECRET) -> dict[str, Any]:
    return {"id": method_id, "kind": "oidc", "label": "XX市统一身份认证", "issuer": issuer,
            "client_id": client_id, "client_secret": secret, "match": {"claim": claim, "by": by}}


def config(issuer: str, *, password: bool = False, **extra: Any) -> dict[str, Any]:
    return {"organizations": {"xx-nrpb": {
        "password": password,
        "methods": [oidc_method(issuer), oidc_method(issuer, "idp-mail", "email", "email"),
                    oidc_method(issuer, "idp-no", "employee_number", "employee_no")], **extra}}}


@pytest.fixture
def oidc_web(engine: Approvals, oidc_issuer: str) -> Flask:
    return make_web(engine, APPROVALS_SIGNIN=config(oidc_issuer))


def start(client: FlaskClient, method: str = "idp") -> str:
    answer = client.get(f"/signin/xx-nrpb/{method}")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.headers["Location"]


def come_back(client: FlaskClient, callback: str) -> Any:
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in_oidc(client: FlaskClient, login: str, method: str = "idp") -> Any:
    return come_back(client, idservers.provider_login(start(client, method), login))


def trail(engine: Approvals, action: str) -> list[AuditEntry]:
    with engine.db.reading() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def refused(engine: Approvals) -> list[dict[str, Any]]:
    return [json.loads(e.detail) if isinstance(e.detail, str) else e.detail for e in trail(engine, "sign_in_refused")]


def test_a_person_signs_in_through_the_provider_with_pkce_and_lands_on_their_page(
        engine: Approvals, oidc_web: Flask) -> None:
    client = oidc_web.test_client()
    authorize = start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["response_type"] == ["code"]
    answer = come_back(client, idservers.provider_login(authorize, "zhao.lei"))
    assert answer.status_code == 302
    assert "赵磊" in text(client.get("/requests"))
    entry = trail(engine, "signed_in")[-1]
    assert entry.actor == "zhao.lei"
    assert "xx-nrpb/idp" in str(entry.detail)


@pytest.mark.parametrize(("method", "login", "person"), [("idp-mail", "feng.jie", "冯洁"),
                                                          ("idp-no", "zhao.lei", "赵磊")])
def test_the_identity_maps_by_the_configured_claim(engine: Approvals, oidc_issuer: str, method: str,
                                                    login: str, person: str) -> None:
    _with_emails(engine)
    client = make_web(engine, APPROVALS_SIGNIN=config(oidc_issuer)).test_client()
    assert sign_in_oidc(client, login, method).status_code == 302
    assert person in text(client.get("/requests"))


def _with_emails(engine: Approvals) -> None:
    """The chart records e-mails and 工号 (two people share one e-mail address by mistake)."""
    chart = engine.admin.current_text("xx-nrpb")
    chart = chart.replace("{id: zhao.lei, name: 赵磊, unit: planning, title: 科长}",
                          "{id: zhao.lei, name: 赵磊, unit: planning, title: 科长, employee_no: XX0101}")
    chart = chart.replace("{id: feng.jie, name: 冯洁, unit: hr, title: 科长}",
                          "{id: feng.jie, name: 冯洁, unit: hr, title: 科长, email: Feng.Jie@xx.gov.cn}")
    chart = chart.replace("{id: sun.li, name: 孙丽, unit: planning, title: 科员}",
                          "{id: sun.li, name: 孙丽, unit: planning, title: 科员, email: shared@xx.gov.cn}")
    chart = chart.replace("{id: qian.hong, name: 钱红, unit: planning, title: 副科长}",
                          "{id: qian.hong, name: 钱红, unit: planning, title: 副科长, email: shared@xx.gov.cn}")
    engine.admin.save(chart, "feng.jie")


def test_an_identity_that_maps_to_two_people_is_refused_naming_both(engine: Approvals, oidc_issuer: str) -> None:
    _with_emails(engine)
    client = make_web(engine, APPROVALS_SIGNIN=config(oidc_issuer)).test_client()
    answer = sign_in_oidc(client, "sun.li", "idp-mail")
    assert answer.status_code == 403
    page = text(answer)
    assert "shared@xx.gov.cn" in page and "qian.hong" in page and "sun.li" in page
    assert client.get("/requests").status_code == 302  # nobody signed in
    assert refused(engine)[-1]["reason"] == "ambiguous"


def test_an_unknown_identity_is_refused_with_a_page_naming_it(engine: Approvals, oidc_web: Flask) -> None:
    client = oidc_web.test_client()
    answer = sign_in_oidc(client, "nobody.here")
    assert answer.status_code == 403 and "nobody.here" in text(answer)
    assert refused(engine)[-1]["reason"] == "unknown"


def test_a_person_who_left_is_refused_as_having_left(engine: Approvals, oidc_web: Flask) -> None:
    from approvals.people.orgchart.changes import Leave
    engine.admin.save_change("xx-nrpb", Leave("zhao.lei"), "调离", "feng.jie")
    client = oidc_web.test_client()
    answer = sign_in_oidc(client, "zhao.lei")
    assert answer.status_code == 403 and "离开" in text(answer)
    assert refused(engine)[-1]["reason"] == "left"


def test_a_replayed_callback_state_is_refused_and_audited(engine: Approvals, oidc_web: Flask) -> None:
    client = oidc_web.test_client()
    callback = idservers.provider_login(start(client), "zhao.lei")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert come_back(client, callback).status_code == 302
    replay = oidc_web.test_client()  # the same answer again, with the cookie as it was before
    replay.set_cookie("session", cookie.value)
    answer = come_back(replay, callback)
    assert answer.status_code == 403 and "已使用过" in text(answer)
    assert refused(engine)[-1]["reason"] == "replayed_state"


def test_an_answer_not_started_in_this_browser_is_refused(engine: Approvals, oidc_web: Flask) -> None:
    callback = idservers.provider_login(start(oidc_web.test_client()), "zhao.lei")
    answer = come_back(oidc_web.test_client(), callback)  # another browser: no such sign-in started
    assert answer.status_code == 403
    assert refused(engine)[-1]["reason"] == "bad_state"


def test_local_passwords_switched_off_for_the_organization_are_refused_before_any_check(
        engine: Approvals, oidc_web: Flask) -> None:
    client = oidc_web.test_client()
    page = client.get("/login")
    assert "XX市统一身份认证" in text(page)
    answer = client.post("/login", data={"person": "zhao.lei", "password": "demo"})
    assert answer.status_code == 403 and "不使用本系统保存的密码" in text(answer)
    assert refused(engine)[-1]["reason"] == "password_off"
    other = client.post("/login", data={"person": CHART_B_PERSON, "password": "demo"})  # another organization
    assert other.status_code == 302


def test_a_session_from_the_provider_obeys_the_idle_rule_and_sign_out_ends_the_providers_too(
        engine: Approvals, oidc_web: Flask) -> None:
    client = oidc_web.test_client()
    sign_in_oidc(client, "zhao.lei")
    out = client.post("/logout")
    assert out.status_code == 302 and "/session/end?" in out.headers["Location"]
    assert "id_token_hint=" in out.headers["Location"]
    assert client.get("/requests").status_code == 302
    sign_in_oidc(client, "zhao.lei")
    engine.clock.advance(minutes=31)  # type: ignore[attr-defined]
    assert "无操作" in text(client.get("/requests", follow_redirects=True))


# ---- the ID token itself -------------------------------------------------------------

def _real_token(engine: Approvals, issuer: str, client_id: str = idservers.CLIENT_ID,
                secret: str = idservers.CLIENT_SECRET) -> tuple[str, str]:
    """A real ID token from the provider for ``client_id``, and its nonce."""
    method = SignInMethods.parse(config(issuer)).method("xx-nrpb", "idp")
    assert method is not None
    client = OidcClient(method, engine.db, engine.clock)
    client.method.settings.update(client_id=client_id, client_secret=secret)  # type: ignore[attr-defined]
    url, pending = client.begin("http://approvals.test/signin/callback")
    callback = idservers.provider_login(url, "zhao.lei")
    query = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
    with client._session(pending.redirect_uri) as oauth:
        token = oauth.fetch_token(client.provider()["token_endpoint"], code=query["code"],
                                  code_verifier=pending.verifier)
    return token["id_token"], pending.nonce


def _ours(engine: Approvals, issuer: str, wall: float | None = None) -> OidcClient:
    method = SignInMethods.parse(config(issuer)).method("xx-nrpb", "idp")
    assert method is not None
    return OidcClient(method, engine.db, engine.clock, wall=(lambda: wall) if wall else time.time)


def test_a_real_token_passes_once_and_its_nonce_replayed_is_refused(engine: Approvals, oidc_issuer: str) -> None:
    token, nonce = _real_token(engine, oidc_issuer)
    client = _ours(engine, oidc_issuer)
    assert client.accept_id_token(token, nonce)["sub"] == "zhao.lei"
    with pytest.raises(Refused) as replay:
        client.accept_id_token(token, nonce)
    assert replay.value.reason == "replayed_nonce"


def test_a_token_for_another_application_is_refused_as_wrong_audience(engine: Approvals, oidc_issuer: str) -> None:
    token, nonce = _real_token(engine, oidc_issuer, idservers.OTHER_CLIENT, "other-secret")
    with pytest.raises(Refused) as refusal:
        _ours(engine, oidc_issuer).accept_id_token(token, nonce)
    assert refusal.value.reason == "wrong_audience" and "approvals" in refusal.value.why


def test_an_expired_token_is_refused(engine: Approvals, oidc_issuer: str) -> None:
    token, nonce = _real_token(engine, oidc_issuer)
    with pytest.raises(Refused) as refusal:
        _ours(engine, oidc_issuer, wall=time.time() + 2 * 3600).accept_id_token(token, nonce)
    assert refusal.value.reason == "expired_token"


def test_a_forged_or_altered_token_is_refused(engine: Approvals, oidc_issuer: str) -> None:
    token, nonce = _real_token(engine, oidc_issuer)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = claims["preferred_username"] = "feng.jie"  # someone else, with the provider's signature
    altered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    own_key = RSAKey.generate_key(2048, parameters={"kid": json.loads(base64.urlsafe_b64decode(header + "=="))["kid"]})
    forged = jwt.encode({"alg": "RS256", "kid": own_key.kid}, claims, own_key)  # signed by someone else
    for bad in (f"{header}.{altered}.{signature}", forged):
        with pytest.raises(Refused) as refusal:
            _ours(engine, oidc_issuer).accept_id_token(bad, nonce)
        assert refusal.value.reason == "forged_token"


def test_a_refused_token_on_the_callback_is_a_page_and_an_audit_entry(
        engine: Approvals, oidc_web: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    client = oidc_web.test_client()
    callback = idservers.provider_login(start(client), "zhao.lei")
    monkeypatch.setitem(oidc_web.config, "APPROVALS_WALL_CLOCK", lambda: time.time() + 2 * 3600)
    answer = come_back(client, callback)
    assert answer.status_code == 403 and "已过期" in text(answer)
    assert refused(engine)[-1]["reason"] == "expired_token"


def test_pending_state_is_kept_in_the_browser_only_as_long_as_needed(oidc_web: Flask) -> None:
    client = oidc_web.test_client()
    for _ in range(7):
        start(client)
    with client.session_transaction() as session:
        assert len(session["oidc_pending"]) == 5
    assert isinstance(Pending.from_dict(next(iter(session["oidc_pending"].values()))), Pending)
