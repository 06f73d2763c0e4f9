"""The inbox table's rows as HTML, built here rather than in the template.

The inbox is the page opened most, and 50 rows of eight cells cost the template some 900
escapes and attribute lookups (about a third of the page's time; docs/performance.md,
``http_inbox_page_*``). Built here, the column names are escaped once per page and each row is
one string. Every value that comes from a request, a process or a person goes through
``escape``; the rest (ids, the task link, the due badge) is built by this program.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from approvals.store.rows import ListedRequest, TaskRow
from web.i18n import gettext as _
from web.localtime import when
from web.presenters import name


@dataclass(frozen=True)
class Row:
    """What a list row shows, worked out in Python: a template call costs several times the
    same call here, and a page has 50 rows."""

    task: TaskRow
    req: ListedRequest
    type_label: str
    step: str
    summary: str  # the first few fields (where, when), so a list says what each request is about
    applicant: Markup  # the person tag
    waited: str  # how long the task has been open
    select_label: str  # the checkbox's name for screen readers
    url: str  # the task page
    due: Markup  # the due-date badge, empty without a due date


URGED_ROW = ' class="urged-row"'


def inbox_rows(rows: Iterable[Row], can_decide: bool) -> Markup:
    """The ``<tr>`` of each row; ``can_decide``: with the batch checkbox."""
    request, details, applicant, step, waiting, open_label = (  # written out: the catalog's extractor finds them
        escape(_("Request")), escape(_("Details")), escape(_("Applicant")), escape(_("Step")), escape(_("Waiting")),
        escape(_("Open")))
    out = []
    for row in rows:
        task = row.task
        url = escape(row.url)
        pick = (f'<td class="pick"><input type="checkbox" name="task" value="{task.id}" '
                f'aria-label="{escape(row.select_label)}"></td>' if can_decide else "")
        behalf = urged = ""
        if task.assignee != task.principal:
            acting = _("acting for %(name)s", name=name(task.principal))
            behalf = f'<div class="behalf">{escape(acting)}</div>'
        if task.urge_count:
            last, count = _("last urged %(time)s", time=when(task.urged_at)), _("urged ×%(n)s", n=task.urge_count)
            urged = f'<span class="urged" title="{escape(last)}">{escape(count)}</span>'
        out.append(
            f'<tr{URGED_ROW if task.urge_count else ""}>{pick}'
            f'<td data-label="#">{row.req.id}</td>'
            f'<td data-label="{request}"><a href="{url}">{escape(row.type_label)}</a></td>'
            f'<td class="summary" data-label="{details}">{escape(row.summary)}</td>'
            f'<td data-label="{applicant}">{escape(row.applicant)}</td>'
            f'<td data-label="{step}">{escape(row.step)}{behalf}</td>'
            f'<td data-label="{waiting}"><span class="age">{escape(row.waited)}</span> {escape(row.due)} {urged}</td>'
            f'<td class="action"><a class="button small" href="{url}">{open_label}</a></td></tr>')
    return Markup("\n".join(out))
