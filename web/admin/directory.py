"""The directory (LDAP/AD) as the people source, from the admin pages: the page reads the
directory and shows who appears, leaves, changes name or is disabled there, in names, with the
impact on open tasks, before anything is saved; saving needs the preview just seen (a chart
saved by someone else since shows the new preview, 409). approvals/directory.py does the work."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from approvals import directory
from approvals.errors import ApprovalsError, ChartSavedFirstError, NotPermittedError
from approvals.identity.external import Refused
from approvals.identity.ldap import Directory
from web.admin import bp
from web.admin.orgchart import fingerprint, impact_diff, moves_summary, org_id, saved_first
from web.engine import current_chart, engine
from web.i18n import gettext as _
from web.signin_session import methods
from web.users import me, offices

WHAT = {"appears": _l("Appears"), "leaves": _l("Leaves (account disabled, posts vacant)"),
        "renamed": _l("Name changes"), "disabled": _l("Disabled in the directory (account disabled)"),
        "skipped": _l("Not added: no unit to file under")}


def _page(org: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template("admin/directory.html", org=org, chart=current_chart(org), what=WHAT, **context), status


@bp.route("/directory", methods=["GET", "POST"])
def directory_sync() -> Response | tuple[str, int]:
    org = org_id()
    chart = current_chart(org)
    try:
        method = directory.source(methods(), org)
        plan = directory.plan(chart, Directory(method).people(), engine().db)
        previewed = directory.preview(engine().admin, org, plan, me().id, offices())
    except NotPermittedError:
        abort(404)
    except Refused as exc:
        return _page(org, 503, problem=_("The directory could not be read just now: %(why)s", why=exc.why))
    except ApprovalsError as exc:
        return _page(org, 400, problem=str(exc))
    text, impact = previewed if previewed is not None else ("", None)
    context = {"method": method, "lines": directory.described(plan, chart), "empty": plan.empty,
               "impact": impact, "moves": moves_summary(impact) if impact else [],
               "diff": impact_diff(impact, text) if impact else [], "checked": fingerprint(text)}
    if request.method == "GET":
        return _page(org, **context)
    if request.form.get("checked") != context["checked"]:
        return _page(org, 409, notice=saved_first(None, org), **context)
    try:
        directory.save(engine().admin, engine().db, org, plan, me().id, offices=offices(), expected=text or None)
    except ChartSavedFirstError as exc:
        return _page(org, 409, notice=saved_first(exc), **context)
    except NotPermittedError:
        abort(404)
    except ApprovalsError as exc:
        return _page(org, 400, problem=_("Nothing saved: %(why)s", why=str(exc)), **context)
    flash(_("Synced from the directory %(name)s.", name=method.label), "success")
    return redirect(url_for("admin.directory_sync", org=org))
