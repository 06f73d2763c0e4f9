"""What a step does when its post is vacant (空岗处理), per step: the property ``if_vacant``
(docs/processes.md, "When a post is vacant").

- ``refuse`` (the default, the seeds' rule 3): the request is refused at submission naming the
  post; a post falling vacant mid-route leaves the task for an administrator to place;
- ``skip``: the step is passed over, and the trail says why;
- ``admin``: the organization's administrator holds it (the head of the unit holding duty
  ``filing``, 人事科, who administers the organization by default: docs/users.md);
- a role (``chief``, ``organ_leader``, ``duty:office``...): the holder of that role, resolved
  for the applicant, holds it. A vacant fallback is refused like any vacant post.

The same rule serves the route (``engine``: submission, preview, a step reached later) and a
chart saved while the step is open (``orgadmin``), so a step never does two things.
"""

from __future__ import annotations

import re

from approvals.errors import Issue, VacantPostError
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import Resolution, resolve

REFUSE, SKIP, ADMIN = "refuse", "skip", "admin"
ADMIN_ROLE = "duty:filing"
_ROLE = re.compile(r"^(duty:[A-Za-z0-9_.-]+|[a-z][a-z0-9_]*)$")
_NOT_FALLBACKS = ("applicant", "last_approver")


def policy_problem(value: str, kind: str, group: str | None) -> str | None:
    """Why ``if_vacant=value`` cannot be on a step of ``kind`` (None: it can)."""
    if value == REFUSE:
        return None
    if kind not in ("approve", "consent", "record") or group is not None:
        return ("only a single decision step (not a group step, report, filing or copy) may skip or hand on "
                "a vacant post")
    if value in (SKIP, ADMIN):
        return None
    if not _ROLE.match(value) or value in _NOT_FALLBACKS:
        return f"expected {REFUSE}, {SKIP}, {ADMIN} or one role (chief, organ_leader, duty:office, ...)"
    return None


def fallback(chart: OrgChart, policy: str, applicant: str, vacant: VacantPostError) -> tuple[Resolution | None, str]:
    """Who holds a step whose post is vacant, under ``policy``, and the note the trail keeps;
    None: the step is skipped. Raises ``vacant`` again for ``refuse``."""
    if policy == REFUSE:
        raise vacant
    if policy == SKIP:
        return None, f"skipped: {vacant.post} is vacant (role {vacant.role}); the step's if_vacant is skip"
    role = ADMIN_ROLE if policy == ADMIN else policy
    who = resolve(chart, role, applicant)
    whose = "the organization's administrator" if policy == ADMIN else f"role {role}"
    return who, f"{vacant.post} is vacant (role {vacant.role}): handed to {whose} by the step's if_vacant"


def check(value: str, kind: str, group: str | None, here: str, issues: list[Issue]) -> None:
    problem = policy_problem(value, kind, group)
    if problem is not None:
        issues.append(Issue(f"{here} property if_vacant", value, problem))
