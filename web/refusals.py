"""The engine's refusals of an action (``InvalidStateError`` and the plain ``ApprovalsError``
of a misconfigured server or process) in the user's language.

web/messages.py words the refusals of a form, field by field; this module words the refusals
of an action on a request or task, which reach a page as a flash or an error page. Each entry
matches one ``raise`` in approvals/ (tests/web/test_refusals_translated.py walks them all, so a
new refusal without words here fails a test rather than showing English on a Chinese page).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from web import labels
from web.i18n import gettext as _

Words = Callable[[re.Match[str]], str]


def _status(code: str) -> str:
    return labels.word(labels.REQUEST_STATUS, code)


def _task(code: str) -> str:
    return labels.word(labels.TASK_STATUS, code)


_REFUSALS: list[tuple[str, Words]] = [
    # approvals/service.py
    (r"^task #(\d+) is a \w+ step; it is not decided$",
     lambda m: _("Step #%(id)s is not a decision: it is only acknowledged or reported.", id=m[1])),
    (r"^task #(\d+) is not a report$", lambda m: _("Step #%(id)s is not a report.", id=m[1])),
    (r"^task #(\d+) is a \w+ step, not a filing or copy$",
     lambda m: _("Step #%(id)s is not a filing or a copy, so there is nothing to acknowledge.", id=m[1])),
    (r"^request #(\d+) is (\w+); it can no longer be withdrawn$",
     lambda m: _("Request #%(id)s is %(status)s: it can no longer be withdrawn.", id=m[1], status=_status(m[2]))),
    (r"^request #(\d+) already has a decision; it can no longer be withdrawn$",
     lambda m: _("Request #%(id)s already has a decision: it can no longer be withdrawn.", id=m[1])),
    (r"^request #(\d+) is (\w+); only a returned request is resubmitted$",
     lambda m: _("Request #%(id)s is %(status)s: only a request returned for changes is resubmitted.",
                 id=m[1], status=_status(m[2]))),
    (r"^task #(\d+) is a \w+ step; only decisions are urged$",
     lambda m: _("Step #%(id)s is not a decision: only a decision waiting on someone is urged.", id=m[1])),
    # approvals/notifications/urges.py (TooSoonError)
    (r"^task #(\d+) was urged at (.+); its holder can be urged again from (.+)$",
     lambda m: _("This step was urged at %(last)s; its holder can be urged again from %(next)s.",
                 last=m[2], next=m[3])),
    # approvals/process/deadlines.py (ReportNotOpenError)
    (r"^the report can be filed from (\S+), once the trip has started; today is (\S+)$",
     lambda m: _("The report can be sent from %(day)s, once the trip has started (today is %(today)s). "
                 "What you wrote is kept below.", day=m[1], today=m[2])),
    # approvals/operations/base.py
    (r"^task #(\d+) is a \w+ step; only a decision can be .+$",
     lambda m: _("Step #%(id)s is not a decision: only a decision is transferred, added to or asked about.",
                 id=m[1])),
    # approvals/operations/countersign_add.py (加签 added opinion, 减签 removing it)
    (r"^task #(\d+) \((.*)\) waits for the opinion of the approver added before you",
     lambda m: _("%(step)s waits for the opinion of the approver added before you (加签): decide when it "
                 "comes back, or remove them (减签).", step=m[2])),
    (r"^task #(\d+) is itself an added opinion \(加签\); only the step's holder adds$",
     lambda m: _("This is an opinion you were asked for (加签): only the step's holder adds approvers.")),
    (r"^task #(\d+) \((.*)\) was not added by 加签; nothing to remove$",
     lambda m: _("%(step)s was not added by 加签, so there is nothing to remove (减签).", step=m[2])),
    (r"^task #(\d+) gates no task of request #(\d+)$",
     lambda m: _("This added opinion no longer holds up any step of request #%(id)s.", id=m[2])),
    # approvals/operations/transfer.py (转办)
    (r"^task #(\d+) is an opinion added by (\S+) \(加签\); it is answered by the person asked",
     lambda m: _("This is an opinion you were asked for (加签): answer it yourself; it cannot be "
                 "transferred (转办).")),
    (r"^task #(\d+) \((.*)\) waits on an added approver \(加签\); remove them \(减签\) before",
     lambda m: _("%(step)s waits on an added approver (加签): remove them (减签) before transferring "
                 "it (转办).", step=m[2])),
    # approvals/operations/terminate.py (终止)
    (r"^request #(\d+) is (\w+); only a request in progress is terminated$",
     lambda m: _("Request #%(id)s is %(status)s: only a request in progress can be terminated.",
                 id=m[1], status=_status(m[2]))),
    # approvals/operations/ask.py (沟通: a question closes with its request)
    (r"^request #(\d+) is (\w+); its questions are closed$",
     lambda m: _("Request #%(id)s is %(status)s: its questions closed with it and can no longer be answered.",
                 id=m[1], status=_status(m[2]))),
    # approvals/operations/rewind.py (拿回 take back, 退回 send back)
    (r"^request #(\d+) is (\w+); there is nothing to take back$",
     lambda m: _("Request #%(id)s is %(status)s: there is nothing to take back.", id=m[1],
                 status=_status(m[2]))),
    (r"^(\S+) signed (.*) as one of a group \(会签/或签\)",
     lambda m: _("You signed %(step)s as one of a group (会签/或签): a group's signature is not taken "
                 "back. Ask the next approver to send it back (退回).", step=m[2])),
    (r"^task #(\d+) is an added opinion \(加签\); return or reject it instead$",
     lambda m: _("This is an opinion you were asked for (加签): return or reject it instead.")),
    (r"^(\S+)'s latest decision on request #(\d+) \((.*)\) was (\w+)",
     lambda m: _("Your latest decision on request #%(id)s (%(step)s) was: %(status)s. Only an approval "
                 "of a step on the route is taken back.", id=m[2], step=m[3], status=_task(m[4]))),
    # approvals/process/engine.py: a page older than the request (reload it) or a process that cannot go on
    (r"^task (\S+) is not part of this request's workflow$",
     lambda m: _("This step is no longer part of the request; reload the page.")),
    (r"^task (\S+) is not waiting for a decision$",
     lambda m: _("This step is no longer waiting for a decision; reload the page.")),
    (r"^step '(.*)' has not been completed; nothing to go back to$",
     lambda m: _("That step has not been completed yet, so there is nothing to go back to.")),
    (r"^process (\S+) stopped before its end in a dry run$",
     lambda m: _("The route of process %(id)s cannot be worked out to its end; ask an administrator to "
                 "check the process file.", id=m[1])),
    (r"^group step '(.*)' reached outside the engine$|^(?:scripts|service tasks) are not run: |"
     r"^process (\S+): ",
     lambda m: _("The process cannot go on from this step; ask an administrator to check the process "
                 "file.")),
    # approvals/store/orgcharts.py
    (r"^no org chart loaded for |^several organizations are loaded|^organization '.*' has no org chart",
     lambda m: _("The org chart this needs is not loaded on this server; ask an administrator.")),
    # server settings read when the action runs (urge interval, worker intervals)
    (r"^(APPROVALS_\w+)=(\S*)(?:: expected | is )",
     lambda m: _("The server setting %(name)s is invalid; ask the administrator to correct it.", name=m[1])),
]

_COMPILED = [(re.compile(pattern), words) for pattern, words in _REFUSALS]


def refusal_text(message: str) -> str | None:
    """The refusal in the UI language, or None when no entry matches ``message``."""
    for pattern, words in _COMPILED:
        match = pattern.search(message)
        if match:
            return words(match)
    return None
