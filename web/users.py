"""Who is signed in, and what they may do: roles come from the org chart and configuration.

Everyone applies; whoever holds a task approves it; admins administer their own
organization only (``APPROVALS_ADMINS``, see ``approvals.people.offices``); inspectors are the members
of the unit holding duty ``discipline`` plus configured people (``APPROVALS_INSPECTORS``).
Inspectors never approve anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort, current_app
from flask_login import UserMixin, current_user

from approvals.errors import ApprovalsError, UnavailableError
from approvals.people.eligibility import DISCIPLINE_KINDS, is_discipline_step
from approvals.people.offices import AUDIT, SECURITY, AdminRights, Offices, OfficesConfigError, clashes
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import may_act
from approvals.store.models import Task
from approvals.store.orgcharts import person_chart
from approvals.store.rows import TaskRow
from web.engine import charts_in_force, current_chart, engine

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class User(UserMixin):  # type: ignore[misc]
    id: str
    name: str
    title: str
    org_id: str
    unit_id: str
    unit_name: str
    is_inspector: bool = False
    admin_of: frozenset[str] = frozenset()  # the organizations this person administers (system)
    security_of: frozenset[str] = frozenset()  # ... is security administrator of
    audit_of: frozenset[str] = frozenset()  # ... is audit administrator of

    @property
    def is_admin(self) -> bool:
        return bool(self.admin_of)

    @property
    def chart(self) -> OrgChart:
        """The chart in force for this page (an admin may have saved a new one since the last)."""
        return current_chart(self.org_id)


def load(person_id: str) -> User | None:
    """The user for a session, or None when the person left the org chart (signed out)."""
    try:
        charts = charts_in_force()  # read with the sign-in check (web/sessions.py)
        chart = person_chart(charts, person_id)
    except UnavailableError:
        raise  # the database is down for a moment: a 503, not a signed-out user
    except ApprovalsError:
        return None
    person = chart.people[person_id]
    unit = chart.units[person.unit]
    held = offices()
    cfg = current_app.config
    discipline_unit = chart.duties.get("discipline")
    inspector = person_id in cfg["APPROVALS_INSPECTORS"] or (
        discipline_unit is not None and person.unit == discipline_unit
    )
    return User(
        person_id,
        person.name,
        person.title,
        chart.id,
        unit.id,
        unit.name,
        is_inspector=inspector,
        admin_of=held.admin_of(person_id, charts),
        security_of=held.office_of(SECURITY, person_id, charts),
        audit_of=held.office_of(AUDIT, person_id, charts),
    )


def offices() -> Offices:
    """Who administers which organization and who inspects, as the engine is told them
    (it checks again: a chart save or a delegation for someone else passes this)."""
    cfg = current_app.config
    return Offices(AdminRights.parse(cfg["APPROVALS_ADMINS"]), frozenset(cfg["APPROVALS_INSPECTORS"]),
                   AdminRights.parse(cfg["APPROVALS_SECURITY_ADMINS"], "APPROVALS_SECURITY_ADMINS"),
                   AdminRights.parse(cfg["APPROVALS_AUDIT_ADMINS"], "APPROVALS_AUDIT_ADMINS"))


def check_offices(app: Flask) -> None:
    """At start: with APPROVALS_ADMINS unset, a filing head named for another office stops the
    start, naming them (三员分立; approvals.people.offices.clashes)."""
    with app.app_context():
        held = offices()
        if held.admins.configured or not (held.security.people() | held.audit.people()):
            return
        found = clashes(held, engine().orgcharts.current_all())
    if found:
        raise OfficesConfigError("; ".join(found))


def me() -> User:
    return cast(User, current_user._get_current_object())


def admin_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not me().is_admin:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def inspector_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not me().is_inspector:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def decides(view: F) -> F:
    """Endpoints that approve, reject or return: refused to inspectors, who must stay
    independent of what they inspect, except on a discipline opinion (纪检意见): a consent or
    record step addressed to the discipline duty (``discipline_opinion``)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if me().is_inspector:
            task_id = kwargs.get("task_id")
            if task_id is None or not discipline_opinion(engine().queries.task(task_id)):
                abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def discipline_opinion(task: Task | TaskRow) -> bool:
    """A step on which an inspector acts: consent or record, addressed to the discipline duty
    (the same steps ``approvals.people.eligibility`` lets an inspector hold)."""
    return is_discipline_step(task.role) and task.kind in DISCIPLINE_KINDS


def may_decide(task: Task) -> bool:
    """Whether the signed-in person's kind of user decides ``task`` at all (holding it is
    checked apart): everyone but inspectors, and inspectors on discipline opinions."""
    return not me().is_inspector or discipline_opinion(task)


def holds(task: Task) -> bool:
    """Whether the signed-in person may act on ``task`` (the engine checks again)."""
    user = me()
    if user.id in (task.assignee, task.principal):
        return True
    return may_act(user.chart, user.id, task.assignee, task.unit_id)


def may_open(task: Task) -> bool:
    """Holders see a task; so does whoever closed it, to look back at what they did."""
    return holds(task) or task.decided_by == me().id
