"""The one place conditions are evaluated: BPMN gateways and ``required_if`` share it.

Conditions are written by bureaus in BPMN files (docs/processes.md); keeping a single
environment means a form rule and a route rule can never disagree about a variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def days_between(a: date | str | None, b: date | str | None) -> int | None:
    """Whole days from ``a`` to ``b``; None when either is unknown (a preview may omit dates)."""
    first, second = _as_date(a), _as_date(b)
    if first is None or second is None:
        return None
    return (second - first).days


FUNCTIONS: dict[str, Any] = {"days_between": days_between}


def script_engine() -> PythonScriptEngine:
    return PythonScriptEngine(environment=TaskDataEnvironment(dict(FUNCTIONS)))


def evaluate(expression: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate a condition outside a workflow (form rules), with the gateways' environment."""
    scope: dict[str, Any] = dict(FUNCTIONS)
    scope.update(variables)
    return eval(expression, scope)  # noqa: S307 - expressions come from the bureau's own BPMN
