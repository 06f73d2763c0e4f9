"""Shared helpers for the org chart tests, as fixtures: a small valid chart to break one
thing in, loaders that return the issues a user would read, and the two shipped charts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from approvals.errors import Issue, OrgChartError
from approvals.people.orgchart import OrgChart, load_orgchart, parse_orgchart

ORGCHARTS = Path(__file__).resolve().parents[2] / "orgcharts"
CHART_A = ORGCHARTS / "xx-natural-resources.yaml"
CHART_B = ORGCHARTS / "cq-civil-affairs.yaml"
SHIPPED_PROCESSES = ("leave_xx", "meeting_xx", "family_trip_xx", "trip_xx", "doc_sign_xx", "leave_cq", "meeting_cq")

Source = dict[str, Any] | str


def base_chart() -> dict[str, Any]:
    """The smallest chart that exercises every key: a leadership, two sections, posts, duties."""
    return {
        "organization": {"id": "test-bureau", "name": "测试局", "processes": {"leave": "leave_xx"}},
        "units": [
            {"id": "leadership", "name": "局领导班子", "kind": "leadership"},
            {"id": "planning", "name": "规划科", "kind": "section", "head": "zhao.lei",
             "deputies": ["qian.hong"], "supervisor": "li.ming"},
            {"id": "hr", "name": "人事科", "kind": "section", "head": "feng.jie",
             "supervisor": "li.ming"},
        ],
        "people": [
            {"id": "wang.jun", "name": "王军", "unit": "leadership", "title": "局长"},
            {"id": "li.ming", "name": "李明", "unit": "leadership", "title": "副局长"},
            {"id": "zhao.lei", "name": "赵磊", "unit": "planning", "title": "科长"},
            {"id": "qian.hong", "name": "钱红", "unit": "planning", "title": "副科长"},
            {"id": "sun.li", "name": "孙丽", "unit": "planning", "title": "科员"},
            {"id": "feng.jie", "name": "冯洁", "unit": "hr", "title": "科长"},
        ],
        "posts": {"chief": "wang.jun", "organ_leader": "li.ming"},
        "duties": {"filing": "hr"},
    }


def as_text(source: Source) -> str:
    if isinstance(source, str):
        return source
    return yaml.safe_dump(source, allow_unicode=True, sort_keys=False)


def _error(source: Source, **kwargs: Any) -> OrgChartError:
    with pytest.raises(OrgChartError) as info:
        parse_orgchart(as_text(source), "bad.yaml", **kwargs)
    return info.value


def _only_issue(source: Source, **kwargs: Any) -> Issue:
    error = _error(source, **kwargs)
    assert len(error.issues) == 1, error.issues
    [issue] = error.issues
    # What the user reads names the file, the key path and (when there is one) the value.
    assert str(error).startswith(f"bad.yaml: {issue.where}: ")
    if issue.value is not None:
        assert repr(issue.value) in str(error)
    return issue


@pytest.fixture
def chart_data() -> dict[str, Any]:
    """A fresh valid chart as plain data, for one test to break."""
    return base_chart()


@pytest.fixture
def error_of() -> Callable[..., OrgChartError]:
    """``error_of(data or text, known_processes=...)``: the OrgChartError it raises."""
    return _error


@pytest.fixture
def only_issue() -> Callable[..., Issue]:
    """``only_issue(data or text)``: the single Issue it raises, checked to be in the message."""
    return _only_issue


@pytest.fixture
def parse() -> Callable[..., OrgChart]:
    """``parse(data or text)``: the chart, for inputs that must load."""
    return lambda source, **kwargs: parse_orgchart(as_text(source), "ok.yaml", **kwargs)


@pytest.fixture
def xx_chart() -> OrgChart:
    return load_orgchart(CHART_A, known_processes=SHIPPED_PROCESSES)


@pytest.fixture
def cq_chart() -> OrgChart:
    return load_orgchart(CHART_B, known_processes=SHIPPED_PROCESSES)


@pytest.fixture
def xx_data() -> dict[str, Any]:
    """The shipped policy A chart as plain data, to edit (e.g. make a post vacant)."""
    data: dict[str, Any] = yaml.safe_load(CHART_A.read_text(encoding="utf-8"))
    return data
