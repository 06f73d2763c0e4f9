"""LDAP/AD, CAS and 免登 pages (filled in by their methods)."""

from __future__ import annotations

from flask import abort
from werkzeug.wrappers import Response

from approvals.identity.methods import Method


def start(method: Method) -> Response | str:
    abort(404)


def callback(method: Method) -> Response | str:
    abort(404)
