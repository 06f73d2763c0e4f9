"""Who may hold a decision on a request: the one check behind rule 1 (no self-approval).

A decision reaches a person in several ways, and every one of them goes through here:

- the route at submission: ``engine.py`` resolves each role and skips a step the applicant
  would hold (``SKIPPED_SELF``), so the route never assigns her own request to her;
- a delegation named now (``ApprovalService.delegate``): ``check_delegate`` refuses a
  delegate who could not act on the decisions that would move to them;
- a delegation in force when a task is created: the task's INSERT picks the delegate
  (``delegations.delegate_or``), which passes over a delegate who is the request's applicant
  (the same rule, written in SQL so that no query per task is needed); the task then stays
  with the post holder;
- a chart change (``orgadmin``): a task whose new holder is the applicant is skipped, as the
  route would have skipped it at submission (``handover.py``);
- deciding (``ApprovalService.decide``): ``check_actor`` refuses the applicant whatever the
  task's assignee says, as a last line of defence.

Acknowledging a filing or copy (备案/抄送) is not checked here: rule 5 says they are not
approvals and never block the route, and the route itself sends a filing to the applicant's
own unit when she heads it (the unit still registers it); the audit trail says who did it.

- operations on an open task (``approvals/operations``): 转办 transfer and 加签 add approver
  refuse a person ``holder_refusal`` names a reason for (``base.check_person``, FieldError on
  ``to``/``person``); 退回 send back checks the person who decided the earlier step again
  (they may have left the chart since); every operation refuses the applicant as actor
  (``check_actor``, through ``base.require_holder``).

A new operation that hands a task to someone must call ``holder_refusal`` (or
``check_holder``) for that person before it assigns the task.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from approvals.errors import FieldError, Issue, NotPermittedError
from approvals.people.offices import Offices
from approvals.people.orgchart.model import OrgChart

DISCIPLINE_ROLE = "duty:discipline"
# Group steps of the discipline unit (docs/processes.md, "Group steps") are its steps too.
DISCIPLINE_GROUPS = ("members:duty:discipline", "deputies:duty:discipline")
DISCIPLINE_KINDS = ("consent", "record")  # an opinion, or an outside decision recorded; never approve


def is_discipline_step(role: str) -> bool:
    """Whether a step is addressed to the discipline duty (纪检意见): the only steps an inspector
    may act on, and then only to give consent or record (never ``approve``: processes are
    refused at load otherwise)."""
    return role == DISCIPLINE_ROLE or role in DISCIPLINE_GROUPS


@dataclass(frozen=True)
class Waiting:
    """A decision as eligibility needs it: which request, whose, which step and role."""

    task_id: int
    request_id: int
    applicant: str
    step: str
    role: str


def holder_refusal(chart: OrgChart, person: str, decision: Waiting, offices: Offices) -> str | None:
    """Why ``person`` may not hold ``decision`` (None: they may). The sentence completes
    "<person> ..." and names the request."""
    if person not in chart.people:
        return f"is not in the org chart of {chart.organization.name} (has left, or works elsewhere)"
    if person == decision.applicant:
        return (f"is the applicant of request #{decision.request_id} ({decision.step}), "
                "and nobody approves their own request")
    if offices.is_inspector(chart, person) and not is_discipline_step(decision.role):
        return (f"is a discipline inspector and may not decide request #{decision.request_id} "
                f"({decision.step}): inspectors decide only discipline steps")
    return None


def check_holder(chart: OrgChart, person: str, decision: Waiting, offices: Offices) -> None:
    """``holder_refusal`` as an error, for operations that hand a task to someone."""
    reason = holder_refusal(chart, person, decision, offices)
    if reason is not None:
        raise NotPermittedError(f"{person} {reason}")


def check_actor(actor: str, applicant: str, request_id: int, step: str) -> None:
    """Whoever the task is assigned to, its request's applicant never decides it."""
    if actor == applicant:
        raise NotPermittedError(
            f"{actor} is the applicant of request #{request_id} and may not decide its step "
            f"{step!r}: nobody approves their own request")


def check_delegate(chart: OrgChart, principal: str, delegate: str, moving: Sequence[Waiting],
                   offices: Offices) -> None:
    """Refuse (FieldError on ``delegate``) a delegate who could not act for ``principal``:
    themselves, someone not in the chart, the applicant of a decision that would move to
    them, or an inspector (unless the principal is an inspector too, so the delegate is
    barred from nothing the principal could do, and no non-discipline decision moves)."""
    if delegate == principal:
        return  # delegations.add refuses it, together with any problem of the dates
    if delegate not in chart.people:
        raise FieldError([Issue("delegate", delegate, holder_refusal(chart, delegate, _ANY, offices) or "")])
    reasons = [r for r in (holder_refusal(chart, delegate, d, offices) for d in moving) if r is not None]
    if not reasons and offices.is_inspector(chart, delegate) and not offices.is_inspector(chart, principal):
        reasons.append("is a discipline inspector: inspectors decide only discipline steps, "
                       f"and {principal}'s decisions would wait on them")
    if reasons:
        raise FieldError([Issue("delegate", delegate, reasons[0])])


_ANY = Waiting(0, 0, "", "", "")
