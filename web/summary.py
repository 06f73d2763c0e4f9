"""A request's content in one line for lists (我的申请): "目的地：北京市海淀区；离孝日期：2026-12-01".

Which fields say what a request is about is the process author's choice: the first short
fields of the request's own process version (text, numbers, dates, choices; not free text or
attachments) in the order the form asks them, so a leave shows its destination and dates and
a meeting its subject and day without this module knowing either process.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from approvals.errors import ApprovalsError
from web.engine import engine
from web.i18n import gettext as _
from web.requestview import field_lines

SHORT_TYPES = ("string", "long", "date", "enum", "boolean")
FIELDS = 3  # how many fields a line shows
LONGEST = 24  # characters of one value before it is cut with "…"


class _Listed(Protocol):
    @property
    def process_id(self) -> str: ...
    @property
    def process_sha(self) -> str: ...
    @property
    def fields_json(self) -> str: ...


def summary(req: _Listed) -> str:
    """The request's first short fields with their labels; "" when its version is unreadable."""
    app = engine()
    try:
        definition = app.service.definition_of(req)
    except ApprovalsError:
        return ""
    values: dict[str, Any] = json.loads(req.fields_json)
    shown = [fd for fd in definition.fields if fd.type in SHORT_TYPES and values.get(fd.name) not in (None, "")]
    lines = field_lines(shown[:FIELDS], values, [])
    return _("; ").join(_("%(label)s: %(value)s", label=line.label, value=_cut(line.value)) for line in lines)


def _cut(value: str) -> str:
    return value if len(value) <= LONGEST else value[:LONGEST - 1] + "…"
