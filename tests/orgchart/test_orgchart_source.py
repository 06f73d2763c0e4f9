"""Org chart sources: a YAML file re-read only when it changes; another source by configuration."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from approvals.errors import ApprovalsError, OrgChartError
from approvals.people.orgchart import OrgChartSource, YamlFileSource, source_from_config


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_yaml_source_parses_once_while_the_file_is_unchanged(
        tmp_path: Path, chart_data: dict[str, Any]) -> None:
    source = YamlFileSource(write(tmp_path / "chart.yaml", chart_data))
    first = source.current()
    assert source.current() is first
    assert source.current("test-bureau") is first


def test_a_yaml_source_sees_an_edit_on_the_next_call(
        tmp_path: Path, chart_data: dict[str, Any]) -> None:
    path = write(tmp_path / "chart.yaml", chart_data)
    source = YamlFileSource(path)
    before = source.current()
    chart_data["posts"]["organ_leader"] = "wang.jun"
    write(path, chart_data)
    after = source.current()
    assert after.posts["organ_leader"] == "wang.jun" and after.version != before.version


def test_a_broken_edit_raises_until_the_file_is_fixed(
        tmp_path: Path, chart_data: dict[str, Any]) -> None:
    path = write(tmp_path / "chart.yaml", chart_data)
    source = YamlFileSource(path)
    source.current()
    path.write_text(path.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")
    with pytest.raises(OrgChartError, match="colour: unknown key"):
        source.current()
    write(path, chart_data)
    assert source.current().id == "test-bureau"


def test_a_yaml_source_refuses_another_organizations_id(
        tmp_path: Path, chart_data: dict[str, Any]) -> None:
    source = YamlFileSource(write(tmp_path / "chart.yaml", chart_data))
    with pytest.raises(ApprovalsError, match="holds organization 'test-bureau', not 'cq-mca'"):
        source.current("cq-mca")


def test_a_yaml_source_for_a_missing_file_says_which_file(tmp_path: Path) -> None:
    with pytest.raises(ApprovalsError, match="missing.yaml"):
        YamlFileSource(tmp_path / "missing.yaml").current()


def test_a_yaml_source_checks_process_ids_when_given(
        tmp_path: Path, chart_data: dict[str, Any]) -> None:
    source = YamlFileSource(write(tmp_path / "chart.yaml", chart_data), known_processes=["x"])
    with pytest.raises(OrgChartError, match="organization.processes.leave"):
        source.current()


def test_config_yaml_prefix_builds_a_file_source(
        tmp_path: Path, chart_data: dict[str, Any]) -> None:
    path = write(tmp_path / "chart.yaml", chart_data)
    source = source_from_config(f"yaml:{path}")
    assert isinstance(source, YamlFileSource) and isinstance(source, OrgChartSource)
    assert source.current().id == "test-bureau"


def test_config_module_and_class_builds_a_plugged_in_source(
        tmp_path: Path, chart_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "chart.yaml", chart_data)
    (tmp_path / "bureau_directory.py").write_text(textwrap.dedent(f"""
        from approvals.people.orgchart import load_orgchart

        class DirectorySource:
            def current(self, org_id=None):
                return load_orgchart({str(tmp_path / "chart.yaml")!r})
        """), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    source = source_from_config("bureau_directory:DirectorySource")
    assert type(source).__name__ == "DirectorySource"
    assert source.current().id == "test-bureau"


@pytest.mark.parametrize(("spec", "message"), [
    ("orgcharts/xx.yaml", "is not a source; expected yaml:/path/to/chart.yaml or"),
    ("yaml:", "is not a source"),
    ("no_such_module_here:Source", "cannot import module 'no_such_module_here'"),
    ("approvals.errors:NoSuchSource", "module 'approvals.errors' has no class 'NoSuchSource'"),
    ("approvals.errors:Issue", "Issue must be constructible with no arguments"),
    ("collections:OrderedDict", "OrderedDict has no current(org_id=None) method"),
])
def test_a_bad_source_setting_is_refused_with_the_fix(spec: str, message: str) -> None:
    with pytest.raises(ApprovalsError) as info:
        source_from_config(spec)
    assert message in str(info.value) and "APPROVALS_ORGCHART_SOURCE" in str(info.value)
