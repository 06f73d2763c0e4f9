"""Accounts of the admin's organization: reset a password (the person changes it after
signing in), and see whose account is disabled. Disabling happens when a person leaves
(personnel changes) or with `approvals disable-account`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from approvals.errors import FieldError, NotPermittedError, UnknownPersonError
from web import messages
from web.admin import bp
from web.admin.orgchart import org_id
from web.engine import current_chart, engine
from web.i18n import gettext as _
from web.picker import search_words
from web.presenters import name
from web.users import me, offices


@bp.route("/accounts", methods=["GET", "POST"])
def accounts() -> str | Response | tuple[str, int]:
    org = org_id()
    chart = current_chart(org)
    errors: dict[str, str] = {}
    person = request.form.get("person", "")
    if request.method == "POST":
        if person not in chart.people:
            errors["person"] = _("Choose a person of this organization.")
        else:
            try:
                engine().accounts.reset_password(person, request.form.get("new", ""), me().id, offices())
            except FieldError as exc:
                errors = messages.field_errors(exc)
            except (NotPermittedError, UnknownPersonError):
                abort(404)
            else:
                flash(_("New password set for %(name)s; their sessions have ended. Ask them to change it "
                        "after signing in.", name=name(person)), "success")
                return redirect(url_for("admin.accounts", org=org))
    people = sorted(chart.people.values(), key=lambda p: (p.unit, p.id))
    return render_template("admin/accounts.html", org=org, chart=chart, people=people, errors=errors,
                           person=person, search_words=lambda p: search_words(chart, p)), 400 if errors else 200
