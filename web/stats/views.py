"""The statistics page and its XLSX download."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import Response, render_template, request

from approvals.audit import access_log
from approvals.reports.stats import Statistics, Stats, years
from web.engine import engine
from web.i18n import gettext as _
from web.localtime import today
from web.stats import bp, workbook
from web.users import me


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, value and width in percent of the longest."""

    label: str
    value: float
    width: float


def bars(pairs: list[tuple[str, float]]) -> list[Bar]:
    top = max((value for _label, value in pairs), default=0) or 1
    return [Bar(label, value, round(100 * value / top, 1)) for label, value in pairs]


def _figures() -> Statistics:
    now = today()
    year = request.args.get("year", now.year, type=int)
    if year not in years([], now.year):
        year = now.year
    user = me()
    figures = Stats(engine().db, engine().clock.zone).year(user.chart, year, now)
    app = engine()  # figures about colleagues' leave: logged like any view of personal data
    access_log.record(app.db, app.clock.now(), user.id, user.chart.id, None, "hr", "statistics",
                      {"year": year})
    return figures


@bp.get("/")
def index() -> str:
    figures = _figures()
    months = [_("M%(m)s", m=m) for m in range(1, 13)]
    return render_template(
        "stats/index.html",
        figures=figures,
        years=years([], today().year),
        months=months,
        month_bars=bars(list(zip(months, figures.leave_months, strict=True))),
        unit_bars=bars([(u.label, u.total) for u in figures.leave_units]),
        meeting_bars=bars([(m.label, m.total) for m in figures.meetings]),
        step_bars=bars([(f"{s.step}", s.p90_hours) for s in figures.steps]),
    )


@bp.get("/stats.xlsx")
def xlsx() -> Response:
    figures = _figures()
    name = _("Statistics %(year)s", year=figures.year) + ".xlsx"
    return Response(
        workbook.build(figures),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=\"statistics-{figures.year}.xlsx\"; "
                                        f"filename*=UTF-8''{quote(name)}"},
    )
