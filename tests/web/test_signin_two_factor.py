"""Two factors (TOTP, RFC 6238) after a local password: required of administrators and
inspectors, switchable for everyone; enrolment with a QR code drawn on the server, recovery
codes shown once and stored hashed, wrong codes throttled, a code replayed within its window
refused. Every refusal is on the page and in the audit trail."""

from __future__ import annotations

import json
import time
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webkit import ADMIN, PASSWORD, make_web, text

from approvals.app import Approvals
from approvals.store.models import AuditEntry, TwoFactor

INSPECTOR = "han.bing"  # 机关纪委书记
CLERK = "sun.li"


@pytest.fixture
def strict(engine: Approvals) -> Flask:
    return make_web(engine, APPROVALS_TWO_FACTOR_REQUIRED=True)


def password(client: FlaskClient, person: str) -> Any:
    return client.post("/login", data={"person": person, "password": PASSWORD})


def signed_in(client: FlaskClient) -> bool:
    return client.get("/requests").status_code == 200


def enrol(client: FlaskClient) -> tuple[str, list[str]]:
    page = client.get("/signin/two-factor/enrol")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    secret = page.get_data(as_text=True).split("<code>")[1].split("</code>")[0]
    done = client.post("/signin/two-factor/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = [c.split("</code>")[0] for c in done.get_data(as_text=True).split("<code>")[1:]]
    return secret, codes


def failures(engine: Approvals) -> list[dict[str, Any]]:
    with engine.db.reading() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "two_factor_failed").order_by(AuditEntry.seq))
        return [json.loads(r.detail) if isinstance(r.detail, str) else r.detail for r in rows]


@pytest.mark.parametrize("person", [ADMIN, INSPECTOR])
def test_an_administrator_or_inspector_must_enrol_before_the_session_opens(strict: Flask, person: str) -> None:
    client = strict.test_client()
    answer = password(client, person)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/signin/two-factor/enrol")
    assert not signed_in(client)  # the password alone opens nothing
    _secret, codes = enrol(client)
    assert len(codes) == 10 and signed_in(client)


def test_a_clerk_signs_in_with_the_password_alone_unless_the_organization_asks_everyone(
        engine: Approvals, strict: Flask) -> None:
    client = strict.test_client()
    assert password(client, CLERK).headers["Location"].endswith("/")
    everyone = make_web(engine, APPROVALS_TWO_FACTOR_REQUIRED=True, APPROVALS_SIGNIN={"organizations": {
        "xx-nrpb": {"two_factor": "everyone"}}}).test_client()
    assert password(everyone, CLERK).headers["Location"].endswith("/signin/two-factor/enrol")


def test_after_enrolment_the_code_is_asked_and_a_replayed_code_is_refused(engine: Approvals, strict: Flask) -> None:
    secret, _codes = enrol_admin(strict)
    client = strict.test_client()
    assert password(client, ADMIN).headers["Location"].endswith("/signin/two-factor")
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the next window's code: not used at enrolment
    assert client.post("/signin/two-factor", data={"code": code}).status_code == 302
    assert signed_in(client)
    thief = strict.test_client()  # the same code, seen over a shoulder, within its window
    password(thief, ADMIN)
    answer = thief.post("/signin/two-factor", data={"code": code})
    assert answer.status_code == 401 and "已使用过" in text(answer)
    assert not signed_in(thief)
    assert failures(engine)[-1]["reason"] == "replayed_code"


def enrol_admin(web: Flask) -> tuple[str, list[str]]:
    client = web.test_client()
    password(client, ADMIN)
    return enrol(client)


def test_a_recovery_code_signs_in_once_and_is_stored_hashed(engine: Approvals, strict: Flask) -> None:
    _secret, codes = enrol_admin(strict)
    with engine.db.reading() as s:
        row = s.get(TwoFactor, ADMIN)
        assert row is not None and not any(c in row.recovery for c in codes)
    client = strict.test_client()
    password(client, ADMIN)
    assert client.post("/signin/two-factor", data={"code": codes[0]}).status_code == 302
    again = strict.test_client()
    password(again, ADMIN)
    assert again.post("/signin/two-factor", data={"code": codes[0]}).status_code == 401


def test_five_wrong_codes_lock_the_second_step(engine: Approvals, strict: Flask) -> None:
    secret, _codes = enrol_admin(strict)
    client = strict.test_client()
    password(client, ADMIN)
    for _ in range(5):
        answer = client.post("/signin/two-factor", data={"code": "000000"})
    assert answer.status_code == 401 and "锁定" in text(answer)
    right = client.post("/signin/two-factor", data={"code": pyotp.TOTP(secret).at(time.time() + 60)})
    assert right.status_code == 401  # even the right code waits
    assert [f["reason"] for f in failures(engine)][-2:] == ["locked", "locked"]


def test_the_two_steps_must_follow_each_other_within_five_minutes(strict: Flask) -> None:
    secret, _codes = enrol_admin(strict)
    client = strict.test_client()
    password(client, ADMIN)
    strict.config["APPROVALS_WALL_CLOCK"] = lambda: time.time() + 301
    answer = client.post("/signin/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    assert not signed_in(client)
