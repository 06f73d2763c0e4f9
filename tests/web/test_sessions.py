"""Sessions end for real: a copied cookie stops working after sign-out, a new password or a
disabled account (in every worker); sessions expire when idle and at the end of the day."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import encode_cookie
from support import PROCESSES
from webkit import client_for, make_web, text

from approvals.app import Approvals, build
from approvals.cli import cli
from approvals.clock import FixedClock

PERSON = "shen.yue"


def _copy(web: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie (stolen, or a second tab)."""
    stolen = client.get_cookie("session")
    assert stolen is not None
    thief = web.test_client()
    thief.set_cookie("session", stolen.value)
    return thief


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/requests").status_code == 200


def _clock(engine: Approvals) -> FixedClock:
    assert isinstance(engine.clock, FixedClock)
    return engine.clock


def test_a_copied_cookie_works_until_sign_out_and_not_after(web: Flask) -> None:
    client = client_for(web, PERSON)
    thief = _copy(web, client)
    assert _signed_in(thief)
    client.post("/logout")
    page = thief.get("/requests", follow_redirects=True)
    assert "您的会话已结束" in text(page) and "请先登录" not in text(page)
    assert not _signed_in(thief) and not _signed_in(client)


def test_signing_out_in_one_worker_ends_the_session_in_another(engine: Approvals, web: Flask) -> None:
    other = build(engine.db.url, PROCESSES, engine.clock)
    try:
        second = make_web(other)
        client = client_for(web, PERSON)
        thief = _copy(second, client)
        assert _signed_in(thief)
        client.post("/logout")
        assert not _signed_in(thief)
    finally:
        other.db.dispose()


def test_a_new_password_on_the_command_line_ends_every_session(engine: Approvals, web: Flask) -> None:
    from click.testing import CliRunner

    client = client_for(web, PERSON)
    result = CliRunner().invoke(cli, ["--database", engine.db.url, "set-password", PERSON],
                                input="new-password\nnew-password\n")
    assert result.exit_code == 0, result.output
    assert not _signed_in(client)
    assert "您的会话已结束" in text(client.get("/login"))
    fresh = web.test_client()
    assert fresh.post("/login", data={"person": PERSON, "password": "new-password"}).status_code == 302


def test_disabling_an_account_ends_its_sessions_and_refuses_sign_in(engine: Approvals, web: Flask) -> None:
    from click.testing import CliRunner

    client = client_for(web, PERSON)
    result = CliRunner().invoke(cli, ["--database", engine.db.url, "disable-account", PERSON])
    assert result.exit_code == 0 and "disabled" in result.output
    assert not _signed_in(client)
    refused = web.test_client().post("/login", data={"person": PERSON, "password": "demo"})
    assert "该账号已停用" in text(refused)
    CliRunner().invoke(cli, ["--database", engine.db.url, "enable-account", PERSON])
    assert _signed_in(client_for(web, PERSON))


def test_another_persons_sign_out_leaves_my_session_alone(web: Flask) -> None:
    mine = client_for(web, PERSON)
    client_for(web, "sun.li").post("/logout")
    assert _signed_in(mine)


def test_a_session_expires_after_thirty_minutes_without_a_request(engine: Approvals, web: Flask) -> None:
    clock = _clock(engine)
    client = client_for(web, PERSON)
    for _ in range(4):  # busy for 100 minutes: still signed in
        clock.advance(minutes=25)
        assert _signed_in(client)
    clock.advance(minutes=31)
    page = client.get("/requests", follow_redirects=True)
    assert "您已 30 分钟无操作，会话已过期" in text(page)
    assert not _signed_in(client)


def test_a_session_ends_eight_hours_after_signing_in_however_busy(engine: Approvals, web: Flask) -> None:
    clock = _clock(engine)
    client = client_for(web, PERSON)
    for _ in range(19):  # 7 h 55 min of work
        clock.advance(minutes=25)
        assert _signed_in(client)
    clock.advance(minutes=10)
    assert "每次登录最长有效 8 小时" in text(client.get("/requests", follow_redirects=True))
    assert not _signed_in(client)


def test_timeouts_follow_the_configuration(engine: Approvals) -> None:
    web = make_web(engine, APPROVALS_SESSION_IDLE_MINUTES=5, APPROVALS_SESSION_MAX_HOURS=0)
    client = client_for(web, PERSON)
    _clock(engine).advance(minutes=6)
    assert "您已 5 分钟无操作" in text(client.get("/requests", follow_redirects=True))


def test_a_remember_me_cookie_cannot_bring_a_session_back(web: Flask) -> None:
    with web.test_request_context():
        token = encode_cookie(PERSON)  # what flask_login would issue, signed with the app's key
    client = web.test_client()
    client.set_cookie("remember_token", token)
    assert not _signed_in(client)

    signed_out = client_for(web, PERSON)
    signed_out.post("/logout")
    signed_out.set_cookie("remember_token", token)
    assert not _signed_in(signed_out)
