"""A 会签 step of five people next to a single step, through the engine API on SQLite.

Two one-step processes on policy A's chart, run interleaved round by round: the chief
approves (single), or the five members of the party group all approve at once
(``members:leadership``, multi-instance). Figures per action (submit; one decision) and for
the whole step (submit and every decision), with the ratio group over single.

    .venv/bin/python -m benchmarks.groups        # these figures alone (a few seconds)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from approvals.app import Approvals, build
from approvals.clock import SystemClock
from benchmarks.stats import Figure, summarize
from benchmarks.workload import CHART, ROOT

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{id}" targetNamespace="http://approvals.example/bpmn">
  <bpmn:process id="{id}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="sign" name="审批" camunda:candidateGroups="{role}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>{loop}
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sign"/>
    <bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""
KINDS = {"single": ("chief", ""),
         "countersign_5": ("members:leadership", '<bpmn:multiInstanceLoopCharacteristics isSequential="false"/>')}
APPLICANT = "sun.li"  # 规划科科员: in neither the chief's post nor the party group


def _app(tmp: Path) -> Approvals:
    processes = tmp / "group-processes"
    shutil.copytree(ROOT / "processes", processes, dirs_exist_ok=True)  # the chart names the shipped ones too
    for kind, (role, loop) in KINDS.items():
        (processes / f"{kind}.bpmn").write_text(PROCESS.format(id=kind, role=role, loop=loop), encoding="utf-8")
    text = CHART.read_text(encoding="utf-8").replace(
        "    leave: leave_xx", "".join(f"    {k}: {k}\n" for k in KINDS) + "    leave: leave_xx", 1)
    app = build(f"sqlite:///{tmp}/groups.sqlite3", processes, SystemClock())
    app.init_db()
    app.admin.save(text, "bench", "xx-groups.yaml")
    return app


def _step(app: Approvals, kind: str) -> tuple[float, list[float]]:
    """Submit, then every open task approved by its holder: ms for the submit and each decision."""
    clock = time.perf_counter
    start = clock()
    request_id = app.service.submit(APPLICANT, kind, {})
    submit = (clock() - start) * 1000
    decisions = []
    for task in [t for t in app.queries.steps(request_id) if t.is_open]:
        start = clock()
        app.service.decide(task.id, task.assignee, "approve", "")
        decisions.append((clock() - start) * 1000)
    return submit, decisions


def group_figures(tmp: Path, rounds: int) -> list[Figure]:
    app = _app(tmp)
    for _ in range(3):  # warm the definition cache and the database
        for kind in KINDS:
            _step(app, kind)
    runs: dict[str, list[tuple[float, list[float]]]] = {kind: [] for kind in KINDS}
    for _ in range(rounds):
        for kind in KINDS:
            runs[kind].append(_step(app, kind))
    app.db.dispose()
    figures = []
    for kind, samples in runs.items():
        figures.append(summarize(f"{kind}_submit_ms", [s for s, _ in samples], "ms"))
        figures.append(summarize(f"{kind}_decide_ms", [d for _, ds in samples for d in ds], "ms"))
        figures.append(summarize(f"{kind}_whole_step_ms", [s + sum(ds) for s, ds in samples], "ms"))
    whole = [(s + sum(ds)) / (s1 + sum(d1)) for (s, ds), (s1, d1) in zip(runs["countersign_5"], runs["single"],
                                                                          strict=True)]
    figures.append(summarize("countersign_5_whole_step_over_single_ratio", whole, "x"))
    return figures


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    for figure in group_figures(Path(tempfile.mkdtemp(prefix="approvals-groups-")), rounds):
        print(figure.line())
