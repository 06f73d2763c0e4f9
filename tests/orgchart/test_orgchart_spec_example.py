"""A chart written by hand against the spec's example loads: the contract in
../shared/specs/orgchart-format.md ("a file written by hand against it must load")."""

from __future__ import annotations

from pathlib import Path

import pytest

from approvals.people.orgchart import parse_orgchart

# Copied verbatim from the example block in orgchart-format.md.
SPEC_EXAMPLE = """\
organization:
  id: xx-nrpb                      # slug [a-z0-9-]+, unique per deployment
  name: XX市自然资源和规划局
  processes:                       # request type -> BPMN process id (in processes/)
    leave: leave_xx                #   the route policy of this organization
    meeting: meeting_xx

units:
  - id: leadership                 # slug [a-z0-9._-]+
    name: 局领导班子
    kind: leadership               # leadership | section | affiliated | contractor
  - id: planning
    name: 规划科
    kind: section                  # section    = 机关科室 / 处室 (the bureau organ)
    head: zhao.lei                 # affiliated = 直属单位 / 局属单位
    deputies: [qian.hong]          # contractor = 外包或驻局企业 (property, canteen, tenants)
    supervisor: li.ming            # 分管局领导: a person of the leadership unit (optional;
                                   #   a route that needs a missing supervisor is refused)
                                   # head: 主要负责人; null or absent = vacant
                                   # deputies: 其他负责人 (optional, default [])

people:
  - id: zhao.lei                   # slug [a-z0-9._-]+; also the login name
    name: 赵磊
    unit: planning                 # exactly one unit
    title: 科长                     # free text, shown in the UI (optional)
    grade: county                  # optional; county = 县级干部 (county-level cadre)

posts:                             # single-holder posts; null = vacant
  chief: wang.jun                  # 局主要负责人 / 局主要领导 (the director)
  organ_leader: li.ming            # 分管机关的局领导 (leader in charge of the organ)

duties:                            # functional duties, each held by a unit; an open
                                   #   mapping: a bureau may add its own (e.g. publicity)
                                   #   and processes refer to any as duty:<name>
  filing: hr                       # 备案: registers approved leave, receives return reports
  discipline: discipline           # 抄送: discipline inspection (机关纪委 / 驻局纪检监察组)
  epidemic_office: office          # 疫情防控领导小组办公室: consents to large unit meetings
  higher_authority: office         # records decisions of 市委/市政府 on the chief's own leave
"""

# The example names units and people it does not define; a real file would define them.
MORE_UNITS = """\
  - id: hr
    name: 人事科
    kind: section
  - id: discipline
    name: 机关纪委
    kind: section
  - id: office
    name: 办公室
    kind: section
"""

MORE_PEOPLE = """\
  - id: wang.jun
    name: 王军
    unit: leadership
  - id: li.ming
    name: 李明
    unit: leadership
  - id: qian.hong
    name: 钱红
    unit: planning
"""


def completed_example() -> str:
    return (SPEC_EXAMPLE.replace("\npeople:", "\n" + MORE_UNITS + "\npeople:")
            .replace("\nposts:", "\n" + MORE_PEOPLE + "\nposts:"))


def test_the_spec_example_with_its_referenced_units_and_people_added_loads() -> None:
    chart = parse_orgchart(completed_example(), "spec-example.yaml",
                           known_processes=["leave_xx", "meeting_xx"])
    assert chart.id == "xx-nrpb"
    planning = chart.units["planning"]
    assert (planning.head, planning.deputies, planning.supervisor) == (
        "zhao.lei", ("qian.hong",), "li.ming")
    assert chart.people["zhao.lei"].grade == "county"
    assert dict(chart.posts) == {"chief": "wang.jun", "organ_leader": "li.ming"}
    assert dict(chart.duties) == {"filing": "hr", "discipline": "discipline",
                                  "epidemic_office": "office", "higher_authority": "office"}


def test_the_additions_are_the_only_change_to_the_example() -> None:
    stripped = completed_example().replace(MORE_UNITS + "\n", "").replace(MORE_PEOPLE + "\n", "")
    assert stripped == SPEC_EXAMPLE


def test_the_copy_matches_the_spec_when_the_spec_is_at_hand() -> None:
    spec = Path(__file__).resolve().parents[3] / "shared" / "specs" / "orgchart-format.md"
    if not spec.exists():
        pytest.skip(f"{spec} is not part of this checkout")
    assert f"```yaml\n{SPEC_EXAMPLE}```" in spec.read_text(encoding="utf-8")
