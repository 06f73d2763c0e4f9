"""The open API (/api/v1): who may call it, the answers a portal gets, and refusals as
problem+json naming the field and the reason."""

from __future__ import annotations

import json
from datetime import timedelta

from apikit import Api, api_for, token_for
from flask import Flask
from support import leave_fields
from webkit import open_task, submit_leave

from approvals.app import Approvals
from approvals.identity.api_access import ApiAccess

STAFF, HEAD = "shen.yue", "jiang.tao"


def test_the_openapi_document_is_3_1_and_the_docs_page_loads_nothing_from_elsewhere(web: Flask) -> None:
    client = web.test_client()
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/tasks/{task_id}/decide" in doc["paths"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "http" not in page.replace("http-equiv", "")  # no CDN: every asset from this site
    bundle = client.get("/api/v1/docs/assets/js/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    bundle.close()


def test_a_call_without_a_token_is_401_problem_json(web: Flask) -> None:
    response = web.test_client().get("/api/v1/me/inbox")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["status"] == 401


def test_an_applicant_starts_a_request_and_the_head_approves_it_through_the_api(engine: Approvals,
                                                                               web: Flask) -> None:
    staff, head = api_for(web, engine, STAFF), api_for(web, engine, HEAD)
    offered = staff.get("/api/v1/processes").get_json()["items"]
    leave = next(p for p in offered if p["request_type"] == "leave")
    assert {f["name"] for f in leave["fields"]} >= {"destination", "depart_on", "return_on", "reason"}
    route = staff.post("/api/v1/processes/leave/preview", {"fields": leave_fields()}).get_json()
    assert route["steps"][0]["assignee"] == HEAD
    created = staff.post("/api/v1/processes/leave/requests", {"fields": leave_fields()})
    assert created.status_code == 201
    request_id = created.get_json()["id"]
    assert created.headers["Location"] == f"/api/v1/requests/{request_id}"
    inbox = head.get("/api/v1/me/inbox").get_json()
    task_id = next(t["id"] for t in inbox["items"] if t["request_id"] == request_id)
    assert head.post(f"/api/v1/tasks/{task_id}/decide", {"decision": "approve"}).status_code == 200
    shown = staff.get(f"/api/v1/requests/{request_id}").get_json()
    assert shown["timeline"][0]["status"] == "approved" or any(t["status"] == "approved" for t in shown["timeline"])
    assert head.get("/api/v1/me/done").get_json()["items"][0]["id"] == task_id


def test_the_same_idempotency_key_starts_one_request_and_answers_the_first(engine: Approvals, web: Flask) -> None:
    staff = api_for(web, engine, STAFF)
    key = {"Idempotency-Key": "portal-form-7781"}
    first = staff.post("/api/v1/processes/leave/requests", {"fields": leave_fields()}, headers=key)
    again = staff.post("/api/v1/processes/leave/requests", {"fields": leave_fields()}, headers=key)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == {**first.get_json(), "replayed": True}
    assert engine.queries.my_requests(STAFF).total == 1
    elsewhere = staff.post(f"/api/v1/requests/{first.get_json()['id']}/withdraw", headers=key)
    assert elsewhere.status_code == 422  # the key was used on another operation: nothing done
    assert engine.queries.request(first.get_json()["id"]).status == "pending"


def test_a_business_key_names_one_request_per_process(engine: Approvals, web: Flask) -> None:
    staff = api_for(web, engine, STAFF)
    body = {"fields": leave_fields(), "business_key": "OA-2026-0042"}
    assert staff.post("/api/v1/processes/leave/requests", body).status_code == 201
    again = staff.post("/api/v1/processes/leave/requests", body)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert engine.queries.my_requests(STAFF).total == 1


def test_a_refused_field_is_named_with_its_reason_in_the_asked_language(engine: Approvals, web: Flask) -> None:
    staff = api_for(web, engine, STAFF, **{"Accept-Language": "en"})
    refused = staff.post("/api/v1/processes/leave/requests", {"fields": leave_fields(destination="")})
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["errors"][0]["field"] == "destination" and problem["errors"][0]["reason"]
    chinese = api_for(web, engine, STAFF, **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert chinese.post("/api/v1/processes/leave/requests", {"fields": leave_fields(destination="")}).get_json()[
        "title"] != problem["title"]
    wrong = staff.post("/api/v1/tasks/1/decide", {"decision": "maybe"})
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["field"].endswith("decision")


def test_a_token_without_the_scope_is_refused_and_changes_nothing(engine: Approvals, web: Flask) -> None:
    reader = Api(web, token_for(engine, STAFF, ("read",)))
    refused = reader.post("/api/v1/processes/leave/requests", {"fields": leave_fields()})
    assert refused.status_code == 403 and "requests:write" in refused.get_json()["detail"]
    assert engine.queries.my_requests(STAFF).total == 0


def test_a_revoked_or_expired_token_no_longer_works(engine: Approvals, web: Flask) -> None:
    access = ApiAccess(engine.db, engine.clock)
    issued = access.create_token(STAFF, "phone", ["read"], 1)
    assert Api(web, issued.token).get("/api/v1/me/counts").status_code == 200
    access.revoke_token(issued.token_id, STAFF)
    assert Api(web, issued.token).get("/api/v1/me/counts").status_code == 401
    short = access.create_token(STAFF, "laptop", ["read"], 1)
    engine.clock.now = lambda: short.expires_at + timedelta(seconds=1)  # type: ignore[method-assign]
    assert Api(web, short.token).get("/api/v1/me/counts").status_code == 401


def test_a_system_client_acts_as_a_named_person_and_the_trail_says_via_which_client(engine: Approvals,
                                                                                   web: Flask) -> None:
    access = ApiAccess(engine.db, engine.clock)
    client_id, secret = access.create_client("xx-nrpb", "OA门户", ["read", "requests:write", "act_as"], "feng.jie")
    answer = web.test_client().post("/api/v1/oauth/token", data={"grant_type": "client_credentials",
                                                                "client_id": client_id, "client_secret": secret})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    token = answer.get_json()["access_token"]
    assert Api(web, token).get("/api/v1/me/inbox").status_code == 403  # whom does it act for?
    portal = Api(web, token, **{"X-Act-As": STAFF})
    request_id = portal.post("/api/v1/processes/leave/requests", {"fields": leave_fields()}).get_json()["id"]
    submitted = next(e for e in engine.queries.trail(request_id) if e.action == "submitted")
    assert submitted.actor == STAFF
    assert json.loads(submitted.detail)["via"] == f"client OA门户 ({client_id})"
    other_org = engine.orgcharts.current("cq-mca")
    stranger = next(iter(other_org.people))
    assert Api(web, token, **{"X-Act-As": stranger}).get("/api/v1/me/inbox").status_code == 403
    no_act = access.create_client("xx-nrpb", "报表", ["read"], "feng.jie")
    reporter = access.client_token(*no_act).token
    assert Api(web, reporter, **{"X-Act-As": STAFF}).get("/api/v1/me/inbox").status_code == 403
    access.revoke_client(client_id, "feng.jie", ["xx-nrpb"])
    assert portal.get("/api/v1/me/inbox").status_code == 401


def test_a_rotated_client_secret_keeps_working_for_a_day_then_only_the_new_one(engine: Approvals) -> None:
    access = ApiAccess(engine.db, engine.clock)
    client_id, old = access.create_client("xx-nrpb", "OA", ["read"], "feng.jie")
    new = access.rotate_secret(client_id, "feng.jie", ["xx-nrpb"])
    assert access.client_token(client_id, old).token and access.client_token(client_id, new).token
    later = engine.clock.now() + timedelta(hours=25)
    engine.clock.now = lambda: later  # type: ignore[method-assign]
    assert access.client_token(client_id, new).token
    try:
        access.client_token(client_id, old)
    except Exception as exc:  # noqa: BLE001
        assert "wrong secret" in str(exc)
    else:
        raise AssertionError("the old secret still worked a day after the rotation")


def test_past_the_rate_limit_the_caller_gets_429_with_retry_after(engine: Approvals) -> None:
    from webkit import make_web

    web = make_web(engine, APPROVALS_API_RATE_PER_MINUTE=3)
    staff = api_for(web, engine, STAFF)
    codes = [staff.get("/api/v1/me/counts").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    last = staff.get("/api/v1/me/counts")
    assert int(last.headers["Retry-After"]) >= 1 and last.mimetype == "application/problem+json"


def test_a_lost_race_is_409_and_an_unknown_task_404(engine: Approvals, web: Flask) -> None:
    task = open_task(engine, submit_leave(engine, STAFF))
    head = api_for(web, engine, HEAD)
    assert head.post(f"/api/v1/tasks/{task.id}/decide", {"decision": "approve"}).status_code == 200
    again = head.post(f"/api/v1/tasks/{task.id}/decide", {"decision": "approve"})
    assert again.status_code == 409
    assert head.get("/api/v1/tasks/99999").status_code == 404
    assert head.get("/api/v1/no/such/thing").status_code == 404
    assert head.get(f"/api/v1/tasks/{task.id}/decide").status_code == 405


def test_tokens_and_clients_made_by_the_cli_open_the_api(engine: Approvals, web: Flask, db_url: str) -> None:
    from click.testing import CliRunner

    from approvals.cli import cli

    runner = CliRunner()
    made = runner.invoke(cli, ["--database", db_url, "api", "token", STAFF, "--name", "phone", "--scope", "read"])
    assert made.exit_code == 0, made.output
    token = made.stdout.splitlines()[0]
    assert Api(web, token).get("/api/v1/me/counts").status_code == 200
    client = runner.invoke(cli, ["--database", db_url, "api", "client", "xx-nrpb", "--name", "OA", "--scope",
                                 "read", "--scope", "act_as"])
    assert client.exit_code == 0, client.output
    values = dict(line.split("=", 1) for line in client.stdout.splitlines())
    answer = web.test_client().post("/api/v1/oauth/token", data={"grant_type": "client_credentials", **values})
    assert Api(web, answer.get_json()["access_token"], **{"X-Act-As": STAFF}).get("/api/v1/me/inbox").status_code \
        == 200
