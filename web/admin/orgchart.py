"""The org chart as a page, and editing it: validated by the engine's loader, problems shown
next to their lines, and the impact on open tasks shown before anything is saved."""

from __future__ import annotations

import difflib
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for

from approvals import text as textrules
from approvals.errors import ApprovalsError, ChartSavedFirstError, Issue, NotPermittedError, OrgChartError
from approvals.orgadmin import Impact
from approvals.people.orgchart import yamlread
from approvals.process.calendar import for_chart
from web import yamllines
from web.admin import bp
from web.admin.yamlwords import issue_sentence
from web.engine import engine
from web.i18n import gettext as _
from web.localtime import today
from web.presenters import name
from web.users import me, offices


def org_id(within: frozenset[str] | None = None) -> str:
    """The organization being administered: ?org=, else the admin's own (or the first they
    administer). Another organization is 404, as it is for inspectors: admin rights are per
    organization, and the engine checks them again on every change. ``within``: the
    organizations of another office (security, audit); the system administrator's by default."""
    user = me()
    orgs = user.admin_of if within is None else within
    default = user.org_id if user.org_id in orgs else min(orgs)
    wanted = request.values.get("org") or default
    if wanted not in orgs or wanted not in engine().orgcharts.org_ids():
        abort(404)
    return wanted


@bp.get("/orgchart")
def orgchart() -> str:
    org = org_id()
    chart = engine().orgcharts.current(org)
    units = [(u, [chart.people[p] for p in chart.members(u.id)]) for u in chart.units.values()]
    return render_template(
        "admin/orgchart.html",
        chart=chart,
        units=units,
        org=org,
        orgs=[
            (o, engine().orgcharts.current(o).organization.name)
            for o in engine().orgcharts.org_ids()
            if o in me().admin_of
        ],
        versions=engine().admin.versions(org)[:1],
        missing_years=for_chart(chart).missing_years((today().year, today().year + 1)),
    )


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    problems: list[str]


def annotated(
    text: str, err: OrgChartError, context: int = 3, say: Callable[[Issue], str] = str
) -> tuple[list[Line | None], list[str]]:
    """The lines around each problem (None marks skipped lines), and the problems no line
    can be found for; the full text stays in the editor below."""
    by_line: dict[int, list[str]] = {}
    loose = []
    for issue in err.issues:
        # "(file)": the whole text was refused (too large, say), so it is not read again here
        whole = issue.where.startswith("(")
        number = None if whole else yamllines.line_of(text, issue.where)
        if number is None:
            loose.append(say(issue))
        else:
            by_line.setdefault(number, []).append(say(issue))
    shown: list[Line | None] = []
    for n, line in enumerate(text.splitlines(), 1):
        if any(abs(n - bad) <= context for bad in by_line):
            shown.append(Line(n, line, by_line.get(n, [])))
        elif not shown or shown[-1] is not None:
            shown.append(None)
    return (shown if by_line else []), loose


def moves_summary(impact: Impact) -> list[dict[str, Any]]:
    """ "moves 3 open tasks from 李明 to 王芳": one line per (old, new) pair, with names."""
    counts = Counter((m.old, m.new) for m in impact.moves)
    return [
        {"count": n, "old": name(old), "new": impact.chart.display_name(new)}
        for (old, new), n in counts.items()
    ]


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """(css class, line) pairs of a unified diff: add, del, hunk or ctx."""
    result = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), "before", "after", lineterm=""
    ):
        if line.startswith(("+++", "---")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")
        result.append((kind, line))
    return result


def _text_from_request() -> tuple[str, str] | str:
    """(text, file name), or why an uploaded file cannot be read (size, not UTF-8 at line n)."""
    upload = request.files.get("upload")
    if upload is not None and upload.filename:
        try:
            return yamlread.decode(upload.read(yamlread.MAX_BYTES + 1), upload.filename), upload.filename
        except OrgChartError as exc:
            return f"{upload.filename}: " + " ".join(issue_sentence(i, None) for i in exc.issues)
    return request.form.get("text", "").replace("\r\n", "\n"), request.form.get(
        "source_name"
    ) or "orgchart.yaml"


def _shown(text: str) -> str:
    """The text as typed, put back in the editor: a lone surrogate (only a YAML escape can
    make one, but a page holding one cannot be sent at all) becomes '?'."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _refused_text(source: str, comment: str) -> str:
    """Why the file name or the comment, both stored with the version, cannot be (a NUL in
    either was a 500 on PostgreSQL), or ""."""
    name_problem = textrules.problem(source, textrules.LINE_LENGTH)
    if name_problem:
        return _("The file cannot be read: %(why)s", why=f"{source!r} {name_problem}")
    comment_problem = textrules.problem(comment, textrules.LINE_LENGTH)
    return _("The comment %(why)s", why=comment_problem) if comment_problem else ""


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@bp.route("/orgchart/edit", methods=["GET", "POST"])
def edit() -> str | Response | tuple[str, int]:
    org = org_id()
    context: dict[str, Any] = {"org": org, "comment": request.form.get("comment", "")}
    if request.method == "GET":
        current = engine().admin.versions(org)
        source = current[0].source_name if current else "orgchart.yaml"
        return render_template(
            "admin/edit.html", text=engine().admin.current_text(org), source_name=source, **context
        )
    got = _text_from_request()
    if isinstance(got, str):
        return render_template(
            "admin/edit.html",
            text="",
            source_name="orgchart.yaml",
            upload_error=_("The file cannot be read: %(why)s", why=got),
            **context,
        ), 400
    text, source = got
    context.update(text=_shown(text), source_name=source)
    refused = _refused_text(source, context["comment"])
    if refused:
        return render_template("admin/edit.html", upload_error=refused, **context), 400
    try:
        impact = engine().admin.impact(text, source, actor=me().id, offices=offices())
    except NotPermittedError:
        abort(404)  # the text is another organization's chart
    except OrgChartError as exc:
        chart = engine().orgcharts.current(org)
        lines, loose = annotated(_shown(text), exc, say=lambda issue: issue_sentence(issue, chart))
        return render_template(
            "admin/edit.html", lines=lines, loose=loose, problems=len(exc.issues), **context
        ), 400
    based_on = request.form.get("based_on", "")
    if (
        request.form.get("action") == "save"
        and request.form.get("checked") == fingerprint(text)
        and based_on.isdigit()
    ):
        return _save(text, source, context, org, int(based_on))
    return _preview(impact, text, org, context)


def _preview(impact: Impact, text: str, org: str, context: dict[str, Any], status: int = 200,
             notice: str = "") -> tuple[str, int]:
    """The impact of saving ``text`` on the version it was worked out against (``based_on``,
    sent back with the save: a save on another version is refused, never saved over it)."""
    return render_template(
        "admin/edit.html",
        impact=impact,
        moves=moves_summary(impact),
        diff=impact_diff(impact, text),
        checked=fingerprint(text),
        based_on=impact.based_on if impact.based_on is not None else "",
        other_org=impact.chart.id != org,
        notice=notice,
        **context,
    ), status


def impact_diff(impact: Impact, text: str) -> list[tuple[str, str]]:
    """The diff of ``text`` against the version the impact was worked out against."""
    versions = engine().admin.versions(impact.chart.id)
    old = next((v.source_text for v in versions if v.id == impact.based_on), "")
    return diff_lines(old, text)


def saved_first(exc: ChartSavedFirstError | None, org: str = "") -> str:
    """Who saved the chart first (``exc``, or else the version now in force of ``org``), in the
    page's words: the page then shows the impact on that version."""
    if exc is None:
        versions = engine().admin.versions(org)
        exc = ChartSavedFirstError("", version=versions[0].version, by=versions[0].created_by or "system",
                                   at=versions[0].created_at) if versions else ChartSavedFirstError("")
    return _(
        "%(who)s saved the org chart first (version %(version)s, %(at)s); nothing of yours was "
        "saved. Check the new impact below and save again.",
        who=name(exc.by) if exc.by else "?",
        version=exc.version[:12],
        at=f"{exc.at:%Y-%m-%d %H:%M}" if exc.at else "",
    )


def _save(text: str, source: str, context: dict[str, Any], org: str,
          based_on: int) -> Response | tuple[str, int]:
    try:
        impact = engine().admin.save(text, me().id, source, context["comment"], offices=offices(),
                                     based_on=based_on)
    except NotPermittedError:
        abort(404)
    except ChartSavedFirstError as exc:  # someone saved after the preview: show the new impact
        fresh = engine().admin.impact(text, source, actor=me().id, offices=offices())
        return _preview(fresh, text, org, context, 409, saved_first(exc))
    except ApprovalsError as exc:  # a concurrent save made the chart invalid to save now
        flash(str(exc), "error")
        return redirect(url_for("admin.edit", org=org))
    saved = _(
        "Saved a new version of the org chart; %(n)s open task(s) moved to the new post holders.",
        n=len(impact.moves),
    )
    flash(saved, "success")
    if impact.skips:
        skipped = _(
            "%(n)s open decision(s) skipped: the new post holder is the applicant of the request.",
            n=len(impact.skips),
        )
        flash(skipped, "info")
    return redirect(url_for("admin.versions", org=impact.chart.id))
