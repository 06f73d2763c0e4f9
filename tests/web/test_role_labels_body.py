"""Role labels name what the organization is, read off the end of its name: a 委's route
preview says 分管委领导 and 委机关科室, never a 局 it is not (issue 19, point 21)."""

from __future__ import annotations

from flask import Flask
from support import leave_fields
from webkit import client_for

from approvals.app import Approvals


def _roles(web: Flask, applicant: str) -> tuple[list[str], str]:
    page = client_for(web, applicant).post("/apply/leave/preview.json", data=leave_fields()).get_json()
    return [s["role"] for s in page["steps"]], page.get("rule", "")


def test_a_bureau_keeps_its_labels(web: Flask) -> None:
    roles, _rule = _roles(web, "shen.yue")
    assert "财务与资金运用科分管局领导" in roles and "分管机关的局领导" in roles


def test_a_commission_is_called_a_commission(engine: Approvals, web: Flask) -> None:
    text = engine.admin.current_text("xx-nrpb").replace("name: XX市自然资源和规划局", "name: XX市发展和改革委员会")
    engine.admin.save(text, "feng.jie", "xx.yaml", "更名")
    roles, _rule = _roles(web, "shen.yue")
    assert "财务与资金运用科分管委领导" in roles and "分管机关的委领导" in roles
    assert not any("局" in r for r in roles)
    page = client_for(web, "feng.jie").get("/admin/orgchart").get_data(as_text=True)
    assert "委机关科室" in page and "局机关科室" not in page
    assert "委主要负责人" in page
