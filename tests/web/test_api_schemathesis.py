"""schemathesis against the live app: requests generated from /api/v1/openapi.json, a few per
operation, sent over HTTP with a token of every personal scope. No answer may be a server
error, and every answer must match the document (status, content type, body schema)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from apikit import token_for
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from webkit import make_engine, make_web, submit_leave
from werkzeug.serving import make_server

from approvals.app import Approvals

EXAMPLES = 6  # per operation: about 35 operations; bounded so the file runs in well under a minute


@pytest.fixture
def live(db_url: str, tmp_path: Path) -> Iterator[tuple[str, Approvals]]:
    engine = make_engine(db_url)
    web = make_web(engine, TESTING=False, APPROVALS_API_RATE_PER_MINUTE=0)
    server = make_server("127.0.0.1", 0, web, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", engine
    server.shutdown()
    thread.join(timeout=5)
    engine.db.dispose()


def test_generated_calls_never_meet_a_server_error_and_every_answer_matches_the_document(
        live: tuple[str, Approvals]) -> None:
    url, engine = live
    submit_leave(engine, "shen.yue")
    headers = {"Authorization": f"Bearer {token_for(engine, 'jiang.tao')}"}
    schema = schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json")
    checks = [not_a_server_error, response_schema_conformance]
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            response = case.call(base_url=url, headers=headers)
            case.validate_response(response, checks=checks)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - gather every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
