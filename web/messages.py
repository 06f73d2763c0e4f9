"""Engine errors in the user's language.

The engine's messages are English one-liners meant for the CLI and the logs; its errors also
carry structure (``FieldError.issues``, ``VacantPostError.role``), which is what this module
reads to say the same thing in the UI language, next to the field it is about. Refusals of an
action are worded in web/refusals.py; one neither module recognises is shown as the engine
wrote it on an English page, and as a plain sentence in the page's language (the engine's
words logged) on any other.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from approvals.crypto import CryptoError
from approvals.errors import (
    ApprovalsError,
    ConflictError,
    FieldError,
    Issue,
    NotPermittedError,
    RuleRefusalError,
    UnknownError,
    VacantPostError,
)
from approvals.people.orgchart.model import OrgChart
from web import labels
from web.engine import engine
from web.i18n import gettext as _
from web.i18n import is_english
from web.localtime import when
from web.refusals import refusal_text
from web.users import me

log = logging.getLogger(__name__)

_FIELD_NAME = re.compile(r"^field '([^']+)'")

# Refusals of approvals/text.py and approvals/uploads.py (hidden characters, file kinds).
_INPUT_ISSUES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^contains a (?:NUL|control) character, (U\+[0-9A-F]{4}).*, at character (\d+);"),
        lambda m: _(
            "Remove the invisible control character %(code)s at character %(n)s (retyping "
            "the text usually does).",
            code=m[1],
            n=m[2],
        ),
    ),
    (
        re.compile(r"^contains a bidirectional-text control, .*(U\+[0-9A-F]{4}).*, at character (\d+);"),
        lambda m: _(
            "Remove the invisible text-direction mark %(code)s at character %(n)s: it makes "
            "the text read differently from what is stored.",
            code=m[1],
            n=m[2],
        ),
    ),
    (re.compile(r"^is an empty file$"), lambda m: _("The file is empty.")),
    (
        re.compile(r"^is (?:a \w+ file|not a file of an accepted kind); accepted: (.+)$"),
        lambda m: _("Files of this kind are not accepted here; accepted: %(kinds)s.", kinds=m[1]),
    ),
    (
        re.compile(r"^is a (\w+) file but its name does not end in (.+); rename it$"),
        lambda m: _(
            "The file is a %(kind)s but its name does not end in %(ext)s; rename it.",
            kind=m[1],
            ext=m[2],
        ),
    ),
]

# (pattern of an engine message, its words in the UI language); first match wins.
_ISSUES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^is required$"), lambda m: _("This field is required.")),
    (
        re.compile(r"^is required: it holds only invisible characters \((U\+[0-9A-F]{4})"),
        lambda m: _(
            "This field is required: it holds only invisible characters (%(code)s), which show as nothing.",
            code=m[1],
        ),
    ),
    (re.compile(r"^expected a whole number$"), lambda m: _("Enter a whole number.")),
    (re.compile(r"^expected a date as YYYY-MM-DD$"), lambda m: _("Enter a date as YYYY-MM-DD.")),
    (re.compile(r"^expected true or false$"), lambda m: _("Choose yes or no.")),
    (
        re.compile(r"^must not be before starts_on (\S+)$"),
        lambda m: _("The last day must not be before the first day (%(day)s).", day=m[1]),
    ),
    (
        re.compile(r"^must not be before (\S+)$"),
        lambda m: _("Must not be before %(day)s.", day=m[1]),
    ),
    (re.compile(r"^must not be after (\S+)$"), lambda m: _("Must not be after %(day)s.", day=m[1])),
    (re.compile(r"^must be at least (\S+)$"), lambda m: _("Must be at least %(n)s.", n=m[1])),
    (re.compile(r"^must be at most (\S+)$"), lambda m: _("Must be at most %(n)s.", n=m[1])),
    (
        re.compile(r"^must have at least (\d+) characters$"),
        lambda m: _("Write at least %(n)s characters.", n=m[1]),
    ),
    (
        re.compile(r"^must have at most (\d+) characters$"),
        lambda m: _("Write at most %(n)s characters.", n=m[1]),
    ),
    (re.compile(r"^expected one of "), lambda m: _("Choose one of the listed options.")),
    (re.compile(r"^is not a field of this form"), lambda m: _("This form has no such field.")),
    (
        re.compile(r"^a comment is required to "),
        lambda m: _("A comment is required to reject or return: tell the applicant why."),
    ),
    (
        re.compile(r"^must be someone other than yourself$"),
        lambda m: _("The acting approver must be someone other than the person they act for."),
    ),
    # sod: who may be named acting approver (approvals/people/eligibility.py)
    (
        re.compile(r"^is the applicant of request #(\d+) \((.*)\), and nobody approves"),
        lambda m: _(
            "This person applied for request #%(id)s (%(step)s), which would move to them: "
            "nobody approves their own request. Choose someone else.",
            id=m[1],
            step=m[2],
        ),
    ),
    (
        re.compile(r"^is a discipline inspector and may not decide request #(\d+) \((.*)\)"),
        lambda m: _(
            "This person is a discipline inspector and may not decide request #%(id)s "
            "(%(step)s): inspectors decide only discipline steps.",
            id=m[1],
            step=m[2],
        ),
    ),
    (
        re.compile(r"^is a discipline inspector: "),
        lambda m: _(
            "This person is a discipline inspector: inspectors decide only discipline steps, "
            "so the tasks would wait on them. Choose someone else."
        ),
    ),
    (
        re.compile(r"^is not in the org chart of (.+) \(has left, or works elsewhere\)$"),
        lambda m: _(
            "This person is not in the org chart of %(org)s (they have left, or work "
            "elsewhere).",
            org=m[1],
        ),
    ),
    # operations on an open task (approvals/operations, docs/operations.md)
    (re.compile(r"^name the person"), lambda m: _("Name the person (their id in the org chart).")),
    (re.compile(r"^is you: "), lambda m: _("This is you: name someone else.")),
    (re.compile(r"^a reason is required: "), lambda m: _("A reason is required: the trail records why.")),
    (re.compile(r"^write something: "), lambda m: _("Write something: it goes into the request's trail.")),
    (re.compile(r"^is not a step decided earlier"), lambda m: _("Choose one of the steps listed.")),
    (re.compile(r"^expected before or after$"), lambda m: _("Choose before or after you.")),
    # who may hold a task beyond eligibility (approvals/operations/signatures.py, docs/security.md)
    (
        re.compile(r"^(.+) \(\S+\) has a disabled account and cannot sign in"),
        lambda m: _(
            "%(name)s's account is disabled: they cannot sign in to act on it. Choose someone else.",
            name=m[1],
        ),
    ),
    (
        re.compile(r"^(.+) \(\S+\) has already signed in this group round \((.*)\):"),
        lambda m: _(
            "%(name)s has already signed in this group round (%(step)s): in a group round each "
            "person signs once. Choose someone outside the group.",
            name=m[1],
            step=m[2],
        ),
    ),
    (
        re.compile(r"^(.+) \(\S+\) already holds a task of this group round \((.*)\):"),
        lambda m: _(
            "%(name)s already holds a task of this group round (%(step)s): in a group round each "
            "person signs once. Choose someone outside the group.",
            name=m[1],
            step=m[2],
        ),
    ),
    (
        re.compile(r"^(.+) \(\S+\) is a member of this group round and signs their own part \((.*)\):"),
        lambda m: _(
            "%(name)s is a member of this group round (%(step)s) and signs their own part: in a "
            "group round each person signs once. Choose someone outside the group.",
            name=m[1],
            step=m[2],
        ),
    ),
    *_INPUT_ISSUES,
]


def issue_text(issue: Issue) -> str:
    for pattern, words in _ISSUES:
        match = pattern.search(issue.message)
        if match:
            return words(match)
    return issue.message


_ROW_FIELD = re.compile(r"^field '([^']+)' \(.*?\) row (\d+) field '([^']+)'")


def issue_field(issue: Issue) -> str:
    """The input an issue belongs to; a detail row's column is ``legs-1-leg_to`` (web/forms.py)."""
    row = _ROW_FIELD.match(issue.where)
    if row:
        return f"{row[1]}-{int(row[2]) - 1}-{row[3]}"
    match = _FIELD_NAME.match(issue.where)
    return match[1] if match else issue.where


def field_errors(err: FieldError) -> dict[str, str]:
    """Field name -> message, for showing each message next to its field."""
    result: dict[str, str] = {}
    for issue in err.issues:
        name = issue_field(issue)
        text = issue_text(issue)
        result[name] = f"{result[name]} {text}" if name in result else text
    return result


def explain(
    exc: ApprovalsError, chart: OrgChart | None = None, applicant: str | None = None
) -> str:
    """One sentence for an error that is about the whole action, not one field."""
    if isinstance(exc, VacantPostError):
        post = labels.role(chart, exc.role, applicant)
        return _(
            "The route needs %(post)s, but the post is vacant. Ask an administrator to fill "
            "it in the org chart.",
            post=post,
        )
    if isinstance(exc, RuleRefusalError):
        return str(exc)  # written by the bureau in the process file, in its own language
    if isinstance(exc, FieldError):
        return " ".join(f"{_label(i)}{issue_text(i)}" for i in exc.issues)
    if isinstance(exc, ConflictError):
        return _("Someone else has already handled this; the page now shows the current state.")
    if isinstance(exc, NotPermittedError):
        if " is the applicant of request #" in str(exc):  # rule 1, approvals/people/eligibility.py
            return _("Nobody approves their own request.")
        return _("You may not do this.")
    if isinstance(exc, UnknownError):
        return _("It does not exist (any more).")
    words = refusal_text(str(exc))
    if words is not None:
        return words
    if is_english():
        return _("This cannot be done now: %(detail)s", detail=str(exc))
    # A refusal web/refusals.py has no words for yet: the page stays in its language and the
    # engine's English goes to the log (tests/web/test_refusals_translated.py keeps this rare).
    log.warning("engine refusal without a translation: %s", exc)
    return _("This cannot be done now. Reload the page to see the request as it stands.")


def sealed(exc: CryptoError) -> str:
    """A sealed value (a sensitive field, a channel secret) that does not open: which one and
    which data key, so the administrator knows what to put back; never shown as empty."""
    found = re.search(r"^requests\.fields\.([^:]+):.*data key '([^']+)'", str(exc))
    if found is None:
        return _("A protected value cannot be opened with the data keys this server has. "
                 "Tell the system administrator: %(detail)s", detail=str(exc))
    return _("The protected field %(field)s cannot be opened: data key %(key)s is missing from this "
             "server or is not the key it was sealed with. Tell the system administrator.",
             field=found[1], key=found[2])


def _label(issue: Issue) -> str:
    match = re.search(r"\((.+)\)$", issue.where)
    return f"{match[1]}：" if match else ""


def conflict(task_id: int) -> str:
    """Who got there first: "已被他人处理" with the name, the time and what they did."""
    task = engine().queries.task(task_id)
    if task.decided_by and task.decided_by == me().id:  # e.g. decided in another tab
        return _(
            "You already handled this at %(time)s (%(status)s); nothing was changed.",
            time=when(task.decided_at),
            status=labels.word(labels.TASK_STATUS, task.status),
        )
    if task.decided_by:
        chart = engine().orgcharts.current(engine().queries.request(task.request_id).org_id)
        return _(
            "Already handled by %(name)s at %(time)s (%(status)s); nothing was changed.",
            name=chart.display_name(task.decided_by),
            time=when(task.decided_at),
            status=labels.word(labels.TASK_STATUS, task.status),
        )
    return _(
        "Already handled by someone else (%(status)s); nothing was changed.",
        status=labels.word(labels.TASK_STATUS, task.status),
    )


# admin: acting approvers and passwords (approvals/operations/delegations.py, approvals/accounts.py)
_ISSUES += [
    (
        re.compile(r"^overlaps the delegation to (\S+) from (\S+) to (\S+);"),
        lambda m: _(
            "These dates overlap the acting approver already named (%(name)s, %(start)s to "
            "%(end)s). End that one first.",
            name=engine().orgcharts.for_person(m[1]).display_name(m[1]) if _known(m[1]) else m[1],
            start=m[2],
            end=m[3],
        ),
    ),
    (re.compile(r"^is not your current password$"), lambda m: _("This is not your current password.")),
    (
        re.compile(r"^is too easy to guess"),
        lambda m: _("Too easy to guess: not your user name, one repeated character or the demo password."),
    ),
    (
        re.compile(r"^must differ from the current password$"),
        lambda m: _("Choose a password different from the current one."),
    ),
]


def _known(person_id: str) -> bool:
    try:
        engine().orgcharts.for_person(person_id)
    except ApprovalsError:
        return False
    return True
