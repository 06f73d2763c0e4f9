"""`approvals load-orgchart` and `check` answer a broken file with one clean message naming
the file and line and exit 1: no traceback, nothing saved (both databases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import CHART_A, PROCESSES

from approvals.app import build
from approvals.cli import cli

GBK = "organization:\n  id: xx-nrpb\n  name: 自然资源局\n".encode("gbk")


def _first_line_with(text: str) -> int:
    """Where the shipped chart first names ``text``: the line a NUL put there is reported on."""
    lines = CHART_A.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


BAD_FILES = {
    "gbk.yaml": (GBK, "gbk.yaml: line 3: not UTF-8 text (byte 36, value 0xd7)"),
    "nul.yaml": (CHART_A.read_bytes().replace("赵磊".encode(), b"\x00"),
                 f"nul.yaml: line {_first_line_with('赵磊')}, column "),
    "deep.yaml": (b"units: " + b"[" * 1000 + b"]" * 1000, "deep.yaml: line 1, column 15: nested"),
    "bomb.yaml": (b'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n',
                  "bomb.yaml: line 1, column 4: anchors (&name) and aliases (*name)"),
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def saved_organizations(db_url: str) -> list[str]:
    app = build(db_url, PROCESSES)
    try:
        return app.orgcharts.org_ids()
    finally:
        app.db.dispose()


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_load_orgchart_refuses_a_hostile_file_with_its_line_and_exit_1(
    db_url: str, tmp_path: Path, name: str
) -> None:
    data, expected = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    assert run("--database", db_url, "init-db").exit_code == 0
    result = run("--database", db_url, "load-orgchart", str(path))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an uncaught error
    assert result.output.startswith(f"error: {expected}"), result.output
    assert "Traceback" not in result.output
    assert saved_organizations(db_url) == []
    assert run("--database", db_url, "load-orgchart", str(CHART_A)).exit_code == 0


def test_load_orgchart_refuses_a_comment_with_a_control_character(db_url: str) -> None:
    assert run("--database", db_url, "init-db").exit_code == 0
    result = run("--database", db_url, "load-orgchart", str(CHART_A), "--comment", "调整\x1b[2J")
    assert result.exit_code == 1
    assert result.output.startswith("error: --comment: contains a control character, U+001B")


def test_check_lists_a_non_utf8_file_as_an_org_chart_error(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(GBK)
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "ORG CHART ERROR gbk.yaml: line 3: not UTF-8 text" in result.output
