"""The engine's sign-in: an unknown name costs a hash check like a known one, so timing does
not tell which names exist; counts and lockouts are the database's."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from approvals.app import Approvals
from approvals.identity import credentials
from approvals.identity.signin import LOCKED, WRONG, Policy, SignIn


def _recording(checked: list[str]) -> credentials.HashCheck:
    def check(stored: str, password: str) -> bool:
        checked.append(stored)
        return check_password_hash(stored, password)

    return check


def _sign_in(app: Approvals, checked: list[str], policy: Policy | None = None) -> SignIn:
    chart = app.orgcharts.current("xx-nrpb")
    return SignIn(app.db, app.clock, policy, known=lambda name: name in chart.people, check=_recording(checked))


def test_an_unknown_name_checks_a_dummy_hash_made_like_real_ones(app: Approvals) -> None:
    with app.db.transaction() as s:
        credentials.set_password(s, "shen.yue", "right", app.clock.now())
    checked: list[str] = []
    sign_in = _sign_in(app, checked)

    assert sign_in.attempt("nobody.here", "right", "10.0.0.1").status == WRONG
    assert sign_in.attempt("shen.yue", "wrong", "10.0.0.1").status == WRONG
    assert sign_in.attempt("shen.yue", "right", "10.0.0.1").ok

    dummy = credentials.dummy_hash()
    assert checked[0] == dummy and checked[1] == checked[2] != dummy
    method = generate_password_hash("x").split("$")[0]
    assert dummy.split("$")[0] == checked[1].split("$")[0] == method  # same algorithm and cost


def test_a_known_person_without_a_password_costs_a_hash_check_too(app: Approvals) -> None:
    checked: list[str] = []
    assert _sign_in(app, checked).attempt("shen.yue", "anything", "10.0.0.1").status == WRONG
    assert checked == [credentials.dummy_hash()]


def test_a_locked_account_is_refused_without_checking_the_password(app: Approvals) -> None:
    with app.db.transaction() as s:
        credentials.set_password(s, "shen.yue", "right", app.clock.now())
    checked: list[str] = []
    sign_in = _sign_in(app, checked, Policy(account_failures=2))
    sign_in.attempt("shen.yue", "wrong", "10.0.0.1")
    assert sign_in.attempt("shen.yue", "wrong", "10.0.0.1").status == LOCKED
    checked.clear()
    refused = sign_in.attempt("shen.yue", "right", "10.0.0.1")
    assert refused.status == LOCKED and not refused.ok and checked == []
    assert sign_in.locked_until("shen.yue", "10.0.0.2") == refused.locked_until


def test_a_throttle_set_to_zero_never_locks(app: Approvals) -> None:
    sign_in = _sign_in(app, [], Policy(account_failures=0, address_failures=0))
    outcomes = {sign_in.attempt("shen.yue", "wrong", "10.0.0.1").status for _ in range(8)}
    assert outcomes == {WRONG}


def test_a_new_password_or_disabling_moves_the_session_generation(app: Approvals) -> None:
    now = app.clock.now()
    credentials.change_password(app.db, "shen.yue", "first", "system", now)
    start = credentials.session_generation(app.db, "shen.yue")
    credentials.change_password(app.db, "shen.yue", "second", "system", now)
    assert credentials.session_generation(app.db, "shen.yue") == (start or 0) + 1
    assert credentials.set_disabled(app.db, "shen.yue", True, "system", now)
    assert credentials.session_generation(app.db, "shen.yue") is None
    assert not credentials.set_disabled(app.db, "shen.yue", True, "system", now)
    assert credentials.set_disabled(app.db, "shen.yue", False, "system", now)
    assert credentials.session_generation(app.db, "shen.yue") == (start or 0) + 3


def test_a_name_longer_than_any_person_id_is_nobodys_and_still_counted(app: Approvals) -> None:
    checked: list[str] = []
    sign_in = _sign_in(app, checked, Policy(account_failures=2))
    long_name = "shen.yue" + "x" * 5000
    assert sign_in.attempt(long_name, "demo", "10.0.0.1").status == WRONG
    assert sign_in.attempt(long_name + "y", "demo", "10.0.0.1").status == LOCKED  # same first 64
    assert checked == [credentials.dummy_hash()] * 2
