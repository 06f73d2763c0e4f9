"""Request fields are checked against the process's own field definitions, every issue at once."""

from __future__ import annotations

import pytest

from approvals.errors import FieldError
from approvals.process.forms import FieldDef, validate

LEAVE = (
    FieldDef("destination", "string", "目的地", required=True),
    FieldDef("depart_on", "date", "出发日期", required=True, min="today"),
    FieldDef("return_on", "date", "返回日期", required=True, min="depart_on"),
    FieldDef("participants", "long", "人数", min="1"),
    FieldDef("plan", "attachment", "防控方案", required_if="participants is not None and participants >= 50"),
    FieldDef("level", "enum", "风险等级", options=(("中风险", "中风险"), ("高风险", "高风险"))),
)


def problems(raw: dict[str, object], partial: bool = False) -> list[str]:
    with pytest.raises(FieldError) as info:
        validate(LEAVE, raw, today="2026-11-23", partial=partial)
    return [str(i) for i in info.value.issues]


def test_values_are_converted_to_their_types() -> None:
    values = validate(LEAVE, {"destination": " 北京 ", "depart_on": "2026-12-01", "return_on": "2026-12-02",
                              "participants": "12"}, today="2026-11-23")
    assert values["destination"] == "北京" and values["participants"] == 12 and values["plan"] is None


def test_every_missing_required_field_is_reported_at_submission() -> None:
    found = problems({})
    assert any("'destination'" in p and "is required" in p for p in found)
    assert len([p for p in found if "is required" in p]) == 3


def test_the_preview_does_not_demand_fields_left_out() -> None:
    assert validate(LEAVE, {"destination": "北京"}, today="2026-11-23", partial=True)["depart_on"] is None


def test_a_return_before_departure_names_both_dates() -> None:
    found = problems({"destination": "x", "depart_on": "2026-12-05", "return_on": "2026-12-01"})
    assert found == ["field 'return_on' (返回日期): must not be before 2026-12-05 (found '2026-12-01')"]


def test_a_departure_in_the_past_is_refused() -> None:
    assert "must not be before 2026-11-23" in problems({"depart_on": "2026-11-01"}, partial=True)[0]


def test_a_malformed_date_and_number_are_both_reported() -> None:
    found = problems({"depart_on": "12/01/2026", "participants": "many"}, partial=True)
    assert any("YYYY-MM-DD" in p for p in found) and any("whole number" in p for p in found)


def test_the_plan_is_required_only_for_large_meetings() -> None:
    base = {"destination": "x", "depart_on": "2026-12-01", "return_on": "2026-12-01"}
    validate(LEAVE, {**base, "participants": "49"}, today="2026-11-23")
    assert any("'plan'" in p for p in problems({**base, "participants": "50"}))


def test_an_enum_value_outside_the_list_shows_the_list() -> None:
    assert "expected one of 中风险, 高风险" in problems({"level": "低风险"}, partial=True)[0]


def test_an_unknown_field_is_named_with_the_known_ones() -> None:
    assert "'destinaton'" in problems({"destinaton": "x"}, partial=True)[0]


ZERO_WIDTH = ["\u200b", "\u200b\u200c\u200d", " \u2060\ufeff ", "\u3164", "\u00ad\u200b"]


@pytest.mark.parametrize("invisible", ZERO_WIDTH)
def test_a_required_field_holding_only_zero_width_spaces_is_refused_as_empty(invisible: str) -> None:
    found = problems({"destination": invisible, "depart_on": "2026-12-01", "return_on": "2026-12-02"})

    [only] = found
    assert only.startswith("field 'destination' (目的地): is required: it holds only invisible characters (U+")


def test_zero_width_spaces_in_an_optional_field_are_stored_as_nothing() -> None:
    values = validate(LEAVE, {"destination": "北京", "depart_on": "2026-12-01", "return_on": "2026-12-02",
                              "level": "\u200b"}, today="2026-11-23")
    assert values["level"] is None


def test_a_zero_width_space_inside_real_text_is_kept() -> None:
    values = validate(LEAVE, {"destination": "北\u200b京", "depart_on": "2026-12-01", "return_on": "2026-12-02"},
                      today="2026-11-23")
    assert values["destination"] == "北\u200b京"
