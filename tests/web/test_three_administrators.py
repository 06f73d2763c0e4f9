"""三员分立 (issue 20): the system, security and audit administrators are three offices held by
three people. Each administrator page needs its own office; a refusal is a page naming the
office and an entry in the trail; the audit administrator's page lists every administrator's
actions, theirs included; one person named for two offices stops the start, naming them."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from sqlalchemy import select
from webkit import ADMIN, client_for, make_web, text

from approvals.app import Approvals
from approvals.audit import search as audit_search
from approvals.identity.api_access import ApiAccess
from approvals.identity.totp import TwoFactors
from approvals.people.offices import AdminRights, Offices, OfficesConfigError
from approvals.store.models import TwoFactor

SECURITY, AUDITOR, STAFF = "zheng.yu", "wu.min", "sun.li"  # all of XX局 (xx-nrpb)
XX = "xx-nrpb"


@pytest.fixture
def three(engine: Approvals) -> Flask:
    return make_web(engine, APPROVALS_SECURITY_ADMINS=[SECURITY], APPROVALS_AUDIT_ADMINS=[AUDITOR])


def _actions(engine: Approvals, *actions: str) -> list[audit_search.Hit]:
    return audit_search.search(engine.db, audit_search.AuditQuery(actions=actions)).hits


def test_one_person_named_for_two_offices_stops_the_start_naming_them(engine: Approvals) -> None:
    with pytest.raises(OfficesConfigError, match=r"feng\.jie is named in APPROVALS_ADMINS and in "
                                                 r"APPROVALS_AUDIT_ADMINS.*三员分立"):
        make_web(engine, APPROVALS_AUDIT_ADMINS=[f"{XX}:{ADMIN}"])
    with pytest.raises(OfficesConfigError, match=r"zheng\.yu is named in APPROVALS_SECURITY_ADMINS and in "
                                                 r"APPROVALS_AUDIT_ADMINS"):
        make_web(engine, APPROVALS_SECURITY_ADMINS=[SECURITY], APPROVALS_AUDIT_ADMINS=f"{SECURITY},{AUDITOR}")
    with pytest.raises(OfficesConfigError):  # the engine refuses the same, however it is told
        Offices(AdminRights.parse("a.b"), security=AdminRights.parse("a.b"))
    # a chart saved later making a named security administrator filing head grants them nothing
    held = Offices(AdminRights.parse(None), security=AdminRights.parse(ADMIN))
    assert not held.administers(ADMIN, XX, engine.orgcharts.current(XX))


def test_with_admins_unset_a_filing_head_named_security_administrator_stops_the_start(engine: Approvals) -> None:
    with pytest.raises(OfficesConfigError, match=r"feng\.jie heads the filing unit of xx-nrpb.*"
                                                 r"APPROVALS_SECURITY_ADMINS"):
        make_web(engine, APPROVALS_ADMINS=None, APPROVALS_SECURITY_ADMINS=[ADMIN])


def test_admins_from_before_the_split_keep_working_and_the_start_says_to_name_the_other_two(
    engine: Approvals, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="web.config"):
        web = make_web(engine)  # APPROVALS_ADMINS only, as every deployment before 三员分立
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "APPROVALS_SECURITY_ADMINS is not set" in said and "APPROVALS_AUDIT_ADMINS is not set" in said
    assert "APPROVALS_ADMINS keeps naming the system administrators" in said
    assert client_for(web, ADMIN).get("/admin/orgchart").status_code == 200


def test_each_administrator_page_needs_its_own_office_and_a_refusal_is_a_page_and_an_entry(
    engine: Approvals, three: Flask
) -> None:
    system, security, auditor, staff = (client_for(three, p) for p in (ADMIN, SECURITY, AUDITOR, STAFF))
    assert system.get("/admin/orgchart").status_code == 200
    assert security.get("/admin/security").status_code == 200
    assert auditor.get("/admin/trail").status_code == 200
    for client, url, office in ((system, "/admin/security", "security administrator"),
                                (system, "/admin/trail", "audit administrator"),
                                (security, "/admin/accounts", "system administrator"),
                                (security, "/admin/trail", "audit administrator"),
                                (auditor, "/admin/orgchart", "system administrator"),
                                (auditor, "/admin/security", "security administrator"),
                                (staff, "/admin/trail", "audit administrator")):
        page = client.get(url)
        assert page.status_code == 403, url
        assert office in text(page) or "管理员" in text(page)
    refused = _actions(engine, "office_refused")
    assert len(refused) == 7
    assert {h.entry.actor for h in refused} == {ADMIN, SECURITY, AUDITOR, STAFF}
    # nav: each sees the link to their own office's page only
    nav = security.get("/inbox").get_data(as_text=True)
    assert 'href="/admin/security"' in nav and 'href="/admin/trail"' not in nav


def test_the_audit_administrator_reads_every_administrators_actions(engine: Approvals, three: Flask) -> None:
    system, security, auditor = (client_for(three, p) for p in (ADMIN, SECURITY, AUDITOR))
    # the system administrator resets a password
    assert system.post("/admin/accounts", data={"person": STAFF, "new": "fresh-pass-7"}).status_code == 302
    # the security administrator clears two factors and revokes an API client
    factors = TwoFactors(engine.db, engine.clock)
    factors.begin(STAFF)
    client_id, _secret = ApiAccess(engine.db, engine.clock).create_client(XX, "OA 门户", ["read"], "operator")
    assert security.post("/admin/security", data={"action": "reset_two_factor", "person": STAFF}).status_code == 302
    assert security.post("/admin/security", data={"action": "revoke_client", "client": client_id}).status_code == 302
    with engine.db.reading() as s:
        assert s.scalar(select(TwoFactor).where(TwoFactor.person_id == STAFF)) is None
    # someone tries an office not theirs
    assert auditor.get("/admin/accounts").status_code == 403
    page = auditor.get("/admin/trail")
    body = page.get_data(as_text=True)
    for action in ("password_reset", "two_factor_reset", "api_client_revoked", "office_refused"):
        assert f'data-action="{action}"' in body, action
    assert "冯洁" in body and "郑宇" in body and "吴敏" in body
    # the audit administrator changes nothing: no form on the page
    assert "<form method=\"post\"" not in body.split("</header>")[-1]


def test_security_administrator_of_one_organization_gets_404_for_another(engine: Approvals, three: Flask) -> None:
    security = client_for(three, SECURITY)
    assert security.get("/admin/security?org=cq-mca").status_code == 404
    assert security.post("/admin/security?org=cq-mca",
                         data={"action": "reset_two_factor", "person": "x"}).status_code == 404
