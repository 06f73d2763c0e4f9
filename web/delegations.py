"""The acting-approver (代理审批) form both the approver's own page and the admin's page show:
reading and checking it, naming the delegate through the service, and the delegations the
trail records. The pages themselves are web/approver/delegation.py and web/admin/versions.py."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request

from approvals.audit import search as audit_search
from approvals.errors import FieldError, NotPermittedError, UnknownPersonError
from approvals.people.orgchart.model import OrgChart
from web import messages
from web.engine import engine
from web.i18n import gettext as _
from web.picker import search_words
from web.presenters import name
from web.users import me, offices


def _date(text: str, errors: dict[str, str], key: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors[key] = _("Enter a date as YYYY-MM-DD.")
        return None


def named(principals: Collection[str]) -> list[dict[str, Any]]:
    """Delegations recorded in the audit trail (newest first) for these principals, whoever
    named them (the person or an admin)."""
    query = audit_search.AuditQuery(actions=("delegated",))
    result = []
    for hit in audit_search.search(engine().db, query, limit=500).hits:
        detail = json.loads(hit.entry.detail or "{}")
        principal = detail.get("principal", hit.entry.actor)
        if principal in principals:
            result.append(
                {
                    "principal": principal,
                    "by": hit.entry.actor,
                    "delegate": detail.get("delegate", ""),
                    "starts_on": detail.get("starts_on", ""),
                    "ends_on": detail.get("ends_on", ""),
                    "at": hit.entry.at,
                }
            )
    return result


def handle(
    chart: OrgChart, principal: str, template: str, back: str, **context: Any
) -> str | Response:
    """Show or process the form; on success flash and redirect to ``back``."""
    form = {"principal": principal, "delegate": "", "starts_on": "", "ends_on": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form.update(
            {k: request.form.get(k, "").strip() for k in ("delegate", "starts_on", "ends_on")}
        )
        starts = _date(form["starts_on"], errors, "starts_on")
        ends = _date(form["ends_on"], errors, "ends_on")
        if not principal:
            errors["principal"] = _("Choose whose tasks are delegated.")
        if not form["delegate"]:
            errors["delegate"] = _("Choose the acting approver.")
        if not errors and starts and ends and principal:
            try:
                engine().service.delegate(
                    principal, form["delegate"], starts, ends, actor=me().id, offices=offices()
                )
            except FieldError as exc:  # e.g. the delegate applied for a request that would move
                errors.update(messages.field_errors(exc))
            except UnknownPersonError:
                errors["principal"] = _("No such person in the org chart.")
            except NotPermittedError:
                abort(404)  # an admin naming one in an organization they do not administer
            else:
                flash(
                    _(
                        "From %(start)s to %(end)s, new tasks of %(who)s go to %(delegate)s.",
                        start=starts.isoformat(),
                        end=ends.isoformat(),
                        who=name(principal),
                        delegate=name(form["delegate"]),
                    ),
                    "success",
                )
                return redirect(back)
    people = sorted(chart.people.values(), key=lambda p: (p.unit, p.id))
    status = 400 if errors else 200
    principals = list(chart.people) if context.get("choose_principal") else [principal]
    return render_template(
        template, form=form, errors=errors, people=people, chart=chart,
        search_words=lambda person: search_words(chart, person),
        in_force=engine().accounts.delegations_not_over(principals), back=back, **context
    ), status  # type: ignore[return-value]
