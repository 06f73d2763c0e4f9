"""Limits every form field has even when the process sets none (docs/processes.md, "Field
limits"): text length, hidden characters, ASCII digits, number and date ranges. Each refusal
names the field and repeats the value (issue 12: a leave to 9999-12-31 and 10**30
participants were accepted)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import PROCESSES, leave_fields, meeting_fields

from approvals.errors import FieldError
from approvals.process.definitions import DefinitionRegistry
from approvals.process.forms import FieldDef, validate
from approvals.text import problem

REGISTRY = DefinitionRegistry(PROCESSES)
LEAVE = REGISTRY.get("leave_xx").fields
MEETING = tuple(f for f in REGISTRY.get("meeting_xx").fields if f.type != "attachment")
TODAY = "2026-11-23"


def refusal(fields: tuple[FieldDef, ...], raw: dict[str, Any]) -> str:
    with pytest.raises(FieldError) as caught:
        validate(fields, raw, today=TODAY)
    [issue] = caught.value.issues
    return str(issue)


def test_a_leave_to_the_year_9999_is_refused() -> None:
    assert refusal(LEAVE, leave_fields(return_on="9999-12-31")) == (
        "field 'return_on' (返孝日期): must not be after 2100-12-31 (found '9999-12-31')")


def test_a_date_before_1900_is_refused_where_the_process_sets_no_lower_bound() -> None:
    fields = (FieldDef("born_on", "date", "出生日期"),)
    assert refusal(fields, {"born_on": "1899-12-31"}) == (
        "field 'born_on' (出生日期): must not be before 1900-01-01 (found '1899-12-31')")


def test_a_fixed_date_bound_in_the_process_replaces_the_default_range() -> None:
    fields = (FieldDef("archived_on", "date", "归档日期", max="2200-01-01"),)
    assert validate(fields, {"archived_on": "2150-06-01"}, today=TODAY) == {"archived_on": "2150-06-01"}


@pytest.mark.parametrize("written", ["２０２６-12-01", "20261201", "2026-W49-2", "٢٠٢٦-12-01"])
def test_a_date_is_written_yyyy_mm_dd_in_ascii_digits(written: str) -> None:
    assert refusal(LEAVE, leave_fields(depart_on=written)).startswith(
        f"field 'depart_on' (离孝日期): expected a date as YYYY-MM-DD (found {written!r})")


def test_ten_to_the_thirty_participants_are_refused() -> None:
    assert refusal(MEETING, meeting_fields(10**30)) == (
        "field 'participants' (参会人数): must be at most 1000000000 "
        "(found '1000000000000000000000000000000')")


def test_a_number_given_as_a_number_is_held_to_the_same_range() -> None:
    assert "must be at most 1000000000" in refusal(MEETING, {**meeting_fields(1), "participants": 10**12})


@pytest.mark.parametrize("written", ["１２", "1_000", "\u300012", "12\u00a0", "٣", "+-3", "1e3", "0x10"])
def test_a_whole_number_is_an_optional_sign_and_ascii_digits(written: str) -> None:
    found = refusal(MEETING, {**meeting_fields(1), "participants": written})
    assert found.startswith("field 'participants' (参会人数): expected a whole number (found ")


def test_ascii_spaces_around_a_number_are_fine() -> None:
    assert validate(MEETING, {**meeting_fields(1), "participants": " 60 "}, today=TODAY)["participants"] == 60


def test_a_string_field_holds_200_characters_unless_the_process_says_otherwise() -> None:
    assert validate(LEAVE, leave_fields(destination="北" * 200), today=TODAY)["destination"] == "北" * 200
    assert refusal(LEAVE, leave_fields(destination="北" * 201)).startswith(
        "field 'destination' (目的地): must have at most 200 characters (found '北北北")


def test_a_text_field_holds_5000_characters() -> None:
    assert refusal(LEAVE, leave_fields(reason="探" * 5001)).startswith(
        "field 'reason' (离孝事由): must have at most 5000 characters (found '探探")


def test_a_maxlength_in_the_process_replaces_the_default() -> None:
    fields = (FieldDef("note", "string", "备注", maxlength=500),)
    assert validate(fields, {"note": "a" * 400}, today=TODAY)["note"] == "a" * 400


@pytest.mark.parametrize(("char", "what"), [
    ("\x00", "a NUL character, U+0000"),
    ("\x1b", "a control character, U+001B"),
    ("\u202e", "a bidirectional-text control, which can disguise what the text says, "
               "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("\u2067", "a bidirectional-text control, which can disguise what the text says, "
               "U+2067 (RIGHT-TO-LEFT ISOLATE)"),
    ("\u200f", "a bidirectional-text control, which can disguise what the text says, "
               "U+200F (RIGHT-TO-LEFT MARK)"),
    ("\ud800", "a lone surrogate, which is not a character, U+D800"),
])
def test_hidden_characters_are_refused_in_every_text_field(char: str, what: str) -> None:
    assert refusal(LEAVE, leave_fields(reason=f"探亲{char}")) == (
        f"field 'reason' (离孝事由): contains {what}, at character 3; remove it (retyping the "
        f"text usually does) (found {f'探亲{char}'!r})")  # repr() shows the character escaped


def test_tabs_and_line_breaks_are_ordinary_text() -> None:
    assert validate(LEAVE, leave_fields(reason="探亲\n\t照顾父母\r\n"), today=TODAY)["reason"] == "探亲\n\t照顾父母"


def test_an_attachment_name_is_held_to_the_same_rules() -> None:
    fields = (FieldDef("plan", "attachment", "防控方案"),)
    assert "bidirectional-text control" in refusal(fields, {"plan": "方案\u202efdp.exe"})


FIELD_OF_EACH_TYPE = (
    FieldDef("s", "string", "s"), FieldDef("t", "text", "t"), FieldDef("n", "long", "n"),
    FieldDef("d", "date", "d"), FieldDef("b", "boolean", "b"),
    FieldDef("e", "enum", "e", options=(("a", "a"),)), FieldDef("f", "attachment", "f"),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from([f.name for f in FIELD_OF_EACH_TYPE]),
                       st.one_of(st.text(max_size=30), st.integers(), st.booleans(), st.none()),
                       max_size=7))
def test_any_value_of_any_field_is_converted_or_refused_with_a_field_error(raw: dict[str, Any]) -> None:
    try:
        values = validate(FIELD_OF_EACH_TYPE, raw, today=TODAY)
    except FieldError as exc:
        assert all(str(i).startswith("field '") for i in exc.issues)
    else:
        assert all(isinstance(v, str) and problem(v) is None for v in values.values() if isinstance(v, str))
