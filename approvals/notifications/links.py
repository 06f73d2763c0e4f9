"""The link an e-mail or robot message carries to where its reader acts.

Messages are written by ``approvals worker``, which has no web request to learn the server's
address from, so the address is a setting: ``APPROVALS_BASE_URL`` (e.g.
``https://oa.example.gov.cn``, the address people open the app at). Without it messages carry
no link, and the worker says so once when it starts. The paths are the web UI's
(web/approver, web/applicant); tests/notifications/test_links.py opens each one in the app.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

BASE_URL_ENV = "APPROVALS_BASE_URL"
log = logging.getLogger("approvals.worker")

# Where each kind of notification leads: the task page for what the reader must decide,
# the questions page for a question, the request page for what happened to a request.
_TASK = ("task", "urged", "moved", "overdue", "transferred", "added", "answer")
_REQUEST = ("report_due", "returned", "decided", "report_late", "terminated")


def base_url(env: Mapping[str, str]) -> str:
    """The configured address without a trailing slash; "" (and a warning in the log) when unset."""
    base = (env.get(BASE_URL_ENV) or "").strip().rstrip("/")
    if not base:
        log.warning("%s is not set: e-mails and robot messages carry no link to the task. Set it to the "
                    "address people open the app at (e.g. https://oa.example.gov.cn)", BASE_URL_ENV)
    elif not base.startswith(("https://", "http://")):
        log.warning("%s=%r does not start with https:// or http://: messages carry no link", BASE_URL_ENV, base)
        return ""
    return base


def path(kind: str, request_id: int | None, task_id: int | None) -> str | None:
    """The page a notification of ``kind`` leads to, as the web UI routes it; None: nowhere."""
    if kind in _TASK and task_id:
        return f"/tasks/{task_id}"
    if kind == "question":
        return "/questions"
    if kind == "filing":
        return "/notices"
    if kind in _REQUEST and request_id:
        return f"/requests/{request_id}"
    return None


def link(base: str, kind: str, request_id: int | None, task_id: int | None) -> str:
    """The full address for a message, or "" when no base URL is set or it leads nowhere."""
    where = path(kind, request_id, task_id)
    return f"{base}{where}" if base and where else ""
