"""What every signed-in page reads before anything else, in one statement.

Each request asks three things: is this session still good (the person's session generation,
``credentials``), which org chart version of each organization is in force (``orgcharts``:
the user loader and every name on the page need it), and, for a form, whether its key was
used already (``idempotency``: by whom and on which form, so a key sent to another form is told
apart from a resend). As three statements on one connection they cost half again as
much as one (each Core execution is some 40 µs of Python before the database does anything;
benchmarks/http_path.py), and this runs on every page, so they are asked together.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, literal, select, true

from approvals.store.database import Database
from approvals.store.idempotency import Done
from approvals.store.models import Credential, IdempotencyKey, OrgChartVersion

_BASE = select(literal(1).label("one")).subquery("base")  # one row, whatever else is missing
_LATEST = (select(OrgChartVersion.org_id, func.max(OrgChartVersion.id).label("latest"))
           .group_by(OrgChartVersion.org_id).subquery("latest"))
_READ = (select(_LATEST.c.org_id, _LATEST.c.latest, Credential.session_generation, Credential.disabled,
                IdempotencyKey.endpoint, IdempotencyKey.outcome, IdempotencyKey.person_id.label("key_person"),
                IdempotencyKey.target)
         .select_from(_BASE)
         .outerjoin(_LATEST, true())
         .outerjoin(Credential, Credential.person_id == bindparam("person"))
         # whoever used the key: another person's key must be told apart from a resend
         .outerjoin(IdempotencyKey, IdempotencyKey.key == bindparam("form_key")))


@dataclass(frozen=True)
class FirstRead:
    generation: int | None  # None: no credential, or disabled (the session is over)
    chart_versions: dict[str, int]  # organization -> id of its chart version in force
    form_key: Done | None  # what the form's key did, if it was used (by anyone: see Done.resends)


def first_read(db: Database, person_id: str, form_key: str | None) -> FirstRead:
    """``form_key``: the key a POST carries, or None (nothing is looked up)."""
    with db.glancing() as conn:
        rows = conn.execute(_READ, {"person": person_id, "form_key": form_key or ""}).all()
    head = rows[0]
    generation = None if head.session_generation is None or head.disabled else int(head.session_generation)
    done = (Done(head.endpoint, head.outcome, head.key_person, head.target)
            if form_key and head.endpoint is not None else None)
    return FirstRead(generation, {row.org_id: row.latest for row in rows if row.org_id is not None}, done)
