"""The directory (LDAP/AD) as the people source: import and re-sync people (name, account,
status) into the chart, through the personnel-change preview (approvals/orgadmin.py).

A re-sync is one ``Batch`` of changes, previewed like any personnel change, so the admin sees
who appears, who leaves and whose name changes, with the impact on open tasks in names
(``Impact.moves``), before anything is saved; the save disables the accounts of those who
leave. Posts never move silently: a leaver's posts become vacant (shown in the preview), and
nobody is appointed or transferred by a sync; units and posts stay the chart's business.

A person the directory marks disabled keeps their place in the chart but their account is
disabled with the save (``account_disabled`` in the trail), so they cannot sign in by any
method, a local password included. A sync never re-enables an account: an administrator may
have disabled it for reasons of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from approvals.audit.chain import Entry as AuditEntry
from approvals.errors import ApprovalsError
from approvals.identity import credentials
from approvals.identity.ldap import Entry
from approvals.identity.methods import Method, SignInMethods
from approvals.notifications.outbox import Outbox
from approvals.orgadmin import Impact, OrgChartAdmin
from approvals.people.offices import Offices
from approvals.people.orgchart.changes import AddPerson, Batch, Leave, Rename
from approvals.people.orgchart.model import OrgChart
from approvals.store.database import Database
from approvals.store.models import Credential


@dataclass(frozen=True)
class SyncPlan:
    """What the directory says has changed, in names, and the batch that makes it so."""

    added: tuple[Entry, ...] = ()
    leaving: tuple[str, ...] = ()  # person ids
    renamed: tuple[tuple[str, str, str], ...] = ()  # (person, old name, new name)
    disabled: tuple[str, ...] = ()  # in the chart, disabled in the directory, account still enabled
    skipped: tuple[str, ...] = field(default=())  # new entries without a unit to file them under

    @property
    def change(self) -> Batch:
        parts: list[AddPerson | Leave | Rename] = [AddPerson(e.account, e.name, e.unit) for e in self.added]
        parts += [Leave(p) for p in self.leaving]
        parts += [Rename(p, new) for p, _old, new in self.renamed]
        return Batch(tuple(parts))

    @property
    def empty(self) -> bool:
        return not (self.added or self.leaving or self.renamed or self.disabled)


class NoDirectoryError(ApprovalsError):
    """The organization has no directory (LDAP/AD method) in the sign-in file to sync from."""


def source(methods: SignInMethods, org: str) -> Method:
    """The directory an organization syncs from: its LDAP method marked ``sync: true``, else its
    only LDAP method."""
    ldap = [m for m in methods.of(org).methods if m.kind == "ldap"]
    marked = [m for m in ldap if m.get("sync")]
    if marked:
        return marked[0]
    if len(ldap) == 1:
        return ldap[0]
    if not ldap:
        raise NoDirectoryError(f"organization {org} has no LDAP/AD method in the sign-in file "
                               "(APPROVALS_SIGNIN_CONFIG), so there is no directory to sync from")
    raise NoDirectoryError(f"organization {org} has {len(ldap)} LDAP/AD methods "
                           f"({', '.join(m.id for m in ldap)}): mark the one to sync from with sync: true")


def described(sync: SyncPlan, chart: OrgChart) -> list[tuple[str, str]]:
    """(what, who) lines in names: appears, leaves, renamed, disabled, skipped."""
    lines = [("appears", f"{e.name} ({e.account}), {chart.units[e.unit].name if e.unit in chart.units else e.unit}")
             for e in sync.added]
    lines += [("leaves", f"{chart.people[p].name} ({p})") for p in sync.leaving]
    lines += [("renamed", f"{old} → {new} ({p})") for p, old, new in sync.renamed]
    lines += [("disabled", f"{chart.people[p].name} ({p})") for p in sync.disabled]
    lines += [("skipped", p) for p in sync.skipped]
    return lines


def plan(chart: OrgChart, entries: list[Entry], db: Database) -> SyncPlan:
    """Compare the chart in force with the directory's entries (matched by account)."""
    listed = {e.account: e for e in entries if e.account}
    added = tuple(e for a, e in sorted(listed.items()) if a not in chart.people and not e.disabled and e.unit)
    skipped = tuple(a for a, e in sorted(listed.items()) if a not in chart.people and not e.disabled and not e.unit)
    leaving = tuple(sorted(p for p in chart.people if p not in listed))
    renamed = tuple((p, chart.people[p].name, listed[p].name) for p in sorted(chart.people)
                    if p in listed and listed[p].name and listed[p].name != chart.people[p].name)
    disabled_in_directory = [p for p in sorted(chart.people) if p in listed and listed[p].disabled]
    with db.reading() as s:
        already = set(s.scalars(select(Credential.person_id).where(
            Credential.person_id.in_(disabled_in_directory), Credential.disabled)))
    disabled = tuple(p for p in disabled_in_directory if p not in already)
    return SyncPlan(added, leaving, renamed, disabled, skipped)


def preview(admin: OrgChartAdmin, org: str, sync: SyncPlan, actor: str,
            offices: Offices | None = None) -> tuple[str, Impact] | None:
    """The chart text after the sync and its impact, as the personnel-change preview shows it
    (None when only accounts change)."""
    if not sync.change.changes:
        return None
    return admin.preview_change(org, sync.change, actor=actor, offices=offices)


def save(admin: OrgChartAdmin, db: Database, org: str, sync: SyncPlan, actor: str,
         reason: str = "目录同步", offices: Offices | None = None, expected: str | None = None) -> Impact | None:
    """Save the previewed sync (``expected``: the text previewed) and disable the accounts the
    directory disables."""
    impact = None
    if sync.change.changes:
        impact = admin.save_change(org, sync.change, reason, actor, offices=offices, expected=expected)
    out = Outbox()
    now = admin.clock.now()
    with db.transaction() as s:
        for person in sync.disabled:
            credentials.mark_disabled(s, out, person, True, actor, now)
        out.record(AuditEntry(actor, "directory_synced", detail={
            "org": org, "added": [e.account for e in sync.added], "leaving": list(sync.leaving),
            "renamed": [p for p, _old, _new in sync.renamed], "disabled": list(sync.disabled)}))
        out.write(s, now)
    return impact
