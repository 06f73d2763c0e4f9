"""What docs/processes.md promises process authors agrees with what the checks accept
(issue 19, point 21)."""

from __future__ import annotations

import re
from pathlib import Path

from approvals.process.definition_checks import REQUEST_VARIABLES

PROCESSES_MD = Path(__file__).resolve().parents[2] / "docs" / "processes.md"


def _section(title: str) -> str:
    text = PROCESSES_MD.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_the_expressions_section_names_every_request_variable_a_condition_may_read() -> None:
    section = " ".join(_section("Expressions").split())
    listed = re.search(r"one of the request variables \(([^)]*)\)", section)
    assert listed is not None
    assert re.findall(r"`(\w+)`", listed.group(1)) == list(REQUEST_VARIABLES)


def test_the_variables_table_lists_every_request_variable() -> None:
    table = _section("Variables a condition can read")
    names = {n for cell in re.findall(r"^\| ([^|]+) \|", table, re.M) for n in re.findall(r"`(\w+)`", cell)}
    assert set(REQUEST_VARIABLES) <= names
