"""What a page works out once and reuses while it renders: the charts in force, the people on
them, the message catalog, the language. A list page asks for them on every row.

They live in one dict on ``g`` that every request starts without: ``g`` outlives a request
when a caller (a test, a script) holds one app context across several, and a memo must never
carry one page's chart into the next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, g

T = TypeVar("T")
_KEY = "page_memo"


def page_memo() -> dict[str, Any]:
    try:
        return g.page_memo  # type: ignore[no-any-return]
    except AttributeError:
        memo: dict[str, Any] = {}
        g.page_memo = memo
        return memo


def once(key: str, compute: Callable[[], T]) -> T:
    """``compute()`` the first time this page asks for ``key``, the same value after that
    (outside an app context, every time: there is no page to remember it for). A list page
    asks a few times per row, so this is one lookup through ``g``, not three."""
    try:
        memo = g.page_memo
    except AttributeError:
        memo = page_memo()
    except RuntimeError:  # no app context
        return compute()
    try:
        return memo[key]  # type: ignore[no-any-return]
    except KeyError:
        value = memo[key] = compute()
        return value


def _forget() -> None:
    g.pop(_KEY, None)


def init_app(app: Flask) -> None:
    app.before_request(_forget)
