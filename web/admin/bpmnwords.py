"""A process file's refusals (approvals/process/definitions.py and its checks, the deploy check)
as sentences in the page's language.

The engine speaks English so ``approvals check``, the server's log and the page agree; an
administrator deploying from a Chinese page reads "第 12 行：不是格式正确的 XML：“…”" instead.
Each known kind of refusal is said in words; the place (a line, a process, an element) is
put in words where it has a fixed form, and ids stay as written, being what the file says.
A detail only a library knows (lxml's or SpiffWorkflow's message) stays quoted inside the
sentence, and a refusal no pattern knows is quoted whole in a sentence that says what it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from approvals.errors import Issue, ProcessDefinitionError
from web.i18n import gettext as _
from web.i18n import is_english

_Say = Callable[[re.Match[str]], str]

# Where an issue is: fixed forms first; anything else (element ids, XML names) stays as written.
_WHERE: list[tuple[re.Pattern[str], _Say]] = [
    (re.compile(r"^line (\d+)$"), lambda m: _("Line %(n)s", n=m[1])),
    (re.compile(r"^\(file\)$|^definitions$"), lambda m: _("The file")),
    (re.compile(r"^BPMN$"), lambda m: _("The BPMN file")),
    (re.compile(r"^stored process version (\w+)$"), lambda m: _("Stored version %(sha)s", sha=m[1][:12])),
    (re.compile(r"^process '([^']+)'(.*)$"), lambda m: _("Process %(id)s", id=m[1]) + m[2]),
    (re.compile(r"^(.+): step (.+)$"), lambda m: _("%(org)s, step %(step)s", org=m[1], step=m[2])),
]

# What is wrong, by the engine's wording; first match wins.
_WHAT: list[tuple[re.Pattern[str], _Say]] = [
    (re.compile(r"^not well-formed XML: (.*)$"),
     lambda m: _("this is not well-formed XML (the parser says: “%(detail)s”)", detail=m[1])),
    (re.compile(r"^not UTF-8 text \(byte (\d+)\)$"),
     lambda m: _("the file is not UTF-8 text (byte %(n)s)", n=m[1])),
    (re.compile(r"^larger than (\d+) bytes$"), lambda m: _("the file is larger than %(n)s bytes", n=m[1])),
    (re.compile(r"^cannot be read: (.*)$"),
     lambda m: _("the file cannot be read (the system says: “%(detail)s”)", detail=m[1])),
    (re.compile(r'^no bpmn:process with isExecutable="true"$'),
     lambda m: _('the file has no process the engine can run: mark one bpmn:process isExecutable="true"')),
    (re.compile(r"^SpiffWorkflow could not read this file \((.*)\)$"),
     lambda m: _("the workflow engine could not read this file (it says: “%(detail)s”)", detail=m[1])),
    (re.compile(r"^the route did not end within (\d+) steps; it keeps going round (.+?): "),
     lambda m: _("the route did not end within %(n)s steps: it keeps going round %(steps)s, a loop whose "
                 "conditions never let it out (a loop must pass a userTask whose decision can end it)",
                 n=m[1], steps=m[2])),
    (re.compile(r"^its XML does not hash to the version it is stored as"),
     lambda m: _("its stored text does not match the version it is stored as: it was altered in the "
                 "database, so it is refused")),
    (re.compile(r"^names a role this organization's chart does not define$"),
     lambda m: _("names a role this organization's chart does not define")),
    (re.compile(r"^needs camunda:candidateGroups naming one role"),
     lambda m: _("needs camunda:candidateGroups naming one role, e.g. unit_head")),
    (re.compile(r"^expected exactly one start event at the top level$"),
     lambda m: _("the process needs exactly one start event at the top level")),
    (re.compile(r"^use a userTask \(someone acts\) or a sendTask \(filing/copy\)$"),
     lambda m: _("this element is not run: use a userTask (someone acts) or a sendTask (filing or copy)")),
    (re.compile(r"^expected one of (.+)$"), lambda m: _("expected one of %(choices)s", choices=m[1])),
    (re.compile(r"^expected a whole number of working days, (\d+)-(\d+)$"),
     lambda m: _("expected a whole number of working days, %(low)s to %(high)s", low=m[1], high=m[2])),
    (re.compile(r"^'([^']+)' is not a form field, a process property or one of (.+)$"),
     lambda m: _("%(name)s is not a form field, a process property or one of %(names)s", name=m[1],
                 names=m[2])),
    (re.compile(r"^a refusal end event needs errorRef"),
     lambda m: _("a refusal end event needs errorRef to a bpmn:error whose name is the message")),
    (re.compile(r"^a report step needs property due_field"),
     lambda m: _("a report step needs the property due_field naming a date field")),
    (re.compile(r"^an enum field needs camunda:value children$"),
     lambda m: _("a choice field needs camunda:value children (its options)")),
    (re.compile(r"^a camunda:formField needs an id"), lambda m: _("a form field needs an id (its name)")),
    (re.compile(r"^business rules \(DMN\) are not run"),
     lambda m: _("business rules (DMN) are not run: use a userTask (someone decides) or an exclusive "
                 "gateway with conditions")),
    (re.compile(r"^is not run by the engine \(no scripts"),
     lambda m: _("is not run by the engine (no scripts, listeners, connectors or input/output mappings): "
                 "remove it")),
    (re.compile(r"^passes no userTask"),
     lambda m: _("this loop passes no userTask, so it would go round for ever: lead it back through a "
                 "userTask whose decision can end it, or remove it")),
    (re.compile(r"^has more than (\d+) flow elements"),
     lambda m: _("has more than %(n)s flow elements; no approval route is that long: split it into "
                 "processes", n=m[1])),
]


def issue_sentence(issue: Issue) -> str:
    """One refusal as a sentence in the page's language (as the engine wrote it on an English
    page)."""
    if is_english():
        return str(issue)
    where = issue.where
    for pattern, say in _WHERE:
        found = pattern.match(where)
        if found:
            where = say(found)
            break
    what = None
    for pattern, say in _WHAT:
        found = pattern.match(issue.message)
        if found:
            what = say(found)
            break
    if what is None:
        what = _("does not follow the conventions for process files (docs/processes.md): “%(detail)s”",
                 detail=issue.message)
    if issue.value is not None:
        what = _("%(what)s (the file has %(value)s)", what=what, value=repr(issue.value))
    return _("%(where)s: %(what)s", where=where, what=what)


def file_problem(error: ProcessDefinitionError) -> str:
    """A process file the server cannot use, named with every refusal in words."""
    lines = "；".join(issue_sentence(i) for i in error.issues) if not is_english() else \
        "; ".join(str(i) for i in error.issues)
    return f"{error.source}: {lines}" if error.source else lines
