"""Engine rows as the API's shapes, and opaque cursors over the engine's pages."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.exceptions import UnprocessableEntity

from approvals.clock import DEFAULT_ZONE
from approvals.process.forms import FieldDef
from web.api import schemas
from web.engine import engine
from web.i18n import field_label
from web.i18n import gettext as _


def stamped(value: datetime | None) -> datetime | None:
    """A stored time with its zone (the storage zone, APPROVALS_TIME_ZONE): RFC 3339 wants an
    offset, and a portal in another zone must not read Beijing's 09:00 as its own."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(getattr(engine().clock, "zone", DEFAULT_ZONE)))


def iso(value: datetime) -> str:
    return stamped(value).isoformat()  # type: ignore[union-attr]


def task(t: Any) -> dict[str, Any]:
    return schemas.TaskOut(id=t.id, request_id=t.request_id, name=t.name, kind=t.kind, status=t.status,
                           is_open=t.is_open, assignee=t.assignee, decided_by=t.decided_by, comment=t.comment or "",
                           due_on=t.due_on, created_at=stamped(t.created_at), decided_at=stamped(t.decided_at),
                           round=t.round).model_dump(mode="json")


def summary(r: Any) -> dict[str, Any]:
    return schemas.RequestSummary(id=r.id, request_type=r.request_type, applicant=r.applicant, status=r.status,
                                  created_at=stamped(r.created_at)).model_dump(mode="json")


def form_field(f: FieldDef) -> dict[str, Any]:
    return schemas.FormField(name=f.name, type=f.type, label=field_label(f), required=f.required,
                             options=[v for v, _label in f.options], min=f.min, max=f.max,
                             maxlength=f.maxlength).model_dump(mode="json")


def offset_of(cursor: str | None) -> int:
    """A cursor is the position after the last item shown, opaque to the client."""
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"==="))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise UnprocessableEntity(_("The cursor is not one this API gave out.")) from exc
    if not 0 <= offset <= 10_000_000:
        raise UnprocessableEntity(_("The cursor is not one this API gave out."))
    return offset


def next_cursor(offset: int, shown: int, total: int) -> str | None:
    after = offset + shown
    if shown == 0 or after >= total:
        return None
    return base64.urlsafe_b64encode(json.dumps({"o": after}).encode()).decode().rstrip("=")


def form_fields(fields: dict[str, Any]) -> dict[str, str]:
    """Fields as a form sends them: the engine's validation (and its messages) is the same."""
    return {k: ("" if v is None else ("true" if v is True else "false" if v is False else str(v)))
            for k, v in fields.items()}
