"""Who belongs where: every organization's chart in force in one read, and the chart a person
is on, from the database and from a plugged-in source alike."""

from __future__ import annotations

import pytest
from support import CHART_A

from approvals.app import Approvals
from approvals.errors import UnknownPersonError
from approvals.people.orgchart import YamlFileSource
from approvals.people.orgchart.external import ExternalOrgCharts


def test_every_organizations_chart_in_force_comes_in_one_read(app: Approvals) -> None:
    charts = app.orgcharts.current_all()
    assert sorted(charts) == ["cq-mca", "xx-nrpb"]
    assert charts["xx-nrpb"].version == app.orgcharts.current("xx-nrpb").version
    assert app.orgcharts.for_person("shen.yue").id == "xx-nrpb"
    assert app.orgcharts.for_person("tang.wei").id == "cq-mca"
    with pytest.raises(UnknownPersonError):
        app.orgcharts.for_person("nobody.here")


def test_a_chart_saved_later_is_the_one_in_force(app: Approvals) -> None:
    renamed = app.admin.current_text("xx-nrpb").replace("name: 沈悦", "name: 沈月")
    app.admin.save(renamed, "feng.jie")
    assert app.orgcharts.current_all()["xx-nrpb"].people["shen.yue"].name == "沈月"


def test_a_plugged_in_source_answers_the_same_questions() -> None:
    charts = ExternalOrgCharts(YamlFileSource(CHART_A), "yaml:" + str(CHART_A))
    assert list(charts.current_all()) == ["xx-nrpb"]
    assert charts.for_person("shen.yue").id == "xx-nrpb"
