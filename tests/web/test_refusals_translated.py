"""Every refusal the engine raises that can reach a page reads in the page's language (issue 19,
point 13): the test walks each ``raise`` of an action's refusal in approvals/, builds the
message it would carry, and has the page's words for it (web/messages.py, web/refusals.py)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from flask import Flask
from webkit import client_for, submit_leave, text

from approvals import errors
from approvals.app import Approvals
from approvals.notifications.urges import TooSoonError
from approvals.process.deadlines import ReportNotOpenError
from web import messages

ROOT = Path(__file__).resolve().parents[2]
# Refusals of an action that web/messages.explain words from the message itself. NotPermitted
# and Unknown errors answer 403/404 pages of their own; Conflict one sentence (web/messages.py).
WORDED = ("InvalidStateError", "ApprovalsError")
# Modules whose errors never reach a page: the command line, loading files, start-up settings.
OFF_PAGE = ("cli", "audit_cli", "check.py", "worker.py", "notifications/jobs.py", "orgchart/")
SAMPLES = {"status": "completed", "kind": "report", "name": "科室负责人审批", "actor": "jiang.tao",
           "doing": "transferred", "who": "陈刚"}
ENGLISH = re.compile(r"\b[a-zA-Z]{3,}[ ,;:]+[a-zA-Z]{3,}\b")


def _sample(node: ast.expr) -> str:
    """The text of one ``{...}`` in an f-string, as a real refusal would carry it."""
    source = ast.unparse(node)
    if source.endswith("_ENV"):  # a setting's name
        return "APPROVALS_URGE_INTERVAL_HOURS"
    if "id" in source.split(".")[-1]:
        return "13"
    for hint, value in SAMPLES.items():
        if hint in source:
            return value
    return "x"


def _message(arg: ast.expr) -> str | None:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr):
        parts = []
        for value in arg.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                spec = ast.unparse(value.format_spec) if value.format_spec else ""
                sample = "2026-12-01 09:00" if "%Y" in spec else _sample(value.value)
                parts.append(repr(sample) if value.conversion == ord("r") else sample)
        return "".join(parts)
    return None


def refusals() -> Iterator[tuple[str, str, str]]:
    """(where, error class, message) of every refusal raised with its words in the source."""
    for path in sorted((ROOT / "approvals").rglob("*.py")):
        where = path.relative_to(ROOT / "approvals").as_posix()
        if any(where.startswith(p) or where == p for p in OFF_PAGE):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                    and isinstance(node.exc.func, ast.Name) and node.exc.func.id in WORDED and node.exc.args):
                message = _message(node.exc.args[0])
                if message is not None:
                    yield f"{where}:{node.lineno}", node.exc.func.id, message


def test_the_walk_finds_the_refusals_the_issue_named() -> None:
    found = [message for _, _, message in refusals()]
    assert "request #13 is completed; only a request in progress is terminated" in found
    assert len(found) >= 25


def test_every_refusal_reaching_a_page_reads_in_chinese(web: Flask) -> None:
    untranslated = []
    cases = [(where, getattr(errors, kind)(message)) for where, kind, message in refusals()]
    cases += [("deadlines.py ReportNotOpenError", ReportNotOpenError(date(2026, 12, 1), date(2026, 11, 23))),
              ("urges.py TooSoonError", TooSoonError(13, datetime(2026, 11, 23, 9), datetime(2026, 11, 24, 9)))]
    with web.test_request_context():
        for where, exc in cases:
            words = messages.explain(exc)
            if ENGLISH.search(words) or "无法完成。请刷新" in words:
                untranslated.append(f"{where}: {exc} -> {words}")
    assert not untranslated, "\n".join(untranslated)


def test_terminating_a_completed_request_is_refused_in_chinese(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, "shen.yue")
    engine.service.withdraw(request_id, "shen.yue")
    admin = client_for(web, "feng.jie")
    page = text(admin.post("/terminate", data={"request_id": str(request_id), "reason": "重复提交"}))
    assert f"申请 #{request_id} 状态为“已撤回”：只有审批中的申请才能终止。" in page
    assert "only a request in progress" not in page
