"""Admin rights stop at the organization, and the acting-approver forms refuse whoever could not
act, with the reason next to the field and nothing the user typed lost."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from webkit import ADMIN, client_for, make_web, open_task, submit_leave, text

from approvals.app import Approvals
from approvals.audit import search as audit_search

XX, CQ = "xx-nrpb", "cq-mca"
HEAD, STAFF = "zhao.lei", "sun.li"  # 规划科 head and one of its staff
DATES = {"starts_on": "2026-11-23", "ends_on": "2026-11-30"}  # covers the test clock's day


def _filing_head(engine: Approvals, org: str) -> str:
    chart = engine.orgcharts.current(org)
    head = chart.units[chart.duties["filing"]].head
    assert head is not None
    return head


def _delegations(engine: Approvals) -> int:
    query = audit_search.AuditQuery(actions=("delegated",))
    return len(audit_search.search(engine.db, query).hits)


@pytest.fixture
def unset_admins(engine: Approvals, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app with APPROVALS_ADMINS unset: each organization's filing head administers it."""
    monkeypatch.delenv("APPROVALS_ADMINS", raising=False)
    return make_web(engine, APPROVALS_ADMINS=None)


def test_a_filing_head_gets_404_for_every_admin_page_of_another_organization(
    engine: Approvals, unset_admins: Flask
) -> None:
    client = client_for(unset_admins, _filing_head(engine, CQ))
    xx_version = engine.admin.versions(XX)[0].id
    for url in (
        f"/admin/orgchart?org={XX}",
        f"/admin/orgchart/edit?org={XX}",
        f"/admin/orgchart/versions?org={XX}",
        f"/admin/orgchart/versions/{xx_version}?org={XX}",
        f"/admin/orgchart/versions/{xx_version}",  # not a version of their own organization
        f"/admin/delegations?org={XX}",
    ):
        assert client.get(url).status_code == 404, url
    own = client.get("/admin/orgchart")
    assert own.status_code == 200 and "重庆市民政局" in text(own)
    assert "XX市自然资源和规划局" not in text(own)  # no switch to an organization not theirs


def test_a_filing_head_cannot_save_another_organizations_chart_by_pasting_it(
    engine: Approvals, unset_admins: Flask
) -> None:
    client = client_for(unset_admins, _filing_head(engine, CQ))
    hostile = engine.admin.current_text(XX).replace("head: zhao.lei", f"head: {STAFF}")
    for form in ({"action": "check"}, {"action": "save"}):
        for url in ("/admin/orgchart/edit", f"/admin/orgchart/edit?org={XX}"):
            assert client.post(url, data={"text": hostile, **form}).status_code == 404
    assert len(engine.admin.versions(XX)) == 1
    assert engine.orgcharts.current(XX).units["planning"].head == HEAD


def test_a_filing_head_cannot_name_acting_approvers_in_another_organization(
    engine: Approvals, unset_admins: Flask
) -> None:
    client = client_for(unset_admins, _filing_head(engine, CQ))
    form = {"principal": HEAD, "delegate": STAFF, **DATES}
    for url in (f"/admin/delegations?org={XX}", "/admin/delegations"):
        assert client.post(url, data=form).status_code == 404
    assert _delegations(engine) == 0


def test_the_filing_head_still_administers_their_own_organization(
    engine: Approvals, unset_admins: Flask
) -> None:
    client = client_for(unset_admins, _filing_head(engine, XX))
    edited = engine.admin.current_text(XX).replace("name: 孙丽", "name: 孙莉")
    preview = client.post("/admin/orgchart/edit", data={"text": edited, "action": "check"})
    checked = re.search(r'name="checked" value="([0-9a-f]+)"', preview.get_data(as_text=True))
    assert preview.status_code == 200 and checked
    saved = client.post(
        "/admin/orgchart/edit", data={"text": edited, "action": "save", "checked": checked[1],
              "based_on": _based_on(preview)}
    )
    assert saved.status_code == 302 and len(engine.admin.versions(XX)) == 2
    named = client.post(
        f"/admin/delegations?org={XX}", data={"principal": HEAD, "delegate": "qian.hong", **DATES}
    )
    assert named.status_code == 302 and _delegations(engine) == 1


def test_a_configured_admin_administers_only_the_organizations_named(engine: Approvals) -> None:
    own_only = client_for(make_web(engine, APPROVALS_ADMINS=ADMIN), ADMIN)
    assert own_only.get(f"/admin/orgchart?org={CQ}").status_code == 404
    both = client_for(make_web(engine, APPROVALS_ADMINS=f"{ADMIN},{CQ}:{ADMIN}"), ADMIN)
    page = both.get(f"/admin/orgchart?org={CQ}")
    assert page.status_code == 200 and "重庆市民政局" in text(page)


def _delegate_error(html: str) -> str:
    field = re.search(r'<div class="field has-error"><label for="delegate">.*?</div></div>', html, re.S)
    assert field, "no error next to the acting approver field"
    return field[0]


def test_naming_the_applicant_of_a_waiting_request_shows_why_next_to_the_field(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    response = client_for(web, HEAD).post("/delegation", data={"delegate": STAFF, **DATES})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    field = _delegate_error(html)
    assert f"申请 #{request_id}" in field and "不得审批本人的申请" in field
    assert re.search(rf'<option value="{STAFF}"[^>]* selected>', field)  # nothing typed is lost
    assert 'value="2026-11-23"' in html and 'value="2026-11-30"' in html
    assert _delegations(engine) == 0
    task = open_task(engine, request_id)
    assert _in_inbox(web, HEAD, task.id) and not _in_inbox(web, STAFF, task.id)


def test_an_admin_naming_an_inspector_or_someone_who_left_is_told_why(
    engine: Approvals, web: Flask
) -> None:
    inspector = engine.orgcharts.current(XX).units["discipline"].head
    client = client_for(web, ADMIN)
    refused = client.post(
        "/admin/delegations", data={"principal": HEAD, "delegate": inspector, **DATES}
    )
    assert refused.status_code == 400 and "纪检" in _delegate_error(refused.get_data(as_text=True))
    stranger = client.post(
        "/admin/delegations", data={"principal": HEAD, "delegate": "left.long.ago", **DATES}
    )
    assert stranger.status_code == 400
    assert "不在XX市自然资源和规划局的组织架构中" in _delegate_error(stranger.get_data(as_text=True))
    assert _delegations(engine) == 0


def test_the_impact_preview_says_a_step_the_applicant_would_hold_is_skipped(
    engine: Approvals, web: Flask
) -> None:
    request_id = submit_leave(engine, STAFF)
    waiting = open_task(engine, request_id)
    promoted = engine.admin.current_text(XX).replace("head: zhao.lei", f"head: {STAFF}")
    client = client_for(web, ADMIN)
    preview = client.post("/admin/orgchart/edit", data={"text": promoted, "action": "check"})
    page = text(preview)
    assert "将落到申请人本人，因此跳过" in page and f"申请 #{request_id}" in page
    checked = re.search(r'name="checked" value="([0-9a-f]+)"', preview.get_data(as_text=True))
    assert checked
    saved = client.post(
        "/admin/orgchart/edit", data={"text": promoted, "action": "save", "checked": checked[1],
              "based_on": _based_on(preview)}
    )
    assert "1 个待审批环节已跳过" in text(client.get(saved.headers["Location"]))
    assert not _in_inbox(web, STAFF, waiting.id) and not _in_inbox(web, HEAD, waiting.id)
    supervisor = engine.orgcharts.current(XX).units["planning"].supervisor
    assert supervisor is not None and _in_inbox(web, supervisor, open_task(engine, request_id).id)


def _in_inbox(web: Flask, person: str, task_id: int) -> bool:
    html = client_for(web, person).get("/inbox").get_data(as_text=True)
    return f'href="/tasks/{task_id}"' in html


def _based_on(preview: Any) -> str:
    """The version the preview was worked out against: the save is refused on any other."""
    found = re.search(r'name="based_on" value="(\d+)"', preview.get_data(as_text=True))
    assert found
    return found[1]
