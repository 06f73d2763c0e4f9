"""What a page works out once and reuses while it renders: the charts in force, the people on
them, the message catalog, the language. A list page asks for them on every row.

They live in one dict on ``g`` that every request starts without: ``g`` outlives a request
when a caller (a test, a script) holds one app context across several, and a memo must never
carry one page's chart into the next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, g, has_app_context

T = TypeVar("T")
_KEY = "page_memo"


def page_memo() -> dict[str, Any]:
    memo: dict[str, Any] | None = g.get(_KEY)
    if memo is None:
        memo = g.page_memo = {}
    return memo


def once(key: str, compute: Callable[[], T]) -> T:
    """``compute()`` the first time this page asks for ``key``, the same value after that
    (outside an app context, every time: there is no page to remember it for)."""
    if not has_app_context():
        return compute()
    memo = page_memo()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def _forget() -> None:
    g.pop(_KEY, None)


def init_app(app: Flask) -> None:
    app.before_request(_forget)
