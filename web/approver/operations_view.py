"""What the task page offers besides the decision (docs/operations.md), worked out once per
page: which operations the signed-in person may start, the people and earlier steps to choose
from, the 加签 waiting on this task, and the questions asked about the request."""

from __future__ import annotations

from dataclasses import dataclass, field

from approvals.operations import rewind
from approvals.operations.terminate import TERMINABLE
from approvals.store.models import Request, Task
from approvals.store.rows import TaskRow
from web.engine import engine
from web.picker import search_words
from web.requestview import take_back_offered
from web.users import me

ADDED = ("before", "after")


@dataclass
class OperationsView:
    may_operate: bool  # transfer, add, send back, ask, attach
    people: list[tuple[str, str, str]]  # (id, "name · unit title", search words) everyone the holder may name
    earlier: list[TaskRow]  # steps to send back to, latest first
    added: list[Task]  # 加签 rows waiting on this task, that the signed-in person may remove
    may_take_back: bool
    may_terminate: bool
    form: str = ""  # the operation form refused, shown open with its messages
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _people(req: Request) -> list[tuple[str, str, str]]:
    """Everyone but oneself, with the words the pinyin filter box matches (web/picker.py): among
    hundreds of colleagues, "hp" finds 何平 as it does on the admin pages."""
    chart = me().chart
    return [(pid, f"{p.name} · {chart.units[p.unit].name} {p.title}".rstrip(), search_words(chart, p))
            for pid, p in chart.people.items() if pid != me().id]


def operations_view(task: Task, req: Request, can_decide: bool, form: str = "",
                    values: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> OperationsView:
    user = me()
    own = task.origin not in ADDED and task.status != "held"
    may_operate = can_decide and own
    steps = engine().queries.steps(req.id)
    added = [t for t in steps if t.origin in ADDED and t.origin_task_id == task.id
             and t.status in ("open", "queued") and t.origin_by == user.id]
    return OperationsView(
        may_operate=may_operate,
        people=_people(req) if may_operate else [],
        earlier=rewind.earlier_steps(engine().service, task.id) if may_operate else [],
        added=added,
        may_take_back=(not task.is_open and task.decided_by == user.id and task.status == "approved"
                       and bool(take_back_offered([req.id]))),
        may_terminate=req.org_id in user.admin_of and req.applicant != user.id and req.status in TERMINABLE,
        form=form, values=values or {}, errors=errors or {},
    )




