"""The safe expression language against the ``eval`` it replaced (issue 12 §2).

Two figures: one evaluation of every condition of the shipped processes (microseconds), and
the section-staff leave run in bare SpiffWorkflow (start + three decisions, the engine's own
spec cache and serializer) with each script engine, interleaved round by round. The step
ratio is the one with a goal: the safe evaluator may cost at most 5% per workflow step.
Bare Spiff is the smallest step there is, so the ratio is an upper bound for the engine's.

    .venv/bin/python -m benchmarks.expressions        # these figures alone (a few seconds)
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from approvals.people.orgchart.loader import load_orgchart
from approvals.process.definitions import NS, DefinitionRegistry
from approvals.process.engine import _SCRIPT_ENGINE as SAFE
from approvals.process.expressions import FUNCTIONS, compile_expression
from approvals.process.routes import request_variables
from benchmarks.stats import Figure, summarize
from benchmarks.workload import CHART, FIELDS, ROOT, bare_flow

# What approvals/process/expressions.py ran before: Python eval with full builtins.
OLD_EVAL = PythonScriptEngine(environment=TaskDataEnvironment({n: f for n, (f, _) in FUNCTIONS.items()}))


def _inputs() -> tuple[Any, dict[str, Any], list[str]]:
    registry = DefinitionRegistry(ROOT / "processes")
    chart = load_orgchart(CHART)
    definition = registry.get(chart.organization.processes["leave"])
    who = next(p for p in chart.people if chart.category(p, uses_county_cadre=True) == "staff"
               and chart.unit_of(p).kind == "section")
    variables = request_variables(chart, definition, who, FIELDS, date(2026, 12, 1))
    conditions = [e.text for d in registry.all() for e in etree.fromstring(d.xml.encode()).iter(
        f"{{{NS['bpmn']}}}conditionExpression")]
    return definition, variables, conditions


def _per_evaluation_us(conditions: list[str], variables: dict[str, Any], rounds: int) -> tuple[list[float], ...]:
    scope = {**variables, "participants": 60, "large_meeting": 50, "affiliated_meeting_consent": 30,
             "min_notice_days": 3, "sensitive": False}
    safe, old = [], []
    builtins_scope = {n: f for n, (f, _) in FUNCTIONS.items()}
    for _ in range(rounds):
        start = time.perf_counter()
        for text in conditions:
            compile_expression(text)(scope)
        safe.append((time.perf_counter() - start) * 1e6 / len(conditions))
        start = time.perf_counter()
        for text in conditions:
            eval(text, {**builtins_scope, **scope})  # noqa: S307 - the old way, measured
        old.append((time.perf_counter() - start) * 1e6 / len(conditions))
    return safe, old


def _step_ms(definition: Any, variables: dict[str, Any], engine: Any, flows: int) -> float:
    """Mean ms per workflow step over ``flows`` whole routes (4 steps each)."""
    return sum(sum(bare_flow(definition, variables, engine)) for _ in range(flows)) / (4 * flows)


def safe_evaluator(rounds: int = 40) -> list[Figure]:
    definition, variables, conditions = _inputs()
    safe_us, old_us = _per_evaluation_us(conditions, variables, rounds * 25)
    _step_ms(definition, variables, SAFE, 5)
    _step_ms(definition, variables, OLD_EVAL, 5)
    safe, old = [], []
    for _ in range(rounds):  # interleaved, so both see the same machine
        safe.append(_step_ms(definition, variables, SAFE, 5))
        old.append(_step_ms(definition, variables, OLD_EVAL, 5))
    ratio = summarize("safe_evaluator_step_over_old_eval_ratio", [s / o for s, o in zip(safe, old, strict=True)],
                      "x", goal="<= 1.05")
    ratio.met = ratio.median <= 1.05
    return [summarize("condition_eval_us_safe_evaluator", safe_us, "us"),
            summarize("condition_eval_us_old_python_eval", old_us, "us"),
            summarize("workflow_step_ms_safe_evaluator", safe, "ms"),
            summarize("workflow_step_ms_old_python_eval", old, "ms"), ratio]


if __name__ == "__main__":
    for figure in safe_evaluator():
        print(figure.line(), flush=True)
