"""Words for the engine's codes (statuses, step kinds, roles, audit actions) in the UI language.

The engine speaks in stable codes so the CLI, the audit trail and the UI agree; this module
is the single place that turns a code into words, so a page never shows ``unit_head``.
"""

from __future__ import annotations

from typing import Any, Protocol

from flask_babel import lazy_gettext as _l

from approvals.errors import ApprovalsError
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import is_group_role, list_roles
from web.engine import engine
from web.i18n import gettext as _
from web.i18n import is_english

REQUEST_STATUS = {
    "pending": _l("In progress"),
    "approved": _l("Approved, report due"),
    "completed": _l("Completed"),
    "rejected": _l("Rejected"),
    "returned": _l("Returned for changes"),
    "withdrawn": _l("Withdrawn"),
    "terminated": _l("Terminated"),
}
TASK_STATUS = {
    "open": _l("Waiting"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "returned": _l("Returned"),
    "acknowledged": _l("Acknowledged"),
    "reported": _l("Reported"),
    "cancelled": _l("Cancelled"),
    "skipped": _l("Skipped (no self-approval)"),
    "satisfied": _l("Merged with the previous step (no double signing)"),
    "skipped_vacant": _l("Skipped: the post is vacant"),
    "not_needed": _l("Not needed: another member of the group decided"),
    # operations on an open task (docs/operations.md)
    "transferred": _l("Transferred"),
    "held": _l("Waiting for an added approver"),
    "open_after": _l("Waiting (an approver is added after)"),
    "queued": _l("After the holder"),
    "removed": _l("Removed"),
    "taken_back": _l("Taken back"),
    "sent_back": _l("Sent back"),
}
# A step a timer closed (decided_by "system", approvals/operations/timeouts.py): 超时自动处理.
AUTO_STATUS = {
    "approved": _l("Approved automatically: time limit reached"),
    "rejected": _l("Rejected automatically: time limit reached"),
    "returned": _l("Returned automatically: time limit reached"),
    "transferred": _l("Transferred automatically: time limit reached"),
}
# Where a task row came from when an operation made it (tasks.origin).
ORIGIN = {
    "transfer": _l("transferred by %(name)s"),
    "before": _l("added before %(name)s"),
    "after": _l("added after %(name)s"),
    "take_back": _l("taken back by %(name)s"),
    "send_back": _l("sent back by %(name)s"),
}
ADD_MODE = {"before": _l("before you"), "after": _l("after you")}
KIND = {
    "approve": _l("Approval"),
    "consent": _l("Consent"),
    "record": _l("Record outside decision"),
    "report": _l("Report"),
    "file": _l("Filing"),
    "copy": _l("Copy"),
}
DECISION = {"approve": _l("Approve"), "reject": _l("Reject"), "return": _l("Return for changes")}
ACTION = {
    "submitted": _l("Submitted"),
    "resubmitted": _l("Resubmitted"),
    "assigned": _l("Assigned"),
    "decided": _l("Decided"),
    "filed": _l("Sent for filing"),
    "copied": _l("Copied"),
    "acknowledged": _l("Acknowledged"),
    "reported": _l("Report filed"),
    "skipped": _l("Skipped"),
    "satisfied": _l("Merged"),
    "withdrawn": _l("Withdrawn"),
    "urged": _l("Urged"),
    "reassigned": _l("Reassigned"),
    "delegated": _l("Acting approver named"),
    "delegation_revoked": _l("Acting approver withdrawn (left the org chart)"),
    "orgchart_saved": _l("Org chart saved"),
    "signed_in": _l("Signed in"),
    "sign_in_failed": _l("Sign-in failed"),
    "locked_out": _l("Locked after failed sign-ins"),
    "signed_out": _l("Signed out"),
    "password_changed": _l("Password changed"),
    "account_disabled": _l("Account disabled"),
    "account_enabled": _l("Account enabled"),
    "not_needed": _l("Closed: another member of the group decided"),
    "transferred": _l("Transferred (转办)"),
    "approver_added": _l("Approver added (加签)"),
    "approver_removed": _l("Added approver removed (减签)"),
    "taken_back": _l("Taken back (拿回)"),
    "sent_back": _l("Sent back to an earlier step (退回)"),
    "terminated": _l("Terminated (终止)"),
    "asked": _l("Question asked (沟通)"),
    "answered": _l("Question answered"),
    "attached": _l("File attached to an opinion"),
    "opened": _l("Opened (已阅)"),
    "timer_fired": _l("Timer fired (超时提醒)"),
    # administrators' actions (三员分立: the audit administrator's page)
    "password_reset": _l("Password reset by an administrator"),
    "directory_synced": _l("People synced from the directory"),
    "two_factor_reset": _l("Two factors cleared"),
    "api_client_created": _l("API client created"),
    "api_client_rotated": _l("API client secret rotated"),
    "api_client_revoked": _l("API client revoked"),
    "audit_hash_switched": _l("Audit hash function switched"),
    "office_refused": _l("Administrator page refused"),
}
# %(body)s: what the organization is (局, 委, 厅...), from its name (``body``).
CATEGORY = {
    "chief": _l("head of the %(body)s"),
    "leader": _l("%(body)s leader"),
    "county_cadre": _l("county-level cadre"),
    "unit_head": _l("head of a unit"),
    "unit_deputy": _l("deputy head of a unit"),
    "staff": _l("staff"),
}
UNIT_KIND = {
    "leadership": _l("leadership"),
    "section": _l("section of the %(body)s"),
    "affiliated": _l("affiliated unit"),
    "contractor": _l("contractor in the %(body)s"),
}
REASON = {
    "open": _l("decides"),
    "sent": _l("receives it"),
    "report": _l("receives your report after the trip"),
    "skipped_self": _l("skipped: you hold this post yourself (no self-approval)"),
    "satisfied": _l("merged: the same person signed the step before (no double signing)"),
    "skipped_vacant": _l("skipped: the post is vacant, and the process passes over this step then"),
}


# An organization's name ends in what it is; role labels say 局领导 for a 局, 委领导 for a 委.
BODIES = (("委员会", "委", "commission"), ("办公室", "办", "office"), ("中心", "中心", "centre"),
          ("局", "局", "bureau"), ("委", "委", "commission"), ("厅", "厅", "department"),
          ("院", "院", "institute"), ("署", "署", "administration"), ("办", "办", "office"))


def body(chart: OrgChart | None) -> str:
    """What the organization is, as its role labels say it: 局 for XX市自然资源和规划局, 委 for
    XX市发展和改革委员会 (English: bureau, commission...), read off the end of its name;
    单位 / organization when the name ends in none of these (docs/orgcharts.md)."""
    name = chart.organization.name if chart is not None else ""
    for suffix, zh, en in BODIES:
        if name.endswith(suffix):
            return en if is_english() else zh
    return "organization" if is_english() else "单位"


def in_body(table: dict[str, Any], code: str | None, chart: OrgChart | None) -> str:
    """``word`` for labels that name the organization (CATEGORY, UNIT_KIND)."""
    return word(table, code).replace("%(body)s", body(chart))


def word(table: dict[str, Any], code: str | None) -> str:
    """The label for ``code``, or the code itself for one this UI does not know yet."""
    if code is None:
        return ""
    return str(table.get(code, code))


def role(chart: OrgChart | None, code: str, applicant: str | None = None) -> str:
    """Who a role is, in words, for this applicant: "head of 规划科", "filing (人事科)"."""
    unit = chart.unit_of(applicant) if chart and applicant and applicant in chart.people else None
    if is_group_role(code):
        return group_role(chart, code, applicant)
    if code == "unit_head":
        return _("Head of %(unit)s", unit=unit.name) if unit else _("Head of the applicant's unit")
    if code == "supervisor":
        return (
            _("Supervising %(body)s leader of %(unit)s", body=body(chart), unit=unit.name)
            if unit
            else _("Supervising %(body)s leader", body=body(chart))
        )
    if code == "chief":
        return _("Head of the %(body)s", body=body(chart))
    if code == "organ_leader":
        return _("Leader of the %(body)s in charge of its organ", body=body(chart))
    if code == "applicant":
        return _("The applicant")
    if code == "last_approver":
        return _("The last approver")
    if code.startswith("duty:"):
        duty_id = code.removeprefix("duty:")
        unit_id = chart.duties.get(duty_id) if chart else None
        where = chart.units[unit_id].name if chart and unit_id in chart.units else duty_id
        return _("%(duty)s (%(unit)s)", duty=duty(chart, duty_id), unit=where)
    return _("Post %(post)s", post=code)


def group_role(chart: OrgChart | None, code: str, applicant: str | None = None) -> str:
    """A group step's role in words: "Members of 局领导班子", "Head of 规划科, Supervising leader"."""
    parts = list_roles(code)
    if parts is not None:
        return ", ".join(role(chart, part, applicant) for part in parts)
    which, scope = code.split(":", 1)
    where = scope
    if chart is not None and scope == "unit" and applicant is not None and applicant in chart.people:
        where = chart.unit_of(applicant).name
    elif chart is not None and scope == "leadership":
        where = next((u.name for u in chart.units.values() if u.kind == "leadership"), scope)
    elif scope.startswith("duty:"):
        where = role(chart, scope, applicant)
    if which == "deputies":
        return _("Deputies of %(unit)s", unit=where)
    return _("Members of %(unit)s", unit=where)


def request_type(code: str, org_id: str | None = None, process_name: str = "") -> str:
    """The process's own name (离孝审批, 离渝报备审批: each bureau names its route); on English
    pages its ``name_en`` property. The request type's code when the file gives no name."""
    if is_english():
        return _process_name(code, org_id, english=True) or process_name or code
    return process_name or _process_name(code, org_id) or code


class _Request(Protocol):
    """A stored request as far as its name goes (an ORM ``Request`` or a ``ListedRequest``)."""

    @property
    def process_id(self) -> str: ...
    @property
    def process_sha(self) -> str: ...
    @property
    def request_type(self) -> str: ...
    @property
    def org_id(self) -> str: ...


def request_name(req: _Request) -> str:
    """A request's name as its own process version calls it: a deploy that renames the process
    does not rename the requests already made (lists, the trail, the notification centre)."""
    try:
        defn = engine().service.definition_of(req)
    except ApprovalsError:
        return request_type(req.request_type, req.org_id)
    if is_english():
        return defn.name_en or defn.name or req.request_type
    return defn.name or req.request_type


def _process_name(code: str, org_id: str | None, *, english: bool = False) -> str:
    app = engine()
    try:
        defn = app.service.definition_for(app.orgcharts.current(org_id), code)
    except ApprovalsError:
        return ""
    return defn.name_en if english else defn.name


# admin: audit actions of process deployment (approvals/operations/deploy.py)
ACTION["process_deployed"] = _l("Process deployed")
ACTION["delegation_ended"] = _l("Acting approver withdrawn or ended early")

# admin: positions in a unit and form fields of the personnel-change forms (web/admin/changes.py)
POSITION = {"head": _l("principal head"), "deputy": _l("deputy head"), "supervisor": _l("supervising leader")}
FORM_FIELD = {
    "person": _l("the person"),
    "unit": _l("the unit"),
    "position": _l("the position"),
    "name": _l("the name"),
    "title": _l("the title"),
    "duty": _l("the duty"),
    "successor": _l("the successor"),
}


def position(chart: OrgChart | None, code: str, unit_id: str) -> str:
    """A unit position ("head of 财务科") or a post ("Head of the bureau") in words."""
    if code not in POSITION:
        return role(chart, code)
    unit = chart.units.get(unit_id) if chart and unit_id else None
    if unit is None:
        return str(POSITION[code])
    return _("%(position)s of %(unit)s", position=POSITION[code], unit=unit.name)


def duty(chart: OrgChart | None, code: str) -> str:
    """A duty's name as the chart gives it (``duties.<duty>.name``, ``name_en`` on English
    pages), or its id when the chart gives none: process authors' words live in the chart."""
    info = chart.duty_info.get(code) if chart else None
    if info is None:
        return code
    return (info.name_en if is_english() else info.name) or info.name or code


def form_field(name: str) -> str:
    return word(FORM_FIELD, name)
