"""Hostile or broken org chart text is refused with the file and line, never a crash or a
long computation: control characters, escapes that make them, nesting, alias bombs, size,
encodings (issue 12, Inputs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import CHART_A

from approvals.errors import OrgChartError
from approvals.people.orgchart import load_orgchart, parse_orgchart
from approvals.people.orgchart.yamlread import MAX_BYTES, MAX_DEPTH, MAX_NODES

GOOD = CHART_A.read_text(encoding="utf-8")
NAME_LINE = next(n for n, t in enumerate(GOOD.splitlines(), 1) if "name: 赵磊" in t)
NAME_COLUMN = GOOD.splitlines()[NAME_LINE - 1].index("name: 赵磊") + 1


def refused(text: str, source: str = "chart.yaml") -> str:
    with pytest.raises(OrgChartError) as caught:
        parse_orgchart(text, source)
    message = str(caught.value)
    assert message.startswith(f"{source}: "), message
    return message


@pytest.mark.parametrize(("char", "what"), [
    ("\x00", "NUL character, U+0000"),
    ("\x07", "control character, U+0007"),
    ("\x1b", "control character, U+001B"),
    ("\x85", "control character, U+0085"),
    ("\u202e", "bidirectional-text control"),
    ("\u2066", "bidirectional-text control"),
])
def test_a_hidden_character_in_the_file_is_refused_at_its_line_and_column(char: str, what: str) -> None:
    message = refused(GOOD.replace("name: 赵磊", f"name: 赵{char}磊"))
    column = NAME_COLUMN + len("name: 赵")  # the hidden character itself
    assert f"line {NAME_LINE}, column {column}: the file contains a {what}" in message


def test_tab_newline_and_carriage_return_are_ordinary_text() -> None:
    chart = parse_orgchart(GOOD.replace("\n", "\r\n").replace("title: 科长", "title: \"科\t长\""))
    assert chart.people["zhao.lei"].title == "科\t长"


@pytest.mark.parametrize(("escape", "what"), [
    ("\\0", "NUL character"),
    ("\\x07", "control character"),
    ("\\ud800", "lone surrogate"),
    ("\\u202e", "bidirectional-text control"),
])
def test_a_yaml_escape_that_makes_a_hidden_character_is_refused(escape: str, what: str) -> None:
    message = refused(GOOD.replace("name: 赵磊", f'name: "赵{escape}磊"'))
    column = NAME_COLUMN + len("name: ")  # where the quoted value starts
    assert f"line {NAME_LINE}, column {column}: this value contains a {what}" in message


def test_a_thousand_levels_of_nesting_are_refused_at_the_level_past_the_limit() -> None:
    message = refused("units: " + "[" * 1000 + "]" * 1000)
    assert f"line 1, column 15: nested more than {MAX_DEPTH} levels deep" in message
    block = "- " * 1000 + "x\n"  # a list in a list in a list ..., one line
    assert f"line 1, column 17: nested more than {MAX_DEPTH} levels deep" in refused(block)


def test_an_alias_bomb_is_refused_at_its_first_anchor() -> None:
    layers = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    layers += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 40)]
    bomb = "\n".join(layers)  # 9**40 "lol"s if expanded; the 5.8 kB one cost 87 s
    assert "line 1, column 5: anchors (&name) and aliases (*name) are not accepted" in refused(bomb)


def test_a_plain_alias_or_merge_key_is_refused_too() -> None:
    shared = GOOD.replace("kind: section", "kind: &k section", 1).replace("kind: section", "kind: *k")
    assert "anchors (&name) and aliases (*name) are not accepted" in refused(shared)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    assert f"larger than {MAX_BYTES:,} bytes" in refused("# " + "x" * MAX_BYTES)


def test_too_many_values_are_refused_where_the_limit_is_passed() -> None:
    message = refused("units: [" + "a," * MAX_NODES + "a]")
    assert f"more than {MAX_NODES:,} keys, values and list items" in message


def test_a_thousand_problems_are_listed_as_the_first_fifty_and_a_count() -> None:
    many = "units:\n" + "".join(f"  - id: U{i}\n" for i in range(1000))
    message = refused(many)
    assert "more problems not listed; fix these first" in message
    assert message.count("units[") < 120


def test_a_character_yaml_itself_refuses_is_reported_with_its_line() -> None:
    assert "line 3: not valid YAML" in refused("organization:\n  id: x\n  name: \ufffe\n")


def test_a_file_that_is_not_utf8_names_the_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("organization:\n  id: x\n  name: 自然资源局\n".encode("gbk"))
    with pytest.raises(OrgChartError) as caught:
        load_orgchart(path)
    assert str(caught.value).startswith("gbk.yaml: line 3: not UTF-8 text (byte 30, value 0xd7)")


def test_the_shipped_charts_still_load() -> None:
    assert parse_orgchart(GOOD).people["zhao.lei"].name == "赵磊"
