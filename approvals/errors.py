"""Every error the engine raises on purpose.

    ApprovalsError                  base; ``str(err)`` is one line a user can act on
    ├── OrgChartError               an org chart file breaks the format (carries every issue)
    ├── ProcessDefinitionError      a BPMN file breaks the conventions in docs/processes.md
    │   └── RouteLimitError         a run of a process went past the engine's step budget
    ├── UnknownError                an id that names nothing
    │   ├── UnknownPersonError
    │   ├── UnknownProcessError
    │   ├── UnknownRequestError
    │   └── UnknownTaskError
    ├── RefusedError                the request cannot be submitted as it stands
    │   ├── VacantPostError         the route needs a post nobody holds
    │   ├── FieldError              a request field is missing or invalid (carries every issue)
    │   └── RuleRefusalError        the process itself refuses (risk area, too little notice)
    ├── NotPermittedError           this person may not do this
    ├── InvalidStateError           the request or task is not in a state that allows this
    │   └── ConflictError           someone else changed it first
    │       └── ChartSavedFirstError    an org chart save based on a version no longer in force
    ├── AlreadyDoneError            a form sent again: its action was done the first time
    ├── UnavailableError            the database cannot be reached or is busy; try again later
    ├── AuditChainError             verification found a broken hash chain
    └── ConfigurationError          a setting of the installation names nothing usable

Library exceptions (SpiffWorkflow, SQLAlchemy, YAML) are translated at the boundary
with ``raise ... from exc`` so callers only ever catch these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class ApprovalsError(Exception):
    """Base of every deliberate error."""


@dataclass(frozen=True)
class Issue:
    """One problem found in a file or a form: where, what value, and why."""

    where: str
    value: object
    message: str

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.where}: {self.message}"
        return f"{self.where}: {self.message} (found {self.value!r})"


class _IssuesError(ApprovalsError):
    """An error that reports every issue at once, so a user fixes a file in one pass."""

    def __init__(self, source: str, issues: list[Issue]) -> None:
        self.source = source
        self.issues = list(issues)
        lines = "; ".join(str(i) for i in self.issues)
        super().__init__(f"{source}: {lines}" if source else lines)


class OrgChartError(_IssuesError):
    """The org chart breaks the format in ../shared/specs/orgchart-format.md."""


class ProcessDefinitionError(_IssuesError):
    """A BPMN file breaks the conventions in docs/processes.md."""


class RouteLimitError(ProcessDefinitionError):
    """A run of a process completed more engine steps than any approval route needs: a loop
    whose conditions never let it out (the same steps again and again, the same variables
    every round). The engine stops it rather than spin; the fault is the process's, so a
    deployment is refused at the first person whose route hits it."""

    def __init__(self, process_id: str, limit: int, repeated: list[str]) -> None:
        self.process_id = process_id
        self.limit = limit
        self.repeated = list(repeated)
        super().__init__(process_id, [Issue(
            f"process {process_id!r}", None,
            f"the route did not end within {limit} steps; it keeps going round "
            f"{', '.join(repr(r) for r in repeated)}: a loop whose conditions never let it out "
            "(a loop must pass a userTask whose decision can end it)")])


class UnknownError(ApprovalsError):
    pass


class UnknownPersonError(UnknownError):
    def __init__(self, person_id: str, where: str = "") -> None:
        self.person_id = person_id
        suffix = f" in {where}" if where else ""
        super().__init__(f"unknown person {person_id!r}{suffix}")


class UnknownProcessError(UnknownError):
    def __init__(self, name: str, known: list[str] | None = None) -> None:
        self.name = name
        hint = f"; known: {', '.join(sorted(known))}" if known else ""
        super().__init__(f"unknown process or request type {name!r}{hint}")


class UnknownRequestError(UnknownError):
    def __init__(self, request_id: int) -> None:
        self.request_id = request_id
        super().__init__(f"no request #{request_id}")


class UnknownTaskError(UnknownError):
    def __init__(self, task_id: int) -> None:
        self.task_id = task_id
        super().__init__(f"no task #{task_id}")


class RefusedError(ApprovalsError):
    """The request cannot be submitted as it stands; nothing was saved."""


class VacantPostError(RefusedError):
    def __init__(self, role: str, post: str) -> None:
        self.role = role
        self.post = post
        super().__init__(f"the route needs {post} (role {role}), which is vacant")


class FieldError(RefusedError):
    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("; ".join(str(i) for i in self.issues))


class RuleRefusalError(RefusedError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class NotPermittedError(ApprovalsError):
    pass


class InvalidStateError(ApprovalsError):
    pass


class ConflictError(InvalidStateError):
    """Someone else acted first; reload and look again."""


class ChartSavedFirstError(ConflictError):
    """Someone saved the org chart after the version a save was based on: nothing was saved.
    ``version``/``by``/``at``: the version in force now, who saved it and when ("" / None
    when the chart is gone)."""

    def __init__(self, message: str, *, version: str = "", by: str = "", at: datetime | None = None) -> None:
        super().__init__(message)
        self.version, self.by, self.at = version, by, at


class AlreadyDoneError(ApprovalsError):
    """The same form (its idempotency key) was sent before and its action went through."""


class UnavailableError(ApprovalsError):
    """The database could not be reached or was too busy; the action rolled back, unless
    ``outcome_unknown`` (the fault came during the COMMIT, so it may have been saved)."""

    def __init__(self, message: str, *, outcome_unknown: bool = False) -> None:
        self.outcome_unknown = outcome_unknown
        super().__init__(message)


class AuditChainError(ApprovalsError):
    pass


class ConfigurationError(ApprovalsError):
    """A setting read at start (an environment variable) that cannot be used as written."""
