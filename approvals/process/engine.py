"""The only module that drives SpiffWorkflow.

It runs a process definition forward for one applicant and reports what happened, in route
order, as ``Step`` values: a task someone must act on, a filing or copy sent, a step skipped
because the applicant holds it (rule 1) or satisfied by the previous decision (rule 2).
The same ``advance`` serves the real run and the route preview (a dry run that approves
every step), so the preview can never drift from the route.

A group step (会签/或签, ``approvals/process/groups.py``) is a multi-instance userTask: when it is
reached the workflow asks ``_hand_in_groups`` for its members (the org chart's, applicant
taken out), and each member's instance is a Step of its own, sharing ``Step.group``. Every
method that runs a task must hand the groups in first, as ``advance`` and ``complete`` do.

Saved state holds only the instance: the spec comes from the definition cache, which halves
the bytes and the time per step (see docs/performance.md).

Every ``Run`` has a step budget (``MAX_RUN_STEPS``): a loop whose conditions never let it out
(a gateway sending the route back on ``1 == 1``, through a step rule 1 or 2 skips, or through
a step the dry run approves) would otherwise spin for ever, holding a worker and, in a
deployment's check, the admin's page. Past the budget the run stops with ``RouteLimitError``
naming the steps it kept repeating. Each operation loads its run afresh, so the budget bounds
one operation or one dry run, never the life of a request.
"""

from __future__ import annotations

import json
from collections import ChainMap, Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from approvals.errors import ApprovalsError, InvalidStateError, RouteLimitError, RuleRefusalError, VacantPostError
from approvals.people.orgchart.model import OrgChart
from approvals.people.orgchart.roles import Resolution, resolve, resolve_group
from approvals.process import choices, vacancy
from approvals.process.definitions import ProcessDefinition, StepDef
from approvals.process.expressions import ExpressionError, compile_expression
from approvals.process.groups import MEMBERS_HOOK, GroupRound, group_round, group_task_id, member_of

STATE_FORMAT = 1  # bump with a migration in load_state when the saved shape changes

OPEN, SKIPPED_SELF, SATISFIED, SENT = "open", "skipped_self", "satisfied", "sent"
SKIPPED_VACANT = "skipped_vacant"  # the post is vacant and the step's if_vacant is skip

# Tasks (steps, gateways, events, group members) one Run may complete: the longest route a
# process may draw (definition_checks.MAX_FLOW_NODES) with its group steps fits many times
# over, and reaching it takes well under a second, so a looping process is refused fast.
MAX_RUN_STEPS = 500


@dataclass(frozen=True)
class Step:
    """One step of a route as it unfolds."""

    definition: StepDef
    outcome: str  # open | skipped_self | satisfied | sent
    assignee: str  # the post holder (principal); the applicant for report steps
    receiver: str | None = None  # report steps: who receives the report
    unit: str | None = None  # duty roles: the unit whose members may act / see it
    spiff_id: str | None = None
    satisfied_by: str | None = None
    group: str | None = None  # group steps: the id shared by the instances of one run of the step
    group_round: GroupRound | None = None  # group steps: that run's members and instances
    note: str | None = None  # why the step is not its role's holder's (if_vacant: skipped or handed on)

    @property
    def kind(self) -> str:
        return self.definition.kind

    @property
    def role(self) -> str:
        return self.definition.role


@dataclass(frozen=True)
class Saved:
    """A run's saved state and what a request's status follows from, taken at one moment: submit
    saves its run, then walks the same run on to the end as its dry run (no copy needed)."""

    state: str
    completed: bool
    waiting_kinds: frozenset[str]


@dataclass
class RouteContext:
    """What rules 1 and 2 need to know, carried across saves in the workflow's own data."""

    chart: OrgChart
    applicant: str
    last_decider: str | None = None


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Leaves the spec out of saved state; ``load_state`` hands the cached spec back in."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = dct.pop("spec"), dct.pop("subprocess_specs")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG)
    _SpeclessWorkflowConverter(BpmnWorkflow, registry)
    return BpmnWorkflowSerializer(registry)


class _SafeEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Every expression SpiffWorkflow evaluates (conditions, cardinalities, timers, messages) goes
    through the project's expression language; nothing reaches ``eval`` or ``exec``."""

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        variables = ChainMap(context, dict(external_context)) if external_context else context
        return compile_expression(expression)(variables)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        raise ApprovalsError("scripts are not run: a process definition holds no code")

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ApprovalsError("service tasks are not run: a process definition holds no code")


class _SafeScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """SpiffWorkflow's script engine with the safe environment, and script tasks refused."""

    def __init__(self) -> None:
        super().__init__(environment=_SafeEnvironment())

    def validate(self, expression: str) -> None:
        compile_expression(expression)

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        """As SpiffWorkflow's, but the reason (``None >= 50``) stays in the message."""
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except ExpressionError as exc:
            raise WorkflowTaskException(f"step {task.task_spec.bpmn_id!r}: {exc}", task=task) from exc

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        raise WorkflowTaskException("scripts are not run: a process definition holds no code", task=task)

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise WorkflowTaskException("service tasks are not run: a process definition holds no code", task=task)


_SERIALIZER = _serializer()
_SCRIPT_ENGINE = _SafeScriptEngine()


class Run:
    """One workflow instance of one definition, advanced under the project's rules."""

    def __init__(self, definition: ProcessDefinition, workflow: BpmnWorkflow) -> None:
        self.definition = definition
        self.workflow = workflow
        self._completed: Counter[str] = Counter()  # bpmn ids this Run completed: the step budget
        self._spent = 0

    # -- lifecycle -----------------------------------------------------------------------

    @classmethod
    def start(cls, definition: ProcessDefinition, variables: Mapping[str, Any]) -> Run:
        workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=_SCRIPT_ENGINE)
        start = workflow.get_tasks(state=TaskState.READY)[0]
        start.data.update(definition.variables)
        start.data.update(variables)
        return cls(definition, workflow)

    def dump(self) -> str:
        dct = _SERIALIZER.to_dict(self.workflow)
        dct["format"] = STATE_FORMAT
        dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
        return json.dumps(dct, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def load(cls, definition: ProcessDefinition, state: str) -> Run:
        dct = json.loads(state)
        dct.pop("format", None)
        _SERIALIZER.migrate(dct)
        dct["spec"], dct["subprocess_specs"] = definition.spec, definition.subprocess_specs
        workflow = _SERIALIZER.from_dict(dct)
        workflow.script_engine = _SCRIPT_ENGINE
        return cls(definition, workflow)

    def save(self) -> Saved:
        return Saved(self.dump(), self.completed, frozenset(self.waiting_kinds()))

    @property
    def completed(self) -> bool:
        return bool(self.workflow.is_completed())

    @property
    def last_decider(self) -> str | None:
        value = self.workflow.data.get("_last_decider")
        return str(value) if value else None

    # -- moving forward --------------------------------------------------------------------

    def advance(self, context: RouteContext) -> list[Step]:
        """Run engine steps and apply rules 1 and 2 until only real work is left."""
        steps: list[Step] = []
        context.last_decider = context.last_decider or self.last_decider
        self._hand_in_groups(context)
        while True:
            self._engine_steps(context, steps)
            if not self._settle_ready(context, steps):
                break
        self.workflow.data["_last_decider"] = context.last_decider
        # An any-one group (或签) one of whose members was satisfied by rule 2 closed the others
        # in the same pass: they were never anybody's task.
        waiting = self.waiting_ids()
        return [s for s in steps if s.outcome != OPEN or s.spiff_id in waiting]

    def complete(self, spiff_id: str, context: RouteContext, data: Mapping[str, Any] | None = None,
                 principal: str | None = None) -> list[Step]:
        """Complete one open task (an approval, consent, record or report) and advance."""
        task = self._ready_task(spiff_id)
        if data:
            task.data.update(data)
        step = self.definition.steps[task.task_spec.bpmn_id]
        self._hand_in_groups(context)
        self._run(task)
        if step.decides:
            context.last_decider = principal
        return self.advance(context)

    def data_of(self, spiff_id: str) -> dict[str, Any]:
        """What a waiting step sees: the request's fields and every earlier step's fields."""
        return dict(self._ready_task(spiff_id).data)

    def cancel(self) -> None:
        self.workflow.cancel()

    def waiting_ids(self) -> set[str]:
        """The spiff ids of the tasks waiting for someone: an open task row whose id is not
        here was closed by the workflow (another member of an any-one group decided)."""
        return {str(t.id) for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)}

    def waiting_kinds(self) -> set[str]:
        """Kinds of the steps the workflow waits on (no query: the state already knows)."""
        return {self.definition.steps[t.task_spec.bpmn_id].kind
                for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)}

    # -- internals ------------------------------------------------------------------------

    def _hand_in_groups(self, context: RouteContext) -> None:
        """Tell the workflow who is in a group step when it reaches one (approvals/process/groups.py)."""
        def members(bpmn_id: str) -> list[str]:
            role = self.definition.steps[bpmn_id].role
            return list(resolve_group(context.chart, role, context.applicant).members)

        setattr(self.workflow, MEMBERS_HOOK, members)

    def _task(self, spiff_id: str) -> Any:
        try:
            task = self.workflow.get_task_from_id(UUID(spiff_id))
        except Exception as exc:  # noqa: BLE001 - Spiff raises several kinds for a missing id
            raise InvalidStateError(f"task {spiff_id} is not part of this request's workflow") from exc
        return task

    def _ready_task(self, spiff_id: str) -> Any:
        task = self._task(spiff_id)
        if task.state != TaskState.READY:
            raise InvalidStateError(f"task {spiff_id} is not waiting for a decision")
        return task

    def _spend(self, task: Any) -> None:
        """Count one completed task against the budget; past it, stop the run naming the steps
        it kept repeating (the loop)."""
        self._spent += 1
        bpmn_id = task.task_spec.bpmn_id
        if bpmn_id:
            self._completed[bpmn_id] += 1
        if self._spent > MAX_RUN_STEPS:
            repeated = [name for name, count in self._completed.most_common(6) if count > 1]
            raise RouteLimitError(self.definition.process_id, MAX_RUN_STEPS, sorted(repeated))

    def _run(self, task: Any) -> None:
        self._spend(task)
        try:
            task.run()
        except SpiffWorkflowException as exc:
            raise ApprovalsError(f"process {self.definition.process_id}: {exc}") from exc

    def _engine_steps(self, context: RouteContext, steps: list[Step]) -> None:
        def did_complete(task: Any) -> None:
            self._spend(task)
            bpmn_id = task.task_spec.bpmn_id
            refusal = self.definition.refusals.get(bpmn_id)
            if refusal is not None:
                raise RuleRefusalError(refusal.code, refusal.message)
            step = self.definition.steps.get(bpmn_id)
            if step is not None and not step.blocking and step.chosen_in:  # 抄送 the applicant chose
                for person in choices.chosen(context.chart, step.role, context.applicant, step.chosen_in,
                                             task.data.get(step.chosen_in), several=True):
                    steps.append(Step(step, SENT, person, spiff_id=str(task.id)))
            elif step is not None and not step.blocking:
                who = resolve(context.chart, step.role, context.applicant,
                              last_approver=context.last_decider)
                # A copy to the applicant informs nobody; a filing still registers with the unit.
                to_self = step.kind == "copy" and who.assignee == context.applicant and not who.unit
                outcome = SKIPPED_SELF if to_self else SENT
                steps.append(Step(step, outcome, who.assignee, unit=who.unit, spiff_id=str(task.id)))

        try:
            self.workflow.do_engine_steps(did_complete_task=did_complete)
        except SpiffWorkflowException as exc:
            raise ApprovalsError(f"process {self.definition.process_id}: {exc}") from exc

    def _settle_ready(self, context: RouteContext, steps: list[Step]) -> bool:
        """Turn each new ready task into a Step; True when rules 1/2 completed one."""
        known = {s.spiff_id for s in steps}
        progressed = False
        for task in self.workflow.get_tasks(state=TaskState.READY, manual=True):
            spiff_id = str(task.id)
            if spiff_id in known or task.data.get("_announced") == spiff_id:
                continue
            step = self.definition.steps[task.task_spec.bpmn_id]
            try:
                who, group = _holder_of(task, step, context)
                note = None
            except VacantPostError as vacant:  # the step's if_vacant decides (approvals/process/vacancy.py)
                handed, note = vacancy.fallback(context.chart, step.if_vacant, context.applicant, vacant)
                if handed is None:
                    steps.append(Step(step, SKIPPED_VACANT, "", spiff_id=spiff_id, note=note))
                    self._run(task)
                    progressed = True
                    continue
                who, group = handed, None
            if step.kind == "report":
                steps.append(Step(step, OPEN, context.applicant, receiver=who.assignee, unit=who.unit,
                                  spiff_id=spiff_id))
            elif who.assignee == context.applicant:  # rule 1: no self-approval
                steps.append(Step(step, SKIPPED_SELF, who.assignee, unit=who.unit, spiff_id=spiff_id))
            elif who.assignee == context.last_decider:  # rule 2: no double signing
                steps.append(Step(step, SATISFIED, who.assignee, unit=who.unit, spiff_id=spiff_id,
                                  satisfied_by=context.last_decider, group=group))
            else:
                steps.append(Step(step, OPEN, who.assignee, unit=who.unit, spiff_id=spiff_id, group=group,
                                  group_round=group_round(task) if group is not None else None, note=note))
            if steps[-1].outcome == OPEN:
                task.data["_announced"] = spiff_id
                continue
            self._run(task)
            progressed = True
        return progressed

    # -- operations on an open task (approvals/operations/rewind.py) ------------------------

    def reset_to(self, spiff_id: str) -> set[str]:
        """拿回 / 退回: put the workflow back to just before ``spiff_id`` (a step already
        completed) and make it wait on that step again; every step after it is dropped.
        Returns the ids of the manual steps waiting now (the reset one and any parallel
        branch the reset did not touch). The reset step is marked announced, so ``advance``
        does not apply rules 1 and 2 to it again: the operation gives it a holder itself."""
        task = self._task(spiff_id)
        if task.state != TaskState.COMPLETED:
            raise InvalidStateError(f"step {task.task_spec.bpmn_id!r} has not been completed; nothing to go back to")
        try:
            self.workflow.reset_from_task_id(task.id)
        except SpiffWorkflowException as exc:
            raise ApprovalsError(f"process {self.definition.process_id}: {exc}") from exc
        task.data["_announced"] = spiff_id
        return self.waiting_ids()

    def group_round(self, spiff_id: str) -> GroupRound | None:
        """The run of a group step (会签/或签) waiting task ``spiff_id`` is a member's part of;
        None for a single step. One person signs once in it (approvals/operations/signatures.py)."""
        task = self._task(spiff_id)
        if self.definition.steps[task.task_spec.bpmn_id].group is None:
            return None
        return group_round(task)

    def follows(self, later: str, earlier: str) -> bool:
        """Whether step ``later`` descends from step ``earlier`` (退回 goes back along the route only)."""
        try:
            child = self.workflow.get_task_from_id(UUID(later))
            parent = self.workflow.get_task_from_id(UUID(earlier))
        except Exception:  # noqa: BLE001 - an id of another round: not on this route
            return False
        return bool(child.is_descendant_of(parent))


def _holder_of(task: Any, step: StepDef, context: RouteContext) -> tuple[Resolution, str | None]:
    """Who acts on a ready task: its role's holder, or for a group step the member this
    instance is for (the applicant is never one: ``resolve_group`` took her out)."""
    if step.group is not None:
        return Resolution(step.role, member_of(task)), group_task_id(task)
    if step.chosen_in:  # the applicant chose, within the step's role (approvals/process/choices.py)
        [person] = choices.chosen(context.chart, step.role, context.applicant, step.chosen_in,
                                  task.data.get(step.chosen_in), several=False)
        return Resolution(step.role, person), None
    return resolve(context.chart, step.role, context.applicant, last_approver=context.last_decider), None


def dry_run(definition: ProcessDefinition, variables: Mapping[str, Any], context: RouteContext,
            on_open: Callable[[Step], None] | None = None) -> list[Step]:
    """Walk the whole route, approving every open step in turn: the route preview."""
    run = Run.start(definition, variables)
    return finish_dry_run(run, run.advance(context), context, on_open)


def finish_dry_run(run: Run, route: list[Step], context: RouteContext,
                   on_open: Callable[[Step], None] | None = None) -> list[Step]:
    """Continue ``run`` (whose ``advance`` returned ``route``) to its end, approving every open
    step in turn. Submit saves its real run, then finishes it here instead of dry-running a
    second run from the start."""
    pending = [s for s in route if s.outcome == OPEN]
    while pending:
        first = pending.pop(0)
        if first.spiff_id not in run.waiting_ids():
            continue  # another member of an any-one group (或签) decided it
        if on_open is not None:
            on_open(first)
        steps = run.complete(first.spiff_id or "", context, principal=first.assignee)
        route.extend(steps)
        pending.extend(s for s in steps if s.outcome == OPEN)
    if not run.completed:
        raise InvalidStateError(f"process {run.definition.process_id} stopped before its end in a dry run")
    return route
