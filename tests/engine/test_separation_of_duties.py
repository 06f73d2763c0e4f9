"""Rule 1 (no self-approval) holds however a decision reaches a person, and admin rights stop at
the organization: the attacks of issue 12 §1, replayed on the shipped org charts."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from support import CHART_A, CHART_B, head_of_duty, leave_fields

from approvals.app import Approvals
from approvals.audit import search as audit_search
from approvals.errors import ConflictError, FieldError, NotPermittedError
from approvals.people.offices import AdminRights, Offices, OfficesConfigError
from approvals.people.orgchart.loader import load_orgchart

XX, CQ = "xx-nrpb", "cq-mca"
HEAD, DEPUTY, STAFF = "zhao.lei", "qian.hong", "sun.li"  # 规划科: head, deputy, staff
TODAY = (date(2026, 11, 23), date(2026, 11, 30))  # covers the test clock's day
UNSET = Offices(AdminRights.parse(None))  # APPROVALS_ADMINS unset: each org's filing head


def _inbox(app: Approvals, person: str) -> list[int]:
    """The request ids in ``person``'s inbox, as they see it."""
    return [t.request_id for t in app.queries.inbox(app.orgcharts.current(XX), person).items]


def _assigned_ever(app: Approvals, request_id: int, person: str) -> bool:
    return any(t.assignee == person and t.status != "skipped" for t in app.queries.steps(request_id))


def _delegation_issue(exc: pytest.ExceptionInfo[FieldError]) -> tuple[str, object, str]:
    [issue] = exc.value.issues
    return issue.where, issue.value, issue.message


# ---- delegation --------------------------------------------------------------------------


def test_a_head_cannot_name_the_applicant_of_a_waiting_request_as_acting_approver(app: Approvals) -> None:
    request_id = app.service.submit(STAFF, "leave", leave_fields())
    assert _inbox(app, HEAD) == [request_id]

    with pytest.raises(FieldError) as refused:
        app.service.delegate(HEAD, STAFF, *TODAY)
    where, value, why = _delegation_issue(refused)
    assert (where, value) == ("delegate", STAFF)
    assert f"applicant of request #{request_id}" in why and "own request" in why

    assert _inbox(app, HEAD) == [request_id] and _inbox(app, STAFF) == []
    assert not _assigned_ever(app, request_id, STAFF)
    assert not [e for e in app.queries.trail(request_id) if e.action == "reassigned"]


def test_an_admin_cannot_name_the_applicant_for_the_head_either(app: Approvals) -> None:
    request_id = app.service.submit(STAFF, "leave", leave_fields())
    admin = head_of_duty(app.orgcharts.current(XX), "filing")
    with pytest.raises(FieldError, match=f"request #{request_id}"):
        app.service.delegate(HEAD, STAFF, *TODAY, actor=admin, offices=UNSET)
    assert _inbox(app, STAFF) == []


def test_the_applicant_cannot_decide_her_own_request_whatever_the_task_says(app: Approvals) -> None:
    request_id = app.service.submit(STAFF, "leave", leave_fields())
    [task] = [t for t in app.queries.steps(request_id) if t.is_open]
    with pytest.raises(NotPermittedError, match=f"{STAFF} is the applicant of request #{request_id}"):
        app.service.decide(task.id, STAFF, "approve")
    assert app.queries.request(request_id).status == "pending"
    assert [t.id for t in app.queries.steps(request_id) if t.is_open] == [task.id]


def test_a_delegation_named_before_the_request_leaves_the_new_task_with_the_head(app: Approvals) -> None:
    app.service.delegate(HEAD, STAFF, *TODAY)  # nothing of hers waits yet: allowed
    own = app.service.submit(STAFF, "leave", leave_fields())
    colleagues = app.service.submit(DEPUTY, "leave", leave_fields())

    assert _inbox(app, HEAD) == [own]  # her own request stays with the head
    assert _inbox(app, STAFF) == [colleagues]  # the colleague's goes to her as acting approver
    assert not _assigned_ever(app, own, STAFF)
    [assigned] = [e for e in app.queries.trail(own) if e.action == "assigned"]
    assert '"delegate"' not in (assigned.detail or "")
    [task] = [t for t in app.queries.steps(colleagues) if t.is_open]
    app.service.decide(task.id, STAFF, "approve")  # acting for the head on someone else's request
    assert [t.on_behalf_of for t in app.queries.steps(colleagues) if t.decided_by == STAFF] == [HEAD]


def test_an_inspector_cannot_be_named_acting_approver(app: Approvals) -> None:
    inspector = head_of_duty(app.orgcharts.current(XX), "discipline")
    with pytest.raises(FieldError) as refused:
        app.service.delegate(HEAD, inspector, *TODAY)
    where, value, why = _delegation_issue(refused)
    assert (where, value) == ("delegate", inspector) and "discipline inspector" in why


def test_an_inspector_holding_a_task_by_post_hands_it_to_someone_who_may_decide(app: Approvals) -> None:
    inspector, colleague = "han.bing", "yang.fan"  # 机关纪委: head and staff, both inspectors
    request_id = app.service.submit(colleague, "leave", leave_fields())
    assert _inbox(app, inspector) == [request_id]
    with pytest.raises(FieldError, match=f"applicant of request #{request_id}"):
        app.service.delegate(inspector, colleague, *TODAY)
    app.service.delegate(inspector, "feng.jie", *TODAY)
    assert _inbox(app, "feng.jie") == [request_id]


def test_an_inspector_may_name_another_inspector_when_no_decision_would_move(app: Approvals) -> None:
    app.service.delegate("han.bing", "yang.fan", *TODAY)
    assert _inbox(app, "yang.fan") == []


def test_a_configured_inspector_cannot_be_named_acting_approver(app: Approvals) -> None:
    request_id = app.service.submit(STAFF, "leave", leave_fields())
    offices = Offices(inspectors=frozenset({DEPUTY}))
    with pytest.raises(FieldError, match=f"may not decide request #{request_id}"):
        app.service.delegate(HEAD, DEPUTY, *TODAY, offices=offices)
    app.service.delegate(HEAD, DEPUTY, *TODAY)  # not an inspector without that setting
    assert _inbox(app, DEPUTY) == [request_id]


def test_someone_not_in_the_chart_cannot_be_named_acting_approver(app: Approvals) -> None:
    other_org = head_of_duty(app.orgcharts.current(CQ), "filing")
    for stranger in ("left.long.ago", other_org):
        with pytest.raises(FieldError) as refused:
            app.service.delegate(HEAD, stranger, *TODAY)
        where, value, why = _delegation_issue(refused)
        assert (where, value) == ("delegate", stranger) and "not in the org chart of XX市" in why


def test_someone_who_left_is_refused_once_the_chart_no_longer_lists_them(app: Approvals) -> None:
    data = yaml.safe_load(app.admin.current_text(XX))
    data["people"] = [p for p in data["people"] if p["id"] != "ma.lin"]  # retired
    app.admin.save(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "system", "left.yaml")
    with pytest.raises(FieldError, match="has left"):
        app.service.delegate(HEAD, "ma.lin", *TODAY)


def test_an_acting_approver_who_leaves_acts_for_nobody_and_hands_back_the_tasks(app: Approvals) -> None:
    app.service.delegate(HEAD, DEPUTY, *TODAY)
    before = app.service.submit(STAFF, "leave", leave_fields())
    assert _inbox(app, DEPUTY) == [before]
    data = yaml.safe_load(app.admin.current_text(XX))
    data["people"] = [p for p in data["people"] if p["id"] != DEPUTY]
    for unit in data["units"]:
        unit["deputies"] = [d for d in unit.get("deputies") or [] if d != DEPUTY]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    assert [(m.old, m.new) for m in app.admin.impact(text, "left.yaml").moves] == [(DEPUTY, HEAD)]

    app.admin.save(text, "system", "left.yaml", "钱红调离")
    after = app.service.submit(STAFF, "leave", leave_fields())
    assert _inbox(app, HEAD) == [before, after]
    [revoked] = [h.entry for h in audit_search.search(
        app.db, audit_search.AuditQuery(actions=("delegation_revoked",))).hits]
    assert DEPUTY in (revoked.detail or "")


# ---- a chart change ------------------------------------------------------------------------


def _make_head(app: Approvals, unit_id: str, person: str) -> str:
    data = yaml.safe_load(app.admin.current_text(XX))
    for unit in data["units"]:
        if unit["id"] == unit_id:
            unit["head"] = person
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_a_chart_change_making_the_applicant_her_own_approver_skips_the_step(app: Approvals) -> None:
    request_id = app.service.submit(STAFF, "leave", leave_fields())
    [waiting] = [t for t in app.queries.steps(request_id) if t.is_open]
    text = _make_head(app, "planning", STAFF)

    impact = app.admin.impact(text, "edited.yaml")
    assert [(m.task_id, m.old, m.new) for m in impact.skips] == [(waiting.id, HEAD, STAFF)]
    assert not impact.moves
    app.admin.save(text, "system", "edited.yaml", "孙丽任科长")

    assert _inbox(app, STAFF) == [] and _inbox(app, HEAD) == []
    supervisor = app.orgcharts.current(XX).units["planning"].supervisor
    assert supervisor is not None and _inbox(app, supervisor) == [request_id]  # the route went on
    skipped = next(t for t in app.queries.steps(request_id) if t.id == waiting.id)
    assert (skipped.status, skipped.is_open, skipped.decided_by) == ("skipped", False, None)
    [entry] = [e for e in app.queries.trail(request_id) if e.action == "skipped"]
    assert "rule 1" in (entry.detail or "")
    with pytest.raises(ConflictError, match="already skipped"):
        app.service.decide(waiting.id, STAFF, "approve")


def test_a_chart_change_passes_over_an_acting_delegate_who_is_the_applicant(app: Approvals) -> None:
    request_id = app.service.submit(STAFF, "leave", leave_fields())
    app.service.delegate(DEPUTY, STAFF, *TODAY)  # the deputy, away; nothing waits on her
    app.admin.save(_make_head(app, "planning", DEPUTY), "system", "edited.yaml")
    assert _inbox(app, STAFF) == [] and _inbox(app, DEPUTY) == [request_id]


# ---- admin rights per organization ---------------------------------------------------------


def test_an_admin_of_one_organization_cannot_save_another_organizations_chart(app: Approvals) -> None:
    cq_admin = head_of_duty(app.orgcharts.current(CQ), "filing")
    edited = app.admin.current_text(XX).replace("name: 孙丽", "name: 孙莉")
    for offices in (UNSET, Offices(AdminRights.parse(cq_admin))):
        with pytest.raises(NotPermittedError, match=f"{cq_admin} does not administer XX市.*change its org chart"):
            app.admin.save(edited, cq_admin, "edited.yaml", offices=offices)
        with pytest.raises(NotPermittedError):
            app.admin.impact(edited, "edited.yaml", actor=cq_admin, offices=offices)
    assert len(app.admin.versions(XX)) == 1


def test_a_chart_naming_its_author_filing_head_grants_nothing(app: Approvals) -> None:
    cq_admin = head_of_duty(app.orgcharts.current(CQ), "filing")
    data = yaml.safe_load(app.admin.current_text(XX))
    data["people"].append({"id": cq_admin, "name": "冒名", "unit": "hr"})
    hr = next(u for u in data["units"] if u["id"] == "hr")
    hr["head"] = cq_admin
    hostile = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with pytest.raises(NotPermittedError):
        app.admin.save(hostile, cq_admin, "hostile.yaml", offices=UNSET)


def test_an_admin_of_one_organization_cannot_name_delegates_in_another(app: Approvals) -> None:
    cq_admin = head_of_duty(app.orgcharts.current(CQ), "filing")
    with pytest.raises(NotPermittedError, match="does not administer XX市"):
        app.service.delegate(HEAD, DEPUTY, *TODAY, actor=cq_admin, offices=UNSET)
    xx_admin = head_of_duty(app.orgcharts.current(XX), "filing")
    with pytest.raises(NotPermittedError):  # without being told who administers what: nobody
        app.service.delegate(HEAD, DEPUTY, *TODAY, actor=xx_admin)
    request_id = app.service.submit(STAFF, "leave", leave_fields())
    assert _inbox(app, HEAD) == [request_id]


def test_an_admin_still_administers_their_own_organization(app: Approvals) -> None:
    xx_admin = head_of_duty(app.orgcharts.current(XX), "filing")
    edited = app.admin.current_text(XX).replace("name: 孙丽", "name: 孙莉")
    app.admin.save(edited, xx_admin, "edited.yaml", offices=UNSET)
    assert len(app.admin.versions(XX)) == 2
    app.service.delegate(HEAD, DEPUTY, *TODAY, actor=xx_admin, offices=UNSET)
    request_id = app.service.submit(STAFF, "leave", leave_fields())
    assert _inbox(app, DEPUTY) == [request_id]


def test_admins_setting_names_an_organization_per_entry() -> None:
    rights = AdminRights.parse("feng.jie, cq-mca:feng.jie, tang.wei")
    charts = {XX: load_orgchart(CHART_A), CQ: load_orgchart(CHART_B)}
    assert Offices(rights).admin_of("feng.jie", charts) == {XX, CQ}
    assert Offices(AdminRights.parse("feng.jie")).admin_of("feng.jie", charts) == {XX}
    assert Offices(AdminRights.parse("")).admin_of("feng.jie", charts) == frozenset()
    filing_heads = {org: head_of_duty(chart, "filing") for org, chart in charts.items()}
    assert {org: Offices().admin_of(head, charts) for org, head in filing_heads.items()} == {
        XX: {XX}, CQ: {CQ}}
    with pytest.raises(OfficesConfigError, match="'xx:nrpb:feng.jie'"):
        AdminRights.parse("xx:nrpb:feng.jie")
