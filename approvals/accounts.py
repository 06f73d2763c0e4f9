"""What a person or an admin does to an account and to an acting approver outside a request:
end a delegation early, change one's own password, reset someone's.

Each is one transaction with its audit entry. Who may do it is checked here against the
chart in force: the principal, or an admin of the principal's organization (``Offices``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from approvals.audit.chain import Entry
from approvals.clock import Clock, today_in
from approvals.errors import ApprovalsError, FieldError, Issue, UnknownError
from approvals.identity import credentials
from approvals.notifications.outbox import Outbox
from approvals.operations import delegations
from approvals.operations.handover import read_mark
from approvals.people.offices import NOBODY, Offices, require_admin
from approvals.store.database import Database
from approvals.store.orgcharts import DatabaseOrgChartSource

MIN_PASSWORD = 8


def password_problems(person_id: str, password: str) -> list[Issue]:
    """A sensible minimum: 8 characters, not the sign-in id, not one character repeated, not
    the demo password."""
    issues = []
    if len(password) < MIN_PASSWORD:
        issues.append(Issue("new", None, f"must have at least {MIN_PASSWORD} characters"))
    elif password.lower() == person_id.lower() or len(set(password)) == 1 or password == credentials.DEMO_PASSWORD:
        issues.append(Issue("new", None,
                            "is too easy to guess (your id, one repeated character, or the demo password)"))
    return issues


class Accounts:
    def __init__(self, db: Database, orgcharts: DatabaseOrgChartSource, clock: Clock) -> None:
        self.db, self.orgcharts, self.clock = db, orgcharts, clock

    def change_own_password(self, person_id: str, current: str, new: str) -> None:
        """FieldError naming ``current`` (wrong) or ``new`` (too weak); every other session of
        the person ends (credentials.set_password)."""
        if not credentials.check(self.db, person_id, current):
            raise FieldError([Issue("current", None, "is not your current password")])
        issues = password_problems(person_id, new)
        if new == current:
            issues.append(Issue("new", None, "must differ from the current password"))
        if issues:
            raise FieldError(issues)
        credentials.change_password(self.db, person_id, new, person_id, self.clock.now())

    def reset_password(self, person_id: str, new: str, actor: str, offices: Offices) -> None:
        """An admin of the person's organization sets a new password (the person should change
        it at their next sign-in); their sessions end."""
        chart = self.orgcharts.for_person(person_id)
        require_admin(offices, actor, chart.id, chart, f"reset the password of {person_id}")
        issues = password_problems(person_id, new)
        if issues:
            raise FieldError(issues)
        credentials.change_password(self.db, person_id, new, actor, self.clock.now())

    def _today(self, person_id: str) -> date:
        """The day in the person's organization (a person no chart has any more: the storage zone's)."""
        try:
            return today_in(self.clock, self.orgcharts.for_person(person_id).organization.time_zone)
        except ApprovalsError:
            return self.clock.now().date()

    def delegations_not_over(self, principals: list[str]) -> list[Any]:
        """The delegations of ``principals`` in force today or to come (the ones that can be ended)."""
        with self.db.reading(snapshot=False) as s:
            return delegations.not_over(s.connection(), principals, self._today(principals[0]) if principals
                                        else self.clock.now().date())

    def end_delegation(self, delegation_id: int, actor: str, offices: Offices | None = None) -> int:
        """End one now (withdraw one not yet begun): the principal or an admin of their
        organization. Tasks still open with the delegate go back to the principal. Returns how
        many moved back."""
        now = self.clock.now()
        out = Outbox()
        with self.db.writing() as conn:
            try:
                row, handed, day = delegations.end(conn, delegation_id, self._today)
            except LookupError:
                raise UnknownError(f"no delegation #{delegation_id} in force or to come") from None
            if actor != row.principal:
                chart = self.orgcharts.for_person(row.principal)
                require_admin(offices or NOBODY, actor, chart.id, chart, f"end an acting approver of {row.principal}")
            out.record(Entry(actor, "delegation_ended", detail={
                "principal": row.principal, "delegate": row.delegate, "starts_on": row.starts_on.isoformat(),
                "ends_on": row.ends_on.isoformat(), "ended_on": day.isoformat()}))
            for task in handed:
                out.record(Entry(actor, "reassigned", task.request_id, task.id, detail={
                    "step": task.name, "role": task.role, "from": row.delegate, "to": row.principal,
                    "reason": "delegation ended", "cause": "delegation_ended", **read_mark(task.opened_at)}))
                out.signal("reassigned", request_id=task.request_id, task_id=task.id, old_assignee=row.delegate,
                           new_assignee=row.principal, reason="delegation ended", actor=actor, comment="")
            out.write(conn, now)
        out.send(self)
        return len(handed)
