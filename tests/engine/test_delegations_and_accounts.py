"""Acting approvers ended early or withdrawn, overlapping ones refused; passwords changed by
their owner or reset by an admin (approvals/accounts.py)."""

from __future__ import annotations

from datetime import date

import pytest
from operations_support import counts, leave, only_open, waiting
from support import leave_fields

from approvals.app import Approvals
from approvals.errors import FieldError, NotPermittedError
from approvals.identity import credentials
from approvals.people.offices import AdminRights, Offices
from approvals.store.models import Delegation

TODAY = date(2026, 11, 23)  # support.NOW
ADMINS = Offices(AdminRights.parse("feng.jie"))


def _assignees(app: Approvals, request_id: int) -> list[str]:
    return [t.assignee for t in app.queries.steps(request_id) if t.is_open]


def _delegation_id(app: Approvals) -> int:
    with app.db.reading() as s:
        return max(d.id for d in s.query(Delegation).all())


def test_ending_a_delegation_early_gives_the_waiting_decisions_back(app: Approvals) -> None:
    app.service.delegate("jiang.tao", "he.ping", TODAY, date(2026, 11, 30))
    request_id = app.service.submit("shen.yue", "leave", leave_fields())
    assert _assignees(app, request_id) == ["he.ping"]

    moved = app.accounts.end_delegation(_delegation_id(app), "jiang.tao")

    assert moved == 1 and _assignees(app, request_id) == ["jiang.tao"]
    later = app.service.submit("shen.yue", "leave", leave_fields(destination="上海"))
    assert _assignees(app, later) == ["jiang.tao"]


def test_a_delegation_not_yet_begun_is_withdrawn_and_an_overlap_is_refused(app: Approvals) -> None:
    app.service.delegate("jiang.tao", "he.ping", date(2026, 12, 1), date(2026, 12, 5))

    with pytest.raises(FieldError, match="overlaps the delegation to he.ping"):
        app.service.delegate("jiang.tao", "shen.yue", date(2026, 12, 4), date(2026, 12, 8))

    app.accounts.end_delegation(_delegation_id(app), "jiang.tao")
    app.service.delegate("jiang.tao", "shen.yue", date(2026, 12, 4), date(2026, 12, 8))  # no overlap now


def test_only_the_principal_or_their_admin_ends_a_delegation(app: Approvals) -> None:
    app.service.delegate("jiang.tao", "he.ping", TODAY, date(2026, 11, 30))
    with pytest.raises(NotPermittedError):
        app.accounts.end_delegation(_delegation_id(app), "shen.yue", ADMINS)
    app.accounts.end_delegation(_delegation_id(app), "feng.jie", ADMINS)


def test_a_person_changes_their_own_password_with_the_current_one(app: Approvals) -> None:
    with app.db.transaction() as s:
        credentials.set_password(s, "shen.yue", "old-pass-1", app.clock.now())

    with pytest.raises(FieldError, match="current"):
        app.accounts.change_own_password("shen.yue", "wrong", "new-pass-22")
    with pytest.raises(FieldError, match="at least 8"):
        app.accounts.change_own_password("shen.yue", "old-pass-1", "short")
    app.accounts.change_own_password("shen.yue", "old-pass-1", "new-pass-22")

    assert credentials.check(app.db, "shen.yue", "new-pass-22")
    assert not credentials.check(app.db, "shen.yue", "old-pass-1")


def test_an_admin_resets_a_password_only_in_their_own_organization(app: Approvals) -> None:
    app.accounts.reset_password("shen.yue", "temp-pass-9", "feng.jie", ADMINS)
    assert credentials.check(app.db, "shen.yue", "temp-pass-9")
    cq_person = next(iter(app.orgcharts.current("cq-mca").people))
    with pytest.raises(NotPermittedError):
        app.accounts.reset_password(cq_person, "temp-pass-9", "feng.jie", ADMINS)


# A disabled account holds no task (docs/security.md, "One person, one signature in a round"):
# 何平 (he.ping, of 蒋涛's section) may no longer sign in.

def _disable(app: Approvals, person: str) -> None:
    credentials.set_disabled(app.db, person, True, "feng.jie", app.clock.now())


def test_a_task_is_not_transferred_or_added_to_someone_whose_account_is_disabled(app: Approvals) -> None:
    case = leave(app)
    _disable(app, case.colleague)
    name = app.orgcharts.current("xx-nrpb").display_name(case.colleague)
    task = only_open(app, case.request_id)
    before = counts(app)
    with pytest.raises(FieldError, match=f"{name} \\({case.colleague}\\) has a disabled account") as err:
        app.service.transfer(task.id, case.head, case.colleague, "熟悉情况")
    assert [(i.where, i.value) for i in err.value.issues] == [("to", case.colleague)]
    for mode in ("before", "after"):
        with pytest.raises(FieldError, match=f"{name} \\({case.colleague}\\) has a disabled account"):
            app.service.add_approver(task.id, case.head, case.colleague, mode, "请核实")
    assert counts(app) == before
    assert waiting(app, case.request_id) == [(task.name, case.head)]


def test_someone_whose_account_is_disabled_is_not_named_acting_approver(app: Approvals) -> None:
    _disable(app, "he.ping")
    with pytest.raises(FieldError, match=r"何平 \(he\.ping\) has a disabled account") as err:
        app.service.delegate("jiang.tao", "he.ping", TODAY, date(2026, 11, 30))
    assert [i.where for i in err.value.issues] == ["delegate"]
    request_id = app.service.submit("shen.yue", "leave", leave_fields())
    assert _assignees(app, request_id) == ["jiang.tao"]


def test_an_acting_approver_disabled_after_being_named_is_passed_over_for_new_tasks(app: Approvals) -> None:
    app.service.delegate("jiang.tao", "he.ping", TODAY, date(2026, 11, 30))
    _disable(app, "he.ping")
    request_id = app.service.submit("shen.yue", "leave", leave_fields())
    assert _assignees(app, request_id) == ["jiang.tao"]
