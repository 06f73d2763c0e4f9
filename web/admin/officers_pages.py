"""The security administrator's page and the audit administrator's page (三员分立).

Security (``/admin/security``): the organization's sign-in policy as the operator configured it
(read here, changed in the sign-in file), who holds which office and who inspects, and the
actions on keys: clearing a person's two factors (a lost phone) and revoking an API client.
Audit (``/admin/trail``): every administrator action of the organization, newest first, refusals
of administrator pages included. The audit administrator changes nothing."""

from __future__ import annotations

import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from approvals.audit import officers
from approvals.errors import ApprovalsError, NotPermittedError
from approvals.identity.api_access import ApiAccess
from approvals.identity.totp import TwoFactors
from approvals.people.offices import SECURITY, require_office
from web import labels
from web.admin import bp
from web.admin.orgchart import org_id
from web.engine import current_chart, engine
from web.i18n import gettext as _
from web.presenters import name
from web.signin_session import methods
from web.users import me, offices


@bp.route("/security", methods=["GET", "POST"])
def security() -> str | Response | tuple[str, int]:
    org = org_id(me().security_of)
    chart = current_chart(org)
    app = engine()
    error = ""
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            if action == "reset_two_factor":
                person = request.form.get("person", "")
                if person not in chart.people:
                    error = _("Choose a person of this organization.")
                else:
                    require_office(offices(), SECURITY, me().id, org, chart, f"reset the two factors of {person}")
                    if TwoFactors(app.db, app.clock).reset(person, me().id):
                        flash(_("Two factors of %(name)s cleared: they set them up again at their next sign-in.",
                                name=name(person)), "success")
                    else:
                        flash(_("%(name)s had no two factors set up; nothing changed.", name=name(person)), "success")
            elif action == "revoke_client":
                require_office(offices(), SECURITY, me().id, org, chart, "revoke an API client")
                ApiAccess(app.db, app.clock).revoke_client(request.form.get("client", ""), me().id, [org])
                flash(_("API client revoked: its tokens stopped working at once."), "success")
            else:
                abort(400)
        except NotPermittedError:
            abort(404)
        except ApprovalsError as exc:
            error = _("Nothing changed: %(why)s", why=str(exc))
        if not error:
            return redirect(url_for("admin.security", org=org))
    cfg = current_app.config
    return render_template(
        "admin/security.html", org=org, chart=chart, signin=methods().of(org), error=error,
        clients=[c for c in ApiAccess(app.db, app.clock).clients(org) if c.revoked_at is None],
        inspectors=sorted(p for p in cfg["APPROVALS_INSPECTORS"] if p in chart.people),
        people=sorted(chart.people.values(), key=lambda p: (p.unit, p.id)),
        two_factor_required=cfg.get("APPROVALS_TWO_FACTOR_REQUIRED", True),
    ), 400 if error else 200


@bp.get("/trail")
def trail() -> str:
    org = org_id(me().audit_of)
    chart = current_chart(org)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    per_page = 100
    found = officers.trail(engine().db, org, list(chart.people), limit=per_page, offset=(page - 1) * per_page)
    rows = [{"seq": h.entry.seq, "at": h.entry.at, "actor": name(h.entry.actor), "actor_id": h.entry.actor,
             "action": labels.ACTION.get(h.entry.action, h.entry.action), "code": h.entry.action,
             "request_id": h.entry.request_id, "comment": h.entry.comment,
             "detail": _detail(h.entry.detail)} for h in found.hits]
    return render_template("admin/trail.html", org=org, chart=chart, rows=rows, total=found.total,
                           page=page, per_page=per_page)


def _detail(raw: str) -> str:
    """The entry's detail as "key: value" pairs, for reading."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return raw
    return "; ".join(f"{k}: {v}" for k, v in data.items() if v not in ("", None, [], {}))
