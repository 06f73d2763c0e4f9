"""The administrators' trail (三员分立): which audit entries are an administrator's action, the
query the audit administrator's page runs, and the entry a refused administrator page writes.

The audit administrator reads every administrator's actions, their own office's included: the
system administrator's (charts, processes, accounts, delegations for others, terminations,
directory syncs), the security administrator's (two factors reset, API clients, sign-in
keys) and refusals of an administrator page to someone not holding its office. Nothing here
decides who may act: approvals/people/offices.py does.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from approvals.audit.chain import Entry, append
from approvals.audit.search import AuditQuery, Results, search
from approvals.store.database import Database

ADMIN_ACTIONS = (
    # system administrator
    "orgchart_saved", "process_deployed", "password_reset", "account_disabled", "account_enabled",
    "delegation_revoked", "terminated", "directory_synced", "webhook_added", "webhook_removed",
    "todo_push_set", "todo_push_removed",
    # security administrator
    "two_factor_reset", "sessions_ended", "api_client_created", "api_client_rotated", "api_client_revoked",
    "audit_hash_switched",
    # any administrator page refused to someone without its office
    "office_refused",
)


def trail(db: Database, org_id: str, org_people: Collection[str], limit: int = 200, offset: int = 0) -> Results:
    """Every administrator action of ``org_id`` (its requests, its charts, its people's
    request-less entries), newest first."""
    return search(db, AuditQuery(actions=ADMIN_ACTIONS, org_id=org_id, org_people=tuple(org_people)),
                  limit=limit, offset=offset)


def refused(db: Database, at: datetime, person: str, office: str, page: str, holds: Collection[str]) -> None:
    """An administrator page refused to ``person``, who does not hold ``office`` there."""
    with db.transaction() as s:
        append(s, [Entry(person, "office_refused", detail={"needs": office, "page": page[:200],
                                                           "holds": sorted(holds)})], at)
