"""A net under every page: an address whose query string holds a character that
approvals/text.py refuses (NUL above all: PostgreSQL answers it with an error, a 500) is
answered 400, naming the parameter, before any view builds a query from it.

Posted forms are not screened here: the engine checks each free-text value it stores
(form fields, comments, org chart text) and says which field is wrong, next to the field.
"""

from __future__ import annotations

from flask import Flask, request

from approvals import text


def _screen_query_string() -> None:
    for key, value in request.args.items(multi=True):
        text.checked("address", key, None)
        text.checked(f"address parameter {key!r}", value, None)  # FieldError: a 400 page


def init_app(app: Flask) -> None:
    app.before_request(_screen_query_string)
