"""The OpenAPI 3.1 document, generated from the code, and a docs page drawn by Swagger UI from
the flask-openapi3-swagger package's own files (vendored: no CDN; the page's script is ours, so
the content security policy stays 'self')."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import flask_openapi3_swagger
from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_from_directory
from werkzeug.exceptions import HTTPException

from web.api.blueprint import PREFIX
from web.api.problems import problem

SWAGGER = Path(flask_openapi3_swagger.__file__).parent / "templates" / "swagger"

bp = Blueprint("api_docs", __name__, url_prefix=PREFIX)


@bp.get("/openapi.json")
def openapi_json() -> Response:
    doc: dict[str, Any] = current_app.api_doc  # type: ignore[attr-defined]
    return jsonify(doc)


@bp.get("/docs")
def docs() -> str:
    return render_template("api/docs.html")


@bp.get("/docs/assets/<path:name>")
def asset(name: str) -> Response:
    return send_from_directory(SWAGGER, name, max_age=3600)


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(rest: str) -> Response:
    """Anything else under /api/v1 answers in problem+json, not with an HTML page: 405 when the
    address is an operation's with another method, else 404."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        if method == request.method:
            continue
        try:
            endpoint, _args = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != "api_docs.not_found":
            allowed.append(method)
    if allowed:
        return problem(405, headers={"Allow": ", ".join(allowed)})
    return problem(404)
