"""Operations racing each other or a decision: one winner, and a clean ConflictError for the
other, on SQLite and PostgreSQL. The interleaving is forced: the first action pauses while it
holds the request's lock, and the second starts then (as in the withdraw-versus-decide test)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from operations_support import leave, only_open, waiting

from approvals.app import Approvals
from approvals.errors import ApprovalsError
from approvals.store import rows


def _race(monkeypatch: pytest.MonkeyPatch, lock_reader: str, first: Callable[[], Any],
          second: Callable[[], Any]) -> dict[str, str]:
    """Run ``first`` in a thread until it has read (and locked) through ``rows.<lock_reader>``,
    then ``second`` here while ``first`` pauses holding the lock; both outcomes by name."""
    locked, outcomes = threading.Event(), {}
    real = getattr(rows, lock_reader)
    owner: list[int] = []

    def read_then_pause(*args: Any, **kwargs: Any) -> Any:
        row = real(*args, **kwargs)
        if not owner:
            owner.append(threading.get_ident())
        if owner[0] == threading.get_ident() and not locked.is_set():
            locked.set()
            time.sleep(0.5)  # the second action starts now, while the first holds the request
        return row

    monkeypatch.setattr(rows, lock_reader, read_then_pause)

    def act(name: str, action: Callable[[], Any]) -> None:
        try:
            action()
            outcomes[name] = "ok"
        except ApprovalsError as exc:
            outcomes[name] = type(exc).__name__

    thread = threading.Thread(target=act, args=("first", first))
    thread.start()
    locked.wait(5)
    act("second", second)
    thread.join()
    return outcomes


def test_a_transfer_racing_the_holders_decision_gives_one_winner(
        app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    outcomes = _race(monkeypatch, "task_and_request",
                     lambda: app.service.transfer(task.id, case.head, case.colleague, "熟悉情况"),
                     lambda: app.service.decide(task.id, case.head, "approve", ""))
    assert outcomes == {"first": "ok", "second": "ConflictError"}
    assert waiting(app, case.request_id) == [("科室主要负责人签字", case.colleague)]


def test_a_decision_racing_a_transfer_gives_one_winner(app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    outcomes = _race(monkeypatch, "task_and_request",
                     lambda: app.service.decide(task.id, case.head, "approve", ""),
                     lambda: app.service.transfer(task.id, case.head, case.colleague, "熟悉情况"))
    assert outcomes == {"first": "ok", "second": "ConflictError"}
    assert waiting(app, case.request_id) == [("分管局领导审签", case.supervisor)]


def test_two_adds_at_once_give_one_added_approver(app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    case = leave(app)
    task = only_open(app, case.request_id)
    outcomes = _race(monkeypatch, "task_and_request",
                     lambda: app.service.add_approver(task.id, case.head, case.colleague, "before", "请核实"),
                     lambda: app.service.add_approver(task.id, case.head, case.supervisor, "before", "请把关"))
    assert outcomes == {"first": "ok", "second": "ConflictError"}
    assert waiting(app, case.request_id) == [("科室主要负责人签字", case.head), ("科室主要负责人签字", case.colleague)]


def test_a_take_back_racing_the_next_approvers_decision_gives_one_winner(
        app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    case = leave(app)
    app.service.decide(only_open(app, case.request_id).id, case.head, "approve", "")
    next_task = only_open(app, case.request_id)
    outcomes = _race(monkeypatch, "request",
                     lambda: app.service.take_back(case.request_id, case.head),
                     lambda: app.service.decide(next_task.id, case.supervisor, "approve", ""))
    assert outcomes == {"first": "ok", "second": "ConflictError"}
    assert waiting(app, case.request_id) == [("科室主要负责人签字", case.head)]


def test_the_next_approvers_decision_racing_a_take_back_gives_one_winner(
        app: Approvals, monkeypatch: pytest.MonkeyPatch) -> None:
    case = leave(app)
    app.service.decide(only_open(app, case.request_id).id, case.head, "approve", "")
    next_task = only_open(app, case.request_id)
    outcomes = _race(monkeypatch, "task_and_request",
                     lambda: app.service.decide(next_task.id, case.supervisor, "approve", ""),
                     lambda: app.service.take_back(case.request_id, case.head))
    assert outcomes == {"first": "ok", "second": "ConflictError"}
    assert waiting(app, case.request_id) == [("分管机关的局领导审批", "li.ming")]  # the leader's approval stands
