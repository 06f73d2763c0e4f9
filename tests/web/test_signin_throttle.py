"""Failed sign-ins are throttled per account and per client address, counted in the database so
every worker sees the same count; a lockout is told plainly; every outcome is audited."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from support import PROCESSES
from webkit import PASSWORD, client_for, make_web, text

from approvals.app import Approvals, build
from approvals.store.models import AuditEntry

PERSON = "shen.yue"


def _try(client: FlaskClient, person: str = PERSON, password: str = "wrong", address: str = "10.0.0.7") -> Any:
    return client.post("/login", data={"person": person, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _trail(engine: Approvals) -> list[tuple[str, str, dict[str, Any]]]:
    with engine.db.reading() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ["signed_in", "sign_in_failed", "locked_out", "signed_out"])).order_by(AuditEntry.seq)).all()
        return [(e.actor, e.action, json.loads(e.detail)) for e in rows]


def test_five_wrong_passwords_lock_the_account_and_then_even_the_right_one_is_refused(
    engine: Approvals, web: Flask
) -> None:
    client = web.test_client()
    for _ in range(4):
        assert "用户名不存在或密码错误" in text(_try(client))
    locked = _try(client)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) == 15 * 60
    assert "该账号已锁定至 2026-11-23 09:15" in text(locked)

    right = _try(client, password=PASSWORD)
    assert right.status_code == 429 and "该账号已锁定" in text(right)
    assert client.get("/inbox").status_code == 302  # still not signed in

    engine.clock.advance(minutes=15, seconds=1)  # type: ignore[attr-defined]
    assert _try(client, password=PASSWORD).status_code == 302


def test_the_lockout_message_is_in_english_on_english_pages(web: Flask) -> None:
    client = web.test_client()
    client.post("/language", data={"lang": "en", "next": "/login"})
    for _ in range(5):
        page = _try(client)
    assert "this account is locked until 2026-11-23 09:15" in text(page)


def test_failures_are_counted_across_two_workers_sharing_one_database(engine: Approvals, web: Flask) -> None:
    second_engine = build(engine.db.url, PROCESSES, engine.clock)  # another gunicorn worker
    try:
        workers = [web.test_client(), make_web(second_engine).test_client()]
        for n in range(5):
            _try(workers[n % 2])
        assert "该账号已锁定" in text(_try(workers[1], password=PASSWORD))
        assert "该账号已锁定" in text(_try(workers[0], password=PASSWORD))
    finally:
        second_engine.db.dispose()


def test_a_success_clears_the_accounts_count(engine: Approvals, web: Flask) -> None:
    client = web.test_client()
    for _ in range(4):
        _try(client)
    assert _try(client, password=PASSWORD).status_code == 302
    client = web.test_client()
    for _ in range(4):
        _try(client)
    assert _try(client, password=PASSWORD).status_code == 302


def test_an_unknown_name_is_locked_like_a_known_one_so_a_lockout_reveals_no_name(web: Flask) -> None:
    client = web.test_client()
    pages = [text(_try(client, person="no.such.person")) for _ in range(6)]
    assert all("用户名不存在或密码错误" in p for p in pages[:4])
    assert "该账号已锁定至" in pages[4] and "该账号已锁定至" in pages[5]


def test_one_address_trying_many_names_is_paused_and_other_addresses_are_not(engine: Approvals) -> None:
    web = make_web(engine, APPROVALS_SIGNIN_ADDRESS_FAILURES=3)
    client = web.test_client()
    for person in ("shen.yue", "sun.li", "zhao.lei"):
        _try(client, person=person, address="10.9.9.9")
    paused = _try(client, person="jiang.tao", password=PASSWORD, address="10.9.9.9")
    assert paused.status_code == 429 and "该地址暂停登录至 2026-11-23 09:15" in text(paused)
    assert _try(client, person="jiang.tao", password=PASSWORD, address="10.1.1.1").status_code == 302


def test_a_disabled_account_is_refused_with_its_reason_and_can_be_enabled_again(engine: Approvals, web: Flask) -> None:
    from approvals.identity import credentials

    credentials.set_disabled(engine.db, PERSON, True, "system", engine.clock.now())
    refused = _try(web.test_client(), password=PASSWORD)
    assert "该账号已停用" in text(refused)
    assert "用户名不存在或密码错误" in text(_try(web.test_client()))  # a wrong password says nothing more
    credentials.set_disabled(engine.db, PERSON, False, "system", engine.clock.now())
    assert _try(web.test_client(), password=PASSWORD).status_code == 302


def test_every_sign_in_outcome_is_audited_with_the_address_and_never_the_password(
    engine: Approvals, web: Flask
) -> None:
    client = web.test_client()
    _try(client, password="s3cret-guess")
    _try(client, person="s3cret-in-the-name-field")
    _try(client, password=PASSWORD)
    client.post("/logout", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert _trail(engine) == [
        (PERSON, "sign_in_failed", {"address": "10.0.0.7", "reason": "wrong"}),
        ("unknown", "sign_in_failed", {"address": "10.0.0.7", "reason": "wrong"}),
        (PERSON, "signed_in", {"address": "10.0.0.7"}),
        (PERSON, "signed_out", {"address": "10.0.0.7"}),
    ]
    with engine.db.reading() as s:
        everything = " ".join(e.detail + e.actor + e.comment for e in s.scalars(select(AuditEntry)))
    assert "s3cret" not in everything


def test_a_lockout_is_audited_with_its_end(engine: Approvals, web: Flask) -> None:
    client = web.test_client()
    for _ in range(6):
        _try(client)
    trail = _trail(engine)
    assert trail[5] == (PERSON, "locked_out", {"address": "10.0.0.7", "scope": "account", "failures": 5,
                                               "locked_until": "2026-11-23T09:15:00"})
    assert trail[6] == (PERSON, "sign_in_failed", {"address": "10.0.0.7", "reason": "locked",
                                                   "locked_until": "2026-11-23T09:15:00"})


def test_the_inspectors_audit_search_names_sign_in_actions(engine: Approvals, web: Flask) -> None:
    client = web.test_client()
    _try(client)
    _try(client, password=PASSWORD)
    page = text(client_for(web, "yang.fan").get("/inspect/?person=shen.yue"))
    assert "登录失败" in page and "登录" in page and "沈悦" in page
