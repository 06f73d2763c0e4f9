"""A bureau adds a process with a BPMN file and one org chart line: no Python (docs/processes.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

from support import CHART_A, PROCESSES, ROOT, make_app, pick, step, walk

from approvals.app import Approvals

TUTORIAL = ROOT / "tests" / "fixtures" / "info_release_xx.bpmn"


def _bureau_with_new_process(tmp_path: Path) -> Approvals:
    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES, processes)
    shutil.copy(TUTORIAL, processes / "info_release_xx.bpmn")
    chart = tmp_path / "chart.yaml"
    text = CHART_A.read_text(encoding="utf-8")
    text = text.replace("    leave: leave_xx", "    info_release: info_release_xx\n    leave: leave_xx", 1)
    assert "info_release: info_release_xx" in text
    chart.write_text(text, encoding="utf-8")
    return make_app(f"sqlite:///{tmp_path}/new.sqlite3", chart, processes=processes)


def test_the_tutorial_file_is_the_one_in_the_docs() -> None:
    assert TUTORIAL.read_text(encoding="utf-8").strip() in (ROOT / "docs" / "processes.md").read_text(encoding="utf-8")


def test_a_new_process_routes_end_to_end_with_zero_python(tmp_path: Path) -> None:
    app = _bureau_with_new_process(tmp_path)
    chart = app.orgcharts.current("xx-nrpb")
    drafter = pick(chart, "staff", "section", county=True)
    publicity = chart.units[chart.duties["publicity"]].head
    fields = {"title": "关于做好元旦假期疫情防控的通知", "channel": "门户网站", "content": "各科室……"}

    ordinary = [step("approve", "unit_head", chart.unit_of(drafter).head), step("file", "duty:publicity", publicity)]
    assert app.service.preview(drafter, "info_release", fields).as_json()["steps"] == ordinary
    assert walk(app, app.service.submit(drafter, "info_release", fields)) == ordinary

    sensitive = {**fields, "sensitive": "true"}
    expected = [ordinary[0], step("approve", "chief", chart.posts["chief"]), ordinary[1]]
    assert walk(app, app.service.submit(drafter, "info_release", sensitive)) == expected
    app.db.dispose()


def test_a_request_in_flight_stays_on_the_process_version_it_started_with(tmp_path: Path) -> None:
    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES, processes)
    app = make_app(f"sqlite:///{tmp_path}/v.sqlite3", CHART_A, processes=processes)
    chart = app.orgcharts.current("xx-nrpb")
    applicant = pick(chart, "staff", "section", county=True, supervised_by_organ_leader=False)
    fields = {"destination": "北京", "depart_on": "2026-12-01", "return_on": "2026-12-03", "reason": "探亲"}
    in_flight = app.service.submit(applicant, "leave", fields)

    # The bureau edits the route: the organ leader's step now goes to the chief.
    path = processes / "leave_xx.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'camunda:candidateGroups="organ_leader"', 'camunda:candidateGroups="chief"'), encoding="utf-8")
    app.definitions.reload()

    old_route = [s["assignees"][0] for s in walk(app, in_flight, {"actual_return_on": "2026-12-03",
                                                                  "itinerary": "北京"})]
    assert chart.posts["organ_leader"] in old_route and chart.posts["chief"] not in old_route
    new_route = app.service.preview(applicant, "leave", fields).as_json()["steps"]
    assert chart.posts["chief"] in [s["assignees"][0] for s in new_route]
    app.db.dispose()
