"""Each organization sees its own: an admin checking or deploying a process another organization
uses learns nothing of that organization's people, the deployments listed are their own
organization's, and an inspector confirms only their own organization's paper copies. Both
shipped charts, with each organization's filing head as its admin (APPROVALS_ADMINS unset)."""

from __future__ import annotations

from io import BytesIO

import pytest
from flask import Flask
from support import PROCESSES
from webkit import client_for, make_web, submit_leave, text

from approvals.app import Approvals
from approvals.reports import printable

XX, CQ = "xx-nrpb", "cq-mca"
PROCESS = {XX: "leave_xx", CQ: "leave_cq"}
INSPECTOR = {XX: "yang.fan", CQ: "lu.ning"}  # a member of each 纪检 unit
APPLICANT = {XX: "shen.yue", CQ: "lin.xia"}
OTHER = {XX: CQ, CQ: XX}
BOTH_WAYS = pytest.mark.parametrize("ours", [XX, CQ])


@pytest.fixture
def offices(engine: Approvals, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app with APPROVALS_ADMINS unset: each organization's filing head administers it."""
    monkeypatch.delenv("APPROVALS_ADMINS", raising=False)
    return make_web(engine, APPROVALS_ADMINS=None)


def _admin(engine: Approvals, org: str) -> str:
    chart = engine.orgcharts.current(org)
    head = chart.units[chart.duties["filing"]].head
    assert head is not None
    return head


def _names(engine: Approvals, org: str) -> list[str]:
    return [p.name for p in engine.orgcharts.current(org).people.values()]


def _vacate_chief(engine: Approvals, org: str) -> None:
    """Nobody holds the chief's post: the org's own process would strand whoever needs it."""
    chart = engine.orgcharts.current(org)
    chief = chart.posts["chief"]
    engine.admin.save(engine.admin.current_text(org).replace(f"chief: {chief}", "chief: null", 1), "system", "t.yaml")


def _upload(web: Flask, who: str, process: str, action: str):  # type: ignore[no-untyped-def]
    xml = (PROCESSES / f"{process}.bpmn").read_bytes()
    return client_for(web, who).post(
        "/admin/processes",
        data={"upload": (BytesIO(xml), f"{process}.bpmn"), "action": action, "comment": "试试"},
        content_type="multipart/form-data",
    )


@BOTH_WAYS
def test_checking_another_organizations_process_names_none_of_its_people(
    engine: Approvals, offices: Flask, ours: str
) -> None:
    theirs = OTHER[ours]
    _vacate_chief(engine, theirs)
    their_name = engine.orgcharts.current(theirs).organization.name
    for action in ("check", "deploy"):
        response = _upload(offices, _admin(engine, ours), PROCESS[theirs], action)
        page = text(response)
        assert response.status_code == 403, action
        assert their_name in page and "管理员" in page, action
        assert not [n for n in _names(engine, theirs) if n in page], action
    assert engine.deployer.history() == []
    own = _upload(offices, _admin(engine, theirs), PROCESS[theirs], "check")  # their admin is told whom
    assert own.status_code == 400 and any(n in text(own) for n in _names(engine, theirs))


@BOTH_WAYS
def test_the_deployments_listed_are_the_admins_own_organizations(
    engine: Approvals, offices: Flask, ours: str
) -> None:
    for org in (XX, CQ):
        xml = (PROCESSES / f"{PROCESS[org]}.bpmn").read_text(encoding="utf-8")
        engine.deployer.deploy(xml, f"{PROCESS[org]}.bpmn", _admin(engine, org), f"{org} 的部署说明")
    page = text(client_for(offices, _admin(engine, ours)).get("/admin/processes"))
    assert f"{ours} 的部署说明" in page
    assert f"{OTHER[ours]} 的部署说明" not in page


@BOTH_WAYS
def test_an_inspector_confirms_only_their_own_organizations_paper_copy(
    engine: Approvals, offices: Flask, ours: str
) -> None:
    request_id = submit_leave(engine, APPLICANT[ours])
    stamp = printable.stamp(engine.db, request_id)
    assert stamp is not None
    url = f"/inspect/copy?code={stamp.code}"
    own = text(client_for(offices, INSPECTOR[ours]).get(url))
    assert f"与申请 #{request_id} 的第" in own
    other = text(client_for(offices, INSPECTOR[OTHER[ours]]).get(url))
    assert f"#{request_id}" not in other and "没有这个编号的审计记录" in other
