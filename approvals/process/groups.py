"""Group steps (会签 all must approve, 或签 any one approves) as SpiffWorkflow multi-instance tasks.

A group step is a ``bpmn:userTask`` with ``multiInstanceLoopCharacteristics`` and a group role
in ``camunda:candidateGroups`` (docs/processes.md, "Group steps"). The author writes no
cardinality and no collection: who is in the group is the org chart's business, so the engine
fills the instances in when the step is reached, one per member, each a task of its own.

SpiffWorkflow's Camunda parser wants a cardinality or a collection read from task data; this
module's parser builds the standard multi-instance specs instead, whose input is the member
list the engine hands in (``members_hook``), kept in the instance's internal data so it never
mixes with the request's variables. The spec stays free of run state: it is cached and shared
by every request on the same process version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.specs.defaults import ParallelMultiInstanceTask, SequentialMultiInstanceTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask

from approvals.errors import InvalidStateError

ALL_IN_ORDER, ALL_AT_ONCE, ANY_ONE = "all_in_order", "all_at_once", "any_one"
# Counts a completion condition reads, as Camunda and Flowable name them.
COUNTS = ("nrOfInstances", "nrOfCompletedInstances", "nrOfActiveInstances")
ANY_ONE_CONDITION = "nrOfCompletedInstances >= 1"
# The attribute of a running workflow through which the engine says who is in a group.
MEMBERS_HOOK = "approvals_members"

MembersHook = Callable[[str], list[str]]


class _Members:
    """The multi-instance input: the member list the engine put in the instance's internal data."""

    bpmn_id = "_members"

    def exists(self, my_task: Any) -> bool:
        return True

    def get(self, my_task: Any) -> list[str]:
        return list(my_task.internal_data.get("members", []))


class _GroupMixin:
    """Asks the engine for the members when the step is reached; the completion condition
    reads the instance counts, never the request's variables."""

    bpmn_id: str
    condition: str | None

    def _update_hook(self, my_task: Any) -> Any:
        hook: MembersHook | None = getattr(my_task.workflow, MEMBERS_HOOK, None)
        if hook is None:
            raise InvalidStateError(f"group step {self.bpmn_id!r} reached outside the engine")
        my_task.internal_data["members"] = hook(self.bpmn_id)
        return super()._update_hook(my_task)  # type: ignore[misc]

    def check_completion_condition(self, my_task: Any) -> Any:
        merged = my_task.internal_data.get("merged", [])
        if not merged or self.condition is None:
            return False
        total = len(my_task.internal_data.get("members", []))
        counts = {"nrOfInstances": total, "nrOfCompletedInstances": len(merged),
                  "nrOfActiveInstances": total - len(merged)}
        last = next(c for c in my_task.children if str(c.id) == merged[-1])
        return my_task.workflow.script_engine.evaluate(last, self.condition, counts)


class GroupInOrder(_GroupMixin, SequentialMultiInstanceTask):  # type: ignore[misc]
    pass


class GroupAtOnce(_GroupMixin, ParallelMultiInstanceTask):  # type: ignore[misc]
    pass


def member_of(task: Any) -> str:
    """The member one instance of a group step is for."""
    parent = task.parent
    return str(parent.internal_data["members"][task.internal_data["key_or_index"]])


def group_task_id(task: Any) -> str:
    """The id shared by every instance of one run of a group step."""
    return str(task.parent.id)


@dataclass(frozen=True)
class GroupRound:
    """One run of a group step as the workflow knows it: who is in it, and the ids of the
    members' instances so far (an in-order group adds one as each member's turn comes). A
    退回 that goes back before the step starts a new run: the old instances are not in it."""

    members: tuple[str, ...]
    instances: frozenset[str]


def group_round(task: Any) -> GroupRound:
    """The run of a group step that instance ``task`` belongs to."""
    parent = task.parent
    return GroupRound(tuple(str(m) for m in parent.internal_data.get("members", [])),
                      frozenset(str(c.id) for c in parent.children if c.task_spec.name == task.task_spec.name))


class _GroupTaskParser(UserTaskParser):  # type: ignore[misc]
    """A userTask parser whose multi-instance steps take their members from the engine."""

    task: Any

    def _add_multiinstance_task(self, loop_characteristics: Any) -> None:
        condition = self.xpath("./bpmn:multiInstanceLoopCharacteristics/bpmn:completionCondition")
        original = self.spec.task_specs.pop(self.task.name)
        spec_class = GroupInOrder if loop_characteristics.get("isSequential") == "true" else GroupAtOnce
        self.task = spec_class(self.spec, original.name, task_spec="", data_input=_Members(),
                               condition=condition[0].text if condition else None,
                               description="Group step")
        self._copy_task_attrs(original, loop_characteristics)


class ApprovalsParser(CamundaParser):  # type: ignore[misc]
    """The Camunda parser, with group steps as above."""

    OVERRIDE_PARSER_CLASSES = {**CamundaParser.OVERRIDE_PARSER_CLASSES,
                               full_tag("userTask"): (_GroupTaskParser, UserTask)}
