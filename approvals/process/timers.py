"""Timers on a step (超时处理), read from the BPMN at load: when each fires, in working days,
and what it does (docs/processes.md, "Timers on a step").

A timer is a standard ``bpmn:boundaryEvent`` with a ``bpmn:timerEventDefinition`` attached to
a decision step (a userTask of kind approve, consent or record):

- non-interrupting (``cancelActivity="false"``): ``action`` ``remind`` (the holder is told
  again) or ``escalate`` (the holder's supervisor, or the role in ``to``, is told), once
  (``timeDuration``) or repeatedly (``timeCycle`` ``R3/P1D``);
- interrupting (the default): ``action`` ``approve`` (超时自动通过), ``reject`` (自动驳回),
  ``return`` (退回申请人) or ``transfer`` (转交 to the role in ``to``).

Durations count **working days of the organization's calendar**, which SpiffWorkflow's own
timers (calendar hours, fired only when the workflow is refreshed) cannot, so the engine runs
these timers itself: they are taken out of the XML SpiffWorkflow reads (``strip_timers``), armed
as rows when a step's task opens (``approvals/operations/timeouts.py``) and fired by the worker.
A timer has no outgoing flow: its ``action`` says what happens, and the route goes on from the
step as if its holder had acted.

Everything is computed at load: a duration is a whole number of working days, ``P3D``, or an
expression of the safe language (``approvals.process.expressions``) over the process's properties
(``auto_pass_days``), 0-999. One that cannot be computed is refused, naming the element.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from lxml import etree

from approvals.errors import Issue
from approvals.process.calendar import WorkingCalendar
from approvals.process.expressions import ExpressionError, compile_expression

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}

NOTICES = ("remind", "escalate")  # non-interrupting: the step stays with its holder
ENDINGS = ("approve", "reject", "return", "transfer")  # interrupting: the holder's task closes
TIMED_KINDS = ("approve", "consent", "record")
MAX_DAYS = 999
MAX_TIMES = 99
HOLDER_SUPERVISOR = "holder_supervisor"  # ``to``: the holder's 分管领导 (the chief for that leader)
_ROLE = re.compile(r"^(duty:[A-Za-z0-9_.-]+|[a-z][a-z0-9_]*)$")
_ISO_DAYS = re.compile(r"^P(\d{1,3})D$")
_CYCLE = re.compile(r"^R(\d{0,2})/(.+)$")
TIMER_PATH = "./bpmn:boundaryEvent[bpmn:timerEventDefinition]"


@dataclass(frozen=True)
class TimerDef:
    """One timer on a step: fires ``days`` working days after the step arrives, then (a cycle)
    every ``every`` working days, ``times`` times in all (None: until the step is decided)."""

    bpmn_id: str
    name: str
    step: str  # the userTask it is attached to
    action: str  # remind escalate | approve reject return transfer
    days: int
    times: int | None = 1
    every: int = 0
    to: str | None = None  # escalate/transfer: a role for the applicant, or holder_supervisor

    @property
    def interrupting(self) -> bool:
        return self.action in ENDINGS

    def label(self) -> str:
        """The rule as the trail names it: "超时自动通过（head_auto_pass，3 个工作日）"."""
        return f"{self.name}（{self.bpmn_id}，{self.days} 个工作日）"

    def comment(self, words: str) -> str:
        """What a step it closed says, in the timeline and on the 审批单: "超时自动通过（3 个工作日，
        规则 head_auto_pass）", with the timer's own name when it says more."""
        named = "" if self.name in (words, self.bpmn_id) else f"：{self.name}"
        return f"{words}{named}（{self.days} 个工作日，规则 {self.bpmn_id}）"

    def first_at(self, arrived: datetime, calendar: WorkingCalendar) -> datetime:
        """When it first fires, for a step arriving at ``arrived`` (the organization's wall time)."""
        return after_working_days(arrived, self.days, calendar)

    def next_at(self, fired: int, previous: datetime, calendar: WorkingCalendar) -> datetime | None:
        """When it fires again after its ``fired``-th firing at ``previous``; None: never."""
        if self.interrupting or (self.times is not None and fired >= self.times) or self.every <= 0:
            return None
        return after_working_days(previous, self.every, calendar)


def after_working_days(start: datetime, days: int, calendar: WorkingCalendar) -> datetime:
    """``days`` working days of time after ``start``: the same time of day on the ``days``-th
    working day after it. A start on a day off counts from 00:00 of the next working day, so a
    step arriving on a holiday gets whole working days: arriving 2025-10-01 (National Day),
    one working day runs out at 2025-10-10 00:00."""
    if not calendar.is_working_day(start.date()):
        start = datetime.combine(calendar.add(start.date(), 1), time())
    return datetime.combine(calendar.add(start.date(), days), start.time())


def _properties(node: Any) -> dict[str, str]:
    found = node.xpath("./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)
    return {n.get("name"): n.get("value", "") for n in found if n.get("name")}


def _days(source: str, here: str, properties: dict[str, Any], issues: list[Issue]) -> int | None:
    """A duration in working days, computed now: a whole number, ``P3D``, or an expression over
    the process properties."""
    text = " ".join(source.split())
    iso = _ISO_DAYS.match(text)
    if iso:
        return int(iso.group(1))
    if text.startswith("P"):
        issues.append(Issue(here, source, "expected a number of working days such as P3D (hours, weeks, months "
                                          "and years are not working days), a whole number or a process property"))
        return None
    try:
        expression = compile_expression(text)
        unknown = sorted(expression.names - set(properties))
        if unknown:
            raise ExpressionError(f"{unknown[0]!r} is not a process property: a timer is computed when the "
                                  "process is loaded, before any request exists, so it reads process "
                                  "properties only")
        value = expression(properties)
    except ExpressionError as exc:
        issues.append(Issue(here, source, str(exc)))
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        issues.append(Issue(here, source, f"gives {value!r}: expected a whole number of working days, 0-{MAX_DAYS}"))
        return None
    return value


def _when(definition: Any, here: str, properties: dict[str, Any], issues: list[Issue]
          ) -> tuple[int, int | None, int] | None:
    """(days, times, every) from timeDuration or timeCycle; timeDate is refused."""
    duration = definition.xpath("./bpmn:timeDuration", namespaces=NS)
    cycle = definition.xpath("./bpmn:timeCycle", namespaces=NS)
    if definition.xpath("./bpmn:timeDate", namespaces=NS) or len(duration) + len(cycle) != 1:
        issues.append(Issue(here, None, "needs one timeDuration (working days after the step arrives) or "
                                        "timeCycle (R3/P1D: three times, a working day apart); a fixed "
                                        "timeDate is not run"))
        return None
    if duration:
        days = _days(duration[0].text or "", f"{here} timeDuration", properties, issues)
        return None if days is None else (days, 1, 0)
    raw = " ".join((cycle[0].text or "").split())
    found = _CYCLE.match(raw)
    if not found:
        issues.append(Issue(f"{here} timeCycle", raw, "expected R<times>/<working days>, e.g. R3/P1D (three times, "
                                                      "a working day apart) or R/P1D (until the step is decided)"))
        return None
    days = _days(found.group(2), f"{here} timeCycle", properties, issues)
    times = int(found.group(1)) if found.group(1) else None
    if days is not None and days < 1:
        issues.append(Issue(f"{here} timeCycle", raw, "a repeating timer needs at least one working day between "
                                                      "two firings"))
        return None
    if times is not None and not 1 <= times <= MAX_TIMES:
        issues.append(Issue(f"{here} timeCycle", raw, f"expected 1-{MAX_TIMES} repetitions"))
        return None
    return None if days is None else (days, times, days)


def _problem(node: Any, action: str, interrupting: bool, kind: str | None, cyclic: bool) -> str | None:
    if kind not in TIMED_KINDS:
        return ("a timer belongs on a decision step (a userTask of kind approve, consent or record); "
                f"found {kind or 'no step'}")
    if node.xpath("./bpmn:outgoing", namespaces=NS):
        return ("a timer has no outgoing flow: its property action says what happens, and the route goes on "
                "from the step")
    if interrupting and action not in ENDINGS:
        return (f"an interrupting timer (cancelActivity true, the default) needs property action {', '.join(ENDINGS)}; "
                "for a reminder set cancelActivity=\"false\"")
    if not interrupting and action not in NOTICES:
        return f"a non-interrupting timer (cancelActivity=\"false\") needs property action {' or '.join(NOTICES)}"
    if interrupting and cyclic:
        return "an interrupting timer fires once: use timeDuration, not timeCycle"
    return None


def read_timers(process: Any, where: str, kinds: dict[str, str], properties: dict[str, Any],
                issues: list[Issue]) -> dict[str, tuple[TimerDef, ...]]:
    """Every timer of ``process`` by the step it is attached to; ``kinds``: step id → kind."""
    found: dict[str, list[TimerDef]] = {}
    for node in process.xpath(TIMER_PATH, namespaces=NS):
        here = f"{where} boundaryEvent {node.get('id')!r}"
        props = _properties(node)
        interrupting = node.get("cancelActivity", "true") != "false"
        action = props.get("action", "" if interrupting else "remind")
        step = node.get("attachedToRef", "")
        definition = node.xpath("./bpmn:timerEventDefinition", namespaces=NS)[0]
        cyclic = bool(definition.xpath("./bpmn:timeCycle", namespaces=NS))
        problem = _problem(node, action, interrupting, kinds.get(step), cyclic)
        to = props.get("to") or None
        if problem is None and action == "transfer" and not to:
            problem = f"a transfer (转交) needs property to: a role such as supervisor or chief, or {HOLDER_SUPERVISOR}"
        if problem is None and to is not None and (action not in ("transfer", "escalate")
                                                   or not (to == HOLDER_SUPERVISOR or _ROLE.match(to))):
            problem = (f"property to={to!r}: expected one role (supervisor, chief, duty:filing, ...) or "
                       f"{HOLDER_SUPERVISOR}, on a transfer or escalate timer")
        if problem is not None:
            issues.append(Issue(here, action or None, problem))
            continue
        when = _when(definition, here, properties, issues)
        if when is None:
            continue
        days, times, every = when
        timer = TimerDef(node.get("id"), node.get("name") or node.get("id"), step, action, days, times, every, to)
        found.setdefault(step, []).append(timer)
    return {step: tuple(timers) for step, timers in found.items()}


def is_timer(node: Any) -> bool:
    """A boundary event these timers run (``check_elements`` leaves it to ``read_timers``)."""
    return etree.QName(node).localname == "boundaryEvent" and bool(
        node.xpath("./bpmn:timerEventDefinition", namespaces=NS))


def strip_timers(root: Any) -> Any:
    """The document SpiffWorkflow reads: a copy without the timers the engine runs itself."""
    if not root.xpath(f"//bpmn:process/{TIMER_PATH[2:]}", namespaces=NS):
        return root
    stripped = copy.deepcopy(root)
    for node in stripped.xpath(f"//bpmn:process/{TIMER_PATH[2:]}", namespaces=NS):
        node.getparent().remove(node)
    return stripped
