"""The notification centre (/notifications): what the engine told a person, newest first, each
linking to where they act; opening one marks it read, and so does "mark all as read"."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers.response import Response

from approvals.errors import FieldError
from approvals.notifications import delivery, links, settings
from approvals.notifications.centre import Centre, Shown
from approvals.notifications.channels import ROBOTS
from web import labels
from web.engine import engine, now
from web.i18n import gettext as _
from web.messages import issue_text
from web.presenters import name
from web.users import admin_required, me

bp = Blueprint("notifications", __name__)
PAGE = 30
ROBOT_NAMES = tuple(c for c in ROBOTS if c != "webhook")


bp.before_request(login_required(lambda: None))  # every page here needs a signed-in person


@dataclass(frozen=True)
class Line:
    shown: Shown
    text: str
    url: str | None


def _text(n: Shown, what: str) -> str:  # noqa: C901 - one plain branch per kind reads better than a table
    p, rid = n.params, n.request_id
    if n.kind == "task":
        return _("%(what)s #%(id)s waits for your decision.", what=what, id=rid)
    if n.kind == "filing":
        return _("%(what)s #%(id)s is filed with your unit; acknowledge it.", what=what, id=rid)
    if n.kind == "report_due":
        return _("Your report on %(what)s #%(id)s is due by %(day)s.", what=what, id=rid, day=p.get("due_on") or "")
    if n.kind == "urged":
        return _("%(name)s urged you to decide %(what)s #%(id)s.", name=name(p.get("by")), what=what, id=rid)
    if n.kind == "returned":
        return _("%(what)s #%(id)s was returned by %(name)s: %(comment)s", what=what, id=rid, name=name(p.get("by")),
                 comment=p.get("comment", ""))
    if n.kind == "decided":
        return _decided(p.get("status"), what, rid)
    if n.kind == "moved":
        return _moved(p, what, rid)
    if n.kind == "overdue":
        return _("%(what)s #%(id)s waits for you: %(n)s working days overdue.", what=what, id=rid, n=p.get("days"))
    if n.kind == "report_late":
        return _("Your report on %(what)s #%(id)s is %(n)s working days overdue.", what=what, id=rid, n=p.get("days"))
    if n.kind == "escalated":
        return _("%(name)s's step on %(what)s #%(id)s is %(n)s working days overdue.", name=name(p.get("holder")),
                 what=what, id=rid, n=p.get("days"))
    return _told(n, what)


def _told(n: Shown, what: str) -> str:
    """The operations' notices: each says who did it and why (docs/notifications.md)."""
    p, rid = n.params, n.request_id
    who, reason = name(p.get("by")), p.get("reason", "")
    if n.kind == "transferred":
        return _("%(name)s transferred %(what)s #%(id)s to you (转办). Reason: %(reason)s", name=who, what=what,
                 id=rid, reason=reason)
    if n.kind == "added" and p.get("mode") == "after":
        return _("%(name)s asks for your opinion on %(what)s #%(id)s after theirs (加签). Reason: %(reason)s",
                 name=who, what=what, id=rid, reason=reason)
    if n.kind == "added":
        return _("%(name)s asks for your opinion on %(what)s #%(id)s before theirs (加签). Reason: %(reason)s",
                 name=who, what=what, id=rid, reason=reason)
    if n.kind == "question":
        return _("%(name)s asks you about %(what)s #%(id)s (沟通): %(question)s", name=who, what=what, id=rid,
                 question=p.get("question", ""))
    if n.kind == "answer":
        return _("%(name)s answered your question on %(what)s #%(id)s: %(answer)s", name=who, what=what, id=rid,
                 answer=p.get("answer", ""))
    if n.kind == "terminated":
        return _("%(what)s #%(id)s was terminated by %(name)s. Reason: %(reason)s", what=what, id=rid, name=who,
                 reason=reason)
    return _("%(what)s #%(id)s changed.", what=what, id=rid)


def _moved(p: dict[str, object], what: str, rid: int | None) -> str:
    """A task that changed hands without anyone deciding: what happened, never "moved to you
    from X" when X did nothing (as approvals/notifications/render.py says it outside the app)."""
    old, by, reason = name(str(p.get("from") or "")), p.get("by"), p.get("reason")
    if reason == "orgchart":
        if p.get("comment"):
            return _("Personnel change: %(what)s #%(id)s, held by %(old)s, is now yours after %(by)s changed the "
                     "org chart (%(why)s).", what=what, id=rid, old=old, by=name(str(by or "")), why=p["comment"])
        return _("Personnel change: %(what)s #%(id)s, held by %(old)s, is now yours after %(by)s changed the "
                 "org chart.", what=what, id=rid, old=old, by=name(str(by or "")))
    if reason == "delegation":
        if by in (None, p.get("from")):
            return _("Acting approver: %(old)s named you to act for them on %(what)s #%(id)s.",
                     old=old, what=what, id=rid)
        return _("Acting approver: %(by)s named you to act for %(old)s on %(what)s #%(id)s.",
                 by=name(str(by)), old=old, what=what, id=rid)
    if reason == "delegation ended":
        return _("Acting approver ended: %(what)s #%(id)s is back with you from %(old)s.", what=what, id=rid, old=old)
    return _("%(what)s #%(id)s was moved to you from %(name)s.", what=what, id=rid, name=old)


def _decided(status: str | None, what: str, rid: int | None) -> str:
    if status == "approved":
        return _("%(what)s #%(id)s was approved.", what=what, id=rid)
    if status == "rejected":
        return _("%(what)s #%(id)s was rejected.", what=what, id=rid)
    return _("%(what)s #%(id)s is complete.", what=what, id=rid)


def _request_labels(shown: list[Shown]) -> list[str]:
    """What each notification's request is (离孝审批, 会议审批 ...), read in one query."""
    app = engine()
    requests = app.queries.requests(n.request_id for n in shown if n.request_id is not None)
    result = []
    for n in shown:
        req = requests.get(n.request_id or 0)
        result.append(labels.request_name(req) if req is not None else _("Request"))
    return result


def _url(n: Shown) -> str | None:
    """The page the notification leads to: the same path its e-mail links to (``links.path``)."""
    where = links.path(n.kind, n.request_id, n.task_id)
    return f"{request.script_root}{where}" if where else None


def _me() -> str:
    return me().id


@bp.get("/notifications")
def index() -> str:
    page = max(1, request.args.get("page", 1, type=int))
    shown, total = Centre(engine().db).page(_me(), PAGE, (page - 1) * PAGE)
    lines = [Line(n, _text(n, what), _url(n)) for n, what in zip(shown, _request_labels(shown), strict=True)]
    return render_template("notifications.html", lines=lines, total=total, page=page, per_page=PAGE)


@bp.post("/notifications/<int:notification_id>/open")
def open_one(notification_id: int) -> Response:
    """Mark one read and go where it leads (back to the list when it leads nowhere). The target
    is worked out from the stored notification, never taken from the form."""
    centre = Centre(engine().db)
    shown = centre.get(_me(), notification_id)
    if shown is None:
        abort(404)
    centre.mark_read(_me(), now(), [notification_id])
    return redirect(_url(shown) or url_for("notifications.index"))


@bp.post("/notifications/read")
def read_all() -> Response:
    Centre(engine().db).mark_read(_me(), now())
    return redirect(url_for("notifications.index"))


# ---- the admin's dead-letter list ---------------------------------------------------------------

@bp.get("/admin/messages")
@admin_required
def dead_letters() -> str:
    """Messages given up on after every retry, of the organizations the admin administers."""
    return render_template("notifications_dead.html", dead=delivery.dead(engine().db, me().admin_of))


@bp.post("/admin/messages/retry")
@admin_required
def retry_dead() -> Response:
    ids = [int(i) for i in request.form.getlist("message") if i.isdigit()]
    count = delivery.retry(engine().db, ids, now(), me().admin_of)
    flash(_("%(n)s message(s) will be sent again.", n=count), "success")
    return redirect(url_for("notifications.dead_letters"))


# ---- a person's own channels ---------------------------------------------------------------------

@bp.route("/notifications/settings", methods=["GET", "POST"])
def my_settings() -> str | Response | tuple[str, int]:
    """My e-mail address (e-mail on when given), and the organization's group robots I may turn
    off for my own notifications."""
    user = me()
    org = user.chart.organization.id
    db = engine().db
    error = None
    typed = None
    mail_ready = bool(current_app.config.get("APPROVALS_SMTP_HOST"))  # e-mail is set up on this server
    if request.method == "POST":
        address = request.form.get("email", "").strip()
        try:
            if mail_ready:
                settings.put(db, org, user.id, "email", address, enabled=bool(address))
            for channel in ROBOT_NAMES:
                if f"robot-{channel}" in request.form.getlist("shown"):
                    settings.put(db, org, user.id, channel, enabled=request.form.get(f"robot-{channel}") == "on")
        except FieldError as exc:
            error = _address_problem(exc)
            typed = "".join(c for c in address if c.isprintable())  # what they typed, minus what was refused
        else:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notifications.my_settings"))
    own, org_wide = settings.of_person(db, org, user.id)
    robots = [(c, getattr(own.get(c), "enabled", True)) for c in ROBOT_NAMES if c in org_wide and org_wide[c].enabled]
    mail = own.get("email")
    stored = mail.target if mail and mail.enabled else ""
    html = render_template("notifications_settings.html", email=stored if typed is None else typed,
                           robots=robots, error=error, mail_off=not getattr(org_wide.get("email"), "enabled", True),
                           mail_ready=mail_ready)
    return (html, 400) if error else html


def _address_problem(err: FieldError) -> str:
    """'E-mail address "a@b.cn, c@d.cn": give exactly one address …': the field, the value as
    typed (invisible characters written as \\uXXXX) and why (approvals/notifications/settings.py)."""
    issue = err.issues[0]
    if issue.message == settings.ONE_ADDRESS:
        why = _("Give exactly one address: this holds several, or a space or line break.")
    elif issue.message.startswith(settings.NOT_AN_ADDRESS):
        why = _("That is not an e-mail address (%(detail)s).", detail=issue.message[len(settings.NOT_AN_ADDRESS):])
    else:
        why = issue_text(issue)
    shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in str(issue.value))
    return _("E-mail address “%(value)s”: %(why)s", value=shown, why=why)
