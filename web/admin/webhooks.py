"""接口与订阅: an organization's signed webhooks (add with the events wanted, see, remove).
The signing secret is shown once, on the page that answers the add, and never again (it is
stored sealed; docs/api.md shows a receiver checking it)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from approvals.errors import FieldError, NotPermittedError, UnknownError
from approvals.notifications.addresses import host_of
from approvals.notifications.api_events import TYPES
from approvals.notifications.webhooks import ALL, Webhooks
from web import messages
from web.admin import bp
from web.admin.orgchart import org_id
from web.engine import engine
from web.i18n import gettext as _
from web.users import me


def _hooks() -> Webhooks:
    app = engine()
    return Webhooks(app.db, app.clock)


@bp.route("/webhooks", methods=["GET", "POST"])
def webhooks() -> str | Response | tuple[str, int]:
    org = org_id()
    errors: dict[str, str] = {}
    created: tuple[int, str] | None = None
    url, wanted = request.form.get("url", "").strip(), request.form.getlist("events")
    if request.method == "POST":
        try:
            created = _hooks().add(org, url, wanted or [ALL], me().id)
        except FieldError as exc:
            errors = messages.field_errors(exc)
        else:
            url, wanted = "", []
    return render_template("admin/webhooks.html", org=org, hooks=_hooks().list(org), types=TYPES, all=ALL,
                           host_of=host_of, errors=errors, created=created, url=url,
                           wanted=wanted), 400 if errors else 200


@bp.post("/webhooks/<int:webhook_id>/remove")
def remove_webhook(webhook_id: int) -> Response:
    org = org_id()
    try:
        _hooks().remove(webhook_id, me().id, [org])
    except (UnknownError, NotPermittedError):
        abort(404)
    flash(_("Webhook #%(id)s removed: it gets no more events.", id=webhook_id), "success")
    return redirect(url_for("admin.webhooks", org=org))
