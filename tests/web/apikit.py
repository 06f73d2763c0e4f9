"""Plain factory functions for the API tests: tokens made through the engine's own API, and a
test client that sends them."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from approvals.app import Approvals
from approvals.identity.api_access import PERSONAL_SCOPES, ApiAccess


def token_for(engine: Approvals, person: str, scopes: tuple[str, ...] = PERSONAL_SCOPES, days: int = 30) -> str:
    return ApiAccess(engine.db, engine.clock).create_token(person, "test", scopes, days).token


class Api:
    """A test client speaking for one bearer token."""

    def __init__(self, web: Flask, token: str, **headers: str) -> None:
        self.client: FlaskClient = web.test_client()
        self.headers = {"Authorization": f"Bearer {token}", **headers}

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(url, json=json, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.client.delete(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)


def api_for(web: Flask, engine: Approvals, person: str, **headers: str) -> Api:
    return Api(web, token_for(engine, person), **headers)
