"""The statistics as an XLSX workbook (openpyxl), one sheet per table. Every text cell goes
through ``spreadsheet_cell``: a unit or person named ``=HYPERLINK(...)`` stays text in Excel.
Request types and the organization carry the names the page shows, never internal ids."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from approvals.errors import ApprovalsError
from approvals.reports.stats import Statistics
from approvals.text import spreadsheet_cell
from web import labels
from web.engine import current_chart
from web.i18n import gettext as _


def _sheet(book: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append([spreadsheet_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([spreadsheet_cell(value) for value in row])
    sheet.freeze_panes = "A2"


def _organization(org_id: str) -> str:
    """The organization by the name the pages show, not its id (``xx-nrpb``)."""
    try:
        return current_chart(org_id).organization.name
    except ApprovalsError:
        return org_id


def build(figures: Statistics) -> bytes:
    book = Workbook()
    book.remove(book.active)
    months = [_("M%(m)s", m=m) for m in range(1, 13)]
    working = [_("M%(m)s (working days)", m=m) for m in range(1, 13)]
    totals = [_("Working days, total"), _("Calendar days, total"), _("Requests")]
    _sheet(book, _("Leave by person"), [_("Person"), _("Unit"), *working, *totals],
           ([p.label, p.unit, *p.months, p.total, p.calendar_days, p.count] for p in figures.leave_people))
    _sheet(book, _("Leave by unit"), [_("Unit"), *working, *totals],
           ([u.label, *u.months, u.total, u.calendar_days, u.count] for u in figures.leave_units))
    _sheet(book, _("Meetings by size"), [_("Participants"), *months, _("Total")],
           ([m.label, *m.months, m.total] for m in figures.meetings))
    _sheet(book, _("Time per step"), [_("Type"), _("Step"), _("Decisions"), _("Median (hours)"),
                                      _("90th percentile (hours)")],
           ([labels.request_name(s), s.step, s.count, s.median_hours, s.p90_hours]
            for s in figures.steps))
    _sheet(book, _("Overdue"), [_("Unit"), _("Done after the due date"), _("Open past the due date")],
           ([o.label, o.done_late, o.open_overdue] for o in figures.overdue))
    _sheet(book, _("About"), [_("Statistics"), ""], [
        [_("Organization"), _organization(figures.org_id)], [_("Year"), figures.year],
        [_("As of"), figures.today.isoformat()],
        [_("Leave days"), _("working days (工作日) from departure to return inclusive, by the national "
                            "holiday calendar (调休 included) and the organization's own closures and "
                            "extra working days; the calendar-day total is the span on the form, "
                            "weekends and holidays included")],
        *([[_("Holiday data"), _("none for %(year)s: working days counted Monday to Friday", year=figures.year)]]
          if figures.calendar_note else [])])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
