"""The engine's API for every user action: the CLI and the web UI call these and nothing else.

A thin facade: each method names the action and hands it to the module that does it
(``approvals/operations/``: ``submit``, ``decide``, ``delegate`` and one module per family of
operations on an open task), passing itself as their ``Host`` (database, clock, charts in
force, process versions). Nothing beneath imports this module; the one-transaction helper
they share is ``operations/action.py``. docs/architecture.md draws the layers.

Each action is one transaction that updates the workflow state, the task rows and the audit
trail together, or none of them; signals go out after the commit. Two decisions racing on
one request: the loser's UPDATE finds a newer revision and gets ConflictError.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from approvals.clock import Clock, SystemClock, today_in
from approvals.errors import UnknownProcessError
from approvals.operations import ask, countersign_add, decide, rewind, submit, terminate, transfer
from approvals.operations.action import Upload, Versioned
from approvals.operations.decide import DECIDED, DECISIONS
from approvals.operations.delegate import delegate as delegate_action
from approvals.people.offices import Offices
from approvals.people.orgchart.model import OrgChart
from approvals.process.definitions import DefinitionRegistry, ProcessDefinition
from approvals.process.routes import Route, preview
from approvals.store.database import Database
from approvals.store.models import ProcessVersion
from approvals.store.orgcharts import DatabaseOrgChartSource
from approvals.store.rows import RequestRow

__all__ = ["DECIDED", "DECISIONS", "ApprovalService", "Upload", "Versioned"]


class ApprovalService:
    def __init__(self, db: Database, definitions: DefinitionRegistry, orgcharts: DatabaseOrgChartSource,
                 clock: Clock | None = None) -> None:
        self.db = db
        self.definitions = definitions
        self.orgcharts = orgcharts
        self.clock = clock or SystemClock()
        self.stored_versions: set[str] = set()  # process versions known to be in the database

    # ---- process versions ------------------------------------------------------------

    def definition_for(self, chart: OrgChart, request_type: str) -> ProcessDefinition:
        process_id = chart.organization.processes.get(request_type)
        if process_id is None:
            raise UnknownProcessError(request_type, list(chart.organization.processes))
        return self.definitions.get(process_id)

    def _stored_xml(self, sha: str) -> str:
        with self.db.reading() as s:
            row = s.get(ProcessVersion, sha)
            if row is None:
                raise UnknownProcessError(sha)
            return row.xml

    def definition_of(self, req: Versioned) -> ProcessDefinition:
        return self.definitions.version(req.process_id, req.process_sha, self._stored_xml)

    # ---- preview -----------------------------------------------------------------------

    def preview(self, applicant: str, request_type: str, raw_fields: Mapping[str, Any]) -> Route:
        chart = self.orgcharts.for_person(applicant)
        defn = self.definition_for(chart, request_type)
        return preview(chart, defn, request_type, applicant, raw_fields,
                       today_in(self.clock, chart.organization.time_zone))

    # ---- the route's actions (operations/submit.py, operations/decide.py) --------------------

    def submit(self, applicant: str, request_type: str, raw_fields: Mapping[str, Any],
               uploads: Mapping[str, Upload] | None = None) -> int:
        return submit.submit(self, applicant, request_type, raw_fields, uploads)

    def decide(self, task_id: int, actor: str, decision: str, comment: str = "",
               fields: Mapping[str, Any] | None = None) -> None:
        decide.decide(self, task_id, actor, decision, comment, fields)

    def report(self, task_id: int, actor: str, raw_fields: Mapping[str, Any]) -> None:
        decide.report(self, task_id, actor, raw_fields)

    def acknowledge(self, task_id: int, actor: str) -> None:
        decide.acknowledge(self, task_id, actor)

    def withdraw(self, request_id: int, actor: str) -> None:
        decide.withdraw(self, request_id, actor)

    def resubmit(self, request_id: int, actor: str, raw_fields: Mapping[str, Any],
                 uploads: Mapping[str, Upload] | None = None) -> None:
        submit.resubmit(self, request_id, actor, raw_fields, uploads)

    def urge(self, task_id: int, actor: str) -> None:
        """催办: the applicant nudges whoever holds an open step of their request."""
        decide.urge(self, task_id, actor)

    def delegate(self, principal: str, delegate: str, starts_on: date, ends_on: date, *,
                 actor: str | None = None, offices: Offices | None = None) -> int:
        """``actor``: who named the delegate when it is not the principal, who must administer the
        principal's organization under ``offices`` (none given: nobody does). ``offices`` also says
        who inspects. A delegate who could not act is refused (``eligibility.check_delegate``)."""
        return delegate_action(self, principal, delegate, starts_on, ends_on, actor=actor, offices=offices)

    # ---- operations on an open task (approvals/operations; docs/operations.md) ---------------

    def transfer(self, task_id: int, actor: str, to: str, reason: str, offices: Offices | None = None) -> int:
        """转办: hand an open decision to ``to``; returns the new task's id."""
        return transfer.transfer(self, task_id, actor, to, reason, offices or Offices())

    def add_approver(self, task_id: int, actor: str, person: str, mode: str, reason: str,
                     offices: Offices | None = None) -> int:
        """加签 before or after the holder; returns the added task's id."""
        return countersign_add.add(self, task_id, actor, person, mode, reason, offices or Offices())

    def remove_approver(self, added_task_id: int, actor: str) -> None:
        """减签: remove the person added, before they act."""
        countersign_add.remove(self, added_task_id, actor)

    def take_back(self, request_id: int, actor: str) -> int:
        """拿回: the latest approver takes their decision back; returns their new task's id."""
        return rewind.take_back(self, request_id, actor)

    def send_back(self, task_id: int, actor: str, to_task_id: int, reason: str,
                  offices: Offices | None = None) -> int:
        """退回到任一已办环节; returns the earlier step's new task id."""
        return rewind.send_back(self, task_id, actor, to_task_id, reason, offices or Offices())

    def terminate(self, request_id: int, actor: str, reason: str, offices: Offices) -> None:
        """终止: an administrator ends a request."""
        terminate.terminate(self, request_id, actor, reason, offices)

    def ask(self, task_id: int, actor: str, person: str, question: str) -> int:
        """沟通: ask without deciding; returns the question's id."""
        return ask.ask(self, task_id, actor, person, question)

    def answer(self, question_id: int, actor: str, words: str, upload: Upload | None = None) -> None:
        ask.answer(self, question_id, actor, words, upload)

    def attach(self, task_id: int, actor: str, upload: Upload) -> int:
        """A file for the holder's decision."""
        return ask.attach(self, task_id, actor, upload)

    def mark_opened(self, task_id: int, actor: str) -> bool:
        """已阅: note the holder's first opening of their task."""
        return ask.mark_opened(self, task_id, actor)

    def _load_request(self, request_id: int) -> RequestRow:
        return submit.load_request(self, request_id)
