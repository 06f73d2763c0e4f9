"""Plain factory functions for the web tests: a real engine with the shipped org charts, the
Flask app over it, signing in through the real login form, and requests set up through the
engine's API (the same calls the pages make)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete
from support import CHART_A, CHART_B, NOW, PROCESSES, leave_fields, make_app
from werkzeug.security import generate_password_hash

from approvals.app import Approvals
from approvals.clock import FixedClock
from approvals.store.models import Credential
from web import create_app

PASSWORD = "demo"
ADMIN = "feng.jie"  # 人事科科长 keeps the org chart


def make_engine(url: str) -> Approvals:
    return make_app(url, CHART_A, CHART_B, clock=FixedClock(NOW), processes=PROCESSES)


def set_passwords(engine: Approvals, people: Iterable[str]) -> None:
    """Everyone gets the demo password, hashed cheaply: scrypt for 60 people per test would
    spend seconds proving nothing about the UI (credentials.py has its own tests)."""
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    ids = list(people)
    with engine.db.transaction() as s:
        s.execute(delete(Credential).where(Credential.person_id.in_(ids)))
        s.add_all(Credential(person_id=p, password_hash=hashed, updated_at=NOW) for p in ids)


def make_web(engine: Approvals, **config: Any) -> Flask:
    settings: dict[str, Any] = {
        "APPROVALS_ENGINE": engine,
        "TESTING": True,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "APPROVALS_ADMINS": [ADMIN],
        # the admin and inspectors sign in with one step here; tests/web/test_signin_two_factor.py
        # turns the second step on
        "APPROVALS_TWO_FACTOR_REQUIRED": False,
    }
    settings.update(config)
    return create_app(settings)


def sign_in(client: FlaskClient, person: str, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"person": person, "password": password})
    assert response.status_code == 302, f"{person} could not sign in"


def client_for(web: Flask, person: str) -> FlaskClient:
    client = web.test_client()
    sign_in(client, person)
    return client


def submit_leave(engine: Approvals, applicant: str, **overrides: str) -> int:
    return engine.service.submit(applicant, "leave", leave_fields(**overrides))


def open_task(engine: Approvals, request_id: int, kind: str | None = None) -> Any:
    tasks = [
        t
        for t in engine.queries.steps(request_id)
        if t.is_open and (kind is None or t.kind == kind)
    ]
    assert tasks, f"request #{request_id} has no open {kind or ''} task"
    return tasks[0]


def text(response: Any) -> str:
    """The page's visible text, tags removed, whitespace squeezed: what a user reads."""
    return text_of(response.get_data(as_text=True))


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def everyone(engine: Approvals) -> list[str]:
    return [p for org in engine.orgcharts.org_ids() for p in engine.orgcharts.current(org).people]


__all__ = ["CHART_A", "CHART_B", "NOW"]
