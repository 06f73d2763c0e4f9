"""Random and mutated YAML either loads or raises OrgChartError: never another exception
(a crash the CLI would print as a traceback and the admin page as a 500). Bounded, so it
runs in the ordinary suite: a few hundred examples, no deadline."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import CHART_B

from approvals.errors import OrgChartError
from approvals.people.orgchart import parse_orgchart

GOOD = CHART_B.read_text(encoding="utf-8")
YAML_BITS = ["\n", "  ", "- ", ": ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!!binary ",
             "? ", "|\n", ">\n", '"', "'", "\\u", "\\0", "#", "---\n", "...\n", "<<: ", "%YAML 1.1\n",
             "2021-02-30", "0x1F", ".inf", "null", "~", "id", "units", "people", "head", "\t",
             "\x00", "\ud800", "\u202e", "\ufeff", "\ufffe", "\x85", "赵磊"]


def loads_or_refuses(text: str) -> None:
    try:
        parse_orgchart(text, "fuzz.yaml", known_processes={"leave_cq", "meeting_cq"})
    except OrgChartError as exc:
        assert str(exc).startswith("fuzz.yaml: ")


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """The shipped chart with a few slices replaced by YAML syntax, odd characters or noise."""
    text = GOOD
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        insert = draw(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=12)))
        text = text[:start] + insert + text[end:]
    return text


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)


@FUZZ
@given(mutated())
def test_a_mutated_chart_loads_or_is_refused_with_an_org_chart_error(text: str) -> None:
    loads_or_refuses(text)


@FUZZ
@given(st.lists(st.sampled_from(YAML_BITS) | st.text(max_size=8), max_size=40).map("".join))
def test_random_yaml_pieces_load_or_are_refused_with_an_org_chart_error(text: str) -> None:
    loads_or_refuses(text)
