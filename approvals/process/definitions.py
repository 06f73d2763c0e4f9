"""Find, parse, validate and cache the BPMN processes in ``processes/``.

SpiffWorkflow's CamundaParser builds the executable spec; this module reads the project's
conventions (docs/processes.md) from the same XML: step roles and kinds, form fields,
process variables and refusal end events. Parsed definitions are cached by content hash,
so a request started on one version of a file keeps running on exactly that version.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from approvals.errors import ApprovalsError, Issue, ProcessDefinitionError, UnknownProcessError
from approvals.people.eligibility import is_discipline_step
from approvals.people.orgchart.roles import group_syntax_problem, is_group_role
from approvals.process import step_fields, vacancy
from approvals.process.branches import Branches, parallel_branches
from approvals.process.definition_checks import (
    check_document,
    check_elements,
    check_expressions,
    check_extensions,
    check_texts,
    group_mode,
)
from approvals.process.flow_graph import check_flow
from approvals.process.forms import FieldDef, parse_form, sensitive_names
from approvals.process.groups import ApprovalsParser
from approvals.process.timers import TimerDef, read_timers, strip_timers

log = logging.getLogger(__name__)

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
USER_KINDS = ("approve", "consent", "record", "report")
SEND_KINDS = ("file", "copy")
DECISION_KINDS = ("approve", "consent", "record")
ROLE_PATTERN = re.compile(r"^(duty:[A-Za-z0-9_.-]+|[a-z][a-z0-9_]*)$")


@dataclass(frozen=True)
class StepDef:
    """A userTask or sendTask: who (role) does what (kind)."""

    bpmn_id: str
    name: str
    name_en: str
    kind: str
    role: str
    due_field: str | None = None
    fields: tuple[FieldDef, ...] = ()
    group: str | None = None  # group steps: all_in_order (会签 依次), all_at_once (会签 同时), any_one (或签)
    # Working days (approvals/process/calendar.py): a decision's time limit from when it arrives; a
    # report's due date after the date in due_field (0: that day). None: no time limit.
    due_days: int | None = None
    opens_field: str | None = None  # a report is refused before this date field's day
    escalate_after: int | None = None  # overdue working days after which the supervisor is told
    timers: tuple[TimerDef, ...] = ()  # boundary timers (approvals/process/timers.py)
    if_vacant: str = "refuse"  # refuse | skip | admin | a role (approvals/process/vacancy.py)
    chosen_in: str | None = None  # the form field where the applicant chooses the holder (process/choices.py)
    hidden_fields: tuple[str, ...] = ()  # fields this step's holder does not see (process/step_fields.py)

    @property
    def blocking(self) -> bool:
        return self.kind not in SEND_KINDS

    @property
    def decides(self) -> bool:
        return self.kind in DECISION_KINDS


@dataclass(frozen=True)
class Refusal:
    bpmn_id: str
    code: str
    message: str


@dataclass(frozen=True)
class ProcessDefinition:
    process_id: str
    name: str
    source: str
    sha256: str
    xml: str
    spec: Any = field(repr=False)
    subprocess_specs: Any = field(repr=False)
    steps: dict[str, StepDef] = field(default_factory=dict)
    fields: tuple[FieldDef, ...] = ()
    variables: dict[str, Any] = field(default_factory=dict)
    refusals: dict[str, Refusal] = field(default_factory=dict)
    branches: Branches = field(default_factory=dict)  # parallel gateways' branches (branches.py)

    @property
    def name_en(self) -> str:
        """The English name, from the process property ``name_en`` ("" when the file has none)."""
        return str(self.variables.get("name_en", ""))

    @property
    def uses_county_cadre(self) -> bool:
        return bool(self.variables.get("uses_county_cadre", False))

    def field(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)


def _typed(value: str) -> Any:
    if value in ("true", "false"):
        return value == "true"
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def _properties(element: Any) -> dict[str, str]:
    nodes = element.xpath("./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)
    return {n.get("name"): n.get("value", "") for n in nodes if n.get("name")}


def _step(node: Any, where: str, issues: list[Issue], defaults: dict[str, str]) -> StepDef | None:
    tag = etree.QName(node).localname
    bpmn_id = node.get("id")
    props = {**defaults, **_properties(node)}
    allowed = USER_KINDS if tag == "userTask" else SEND_KINDS
    kind = props.get("kind", allowed[0])
    role = node.get(f"{{{NS['camunda']}}}candidateGroups", "").strip()
    here = f"{where} {tag} {bpmn_id!r}"
    ok = True
    if kind not in allowed:
        issues.append(Issue(f"{here} property kind", kind, f"expected one of {', '.join(allowed)}"))
        ok = False
    group = group_mode(node, here, issues)
    if not role:
        issues.append(Issue(here, None, "needs camunda:candidateGroups naming one role, e.g. unit_head"))
        ok = False
    elif props.get("chosen_in"):  # the role is the limit of the applicant's choice: one role or a group role
        ok = _choice_fits(role, group, kind, here, issues) and ok
    else:
        ok = _role_fits(role, group, kind, here, issues) and ok
    fields = parse_form(node, f"{here} form", issues)
    for fd in fields:
        if fd.sensitive:  # a report's values are kept with its task, which seals nothing
            issues.append(Issue(f"{here} form field {fd.name!r} property sensitive", fd.sensitive,
                                "only a field of the request form (the start event) can be sensitive"))
    due = props.get("due_field")
    if kind == "report" and due is None:
        issues.append(Issue(here, None, "a report step needs property due_field naming a date field"))
    if not ok:
        return None
    limits = _limits(props, kind, here, issues)
    if_vacant = props.get("if_vacant", vacancy.REFUSE).strip()
    vacancy.check(if_vacant, kind, group, here, issues)
    return StepDef(bpmn_id, node.get("name") or bpmn_id, props.get("name_en", ""), kind, role, due, fields,
                   group, limits.get("due_days"), props.get("opens_field"), limits.get("escalate_after"),
                   if_vacant=if_vacant, chosen_in=props.get("chosen_in") or None,
                   hidden_fields=step_fields.hidden(props))


# Step properties in working days; the process property of the same name is every step's default
# (``report_due_days`` for report steps, ``time_limit_days`` for decisions).
LIMIT_PROPERTIES = {"time_limit_days": "due_days", "report_due_days": "due_days",
                    "escalate_after_days": "escalate_after"}


def _limits(props: dict[str, str], kind: str, here: str, issues: list[Issue]) -> dict[str, int]:
    limits = {}
    for name, attr in LIMIT_PROPERTIES.items():
        if name not in props or (attr == "due_days" and (name == "report_due_days") != (kind == "report")):
            continue  # a report's limit is report_due_days, a decision's time_limit_days
        if attr == "due_days" and kind in SEND_KINDS:
            continue  # a filing or copy is acknowledged, never late
        raw = props[name]
        if not re.fullmatch(r"\d{1,3}", raw.strip()):
            issues.append(Issue(f"{here} property {name}", raw, "expected a whole number of working days, 0-999"))
            continue
        limits[attr] = int(raw)
    return limits


def _choice_fits(role: str, group: str | None, kind: str, here: str, issues: list[Issue]) -> bool:
    """A step the applicant chooses the holder of: a single step (approve, consent, record) or a
    copy (抄送), limited by one role or a group role."""
    problem = None
    if group is not None or kind not in (*DECISION_KINDS, "copy"):
        problem = "only a single decision step or a copy (抄送) takes the applicant's choice (chosen_in)"
    elif is_group_role(role):
        problem = group_syntax_problem(role)
    elif not ROLE_PATTERN.match(role):
        problem = "expected one role or a group role limiting the choice, e.g. deputies:leadership"
    if problem is not None:
        issues.append(Issue(f"{here} camunda:candidateGroups", role, problem))
    return problem is None


def _role_fits(role: str, group: str | None, kind: str, here: str, issues: list[Issue]) -> bool:
    """One role for a single step, a group role for a group step; the discipline duty gives
    opinions (consent, record) and never approves (docs/processes.md, "Discipline opinions")."""
    where = f"{here} camunda:candidateGroups"
    problem = None
    if group is None and is_group_role(role):
        problem = ("names several people: a group step needs bpmn:multiInstanceLoopCharacteristics "
                   "(see docs/processes.md, \"Group steps\")")
    elif group is None and not ROLE_PATTERN.match(role):
        problem = "expected one role, e.g. unit_head or duty:filing"
    elif group is not None and not is_group_role(role):
        problem = ("a group step (multiInstanceLoopCharacteristics) needs a group role, e.g. members:leadership, "
                   "deputies:unit or 'chief, organ_leader'")
    elif group is not None:
        problem = group_syntax_problem(role)
    if problem is None and group is not None and kind == "report":
        problem = "a report is filed by the applicant alone; a report step cannot be a group step"
    if problem is None and kind == "approve" and is_discipline_step(role):
        problem = ("the discipline duty gives an opinion and never approves: set property kind to consent "
                   "(纪检意见) or record")
    if problem is not None:
        issues.append(Issue(where, role, problem))
    return problem is None


def _refusal(node: Any, root: Any, where: str, issues: list[Issue]) -> Refusal | None:
    ref = node.xpath("./bpmn:errorEventDefinition/@errorRef", namespaces=NS)
    if not node.xpath("./bpmn:errorEventDefinition", namespaces=NS):
        return None
    error = root.xpath("//bpmn:error[@id=$ref]", namespaces=NS, ref=ref[0]) if ref else []
    if not error or not error[0].get("name"):
        issues.append(Issue(f"{where} endEvent {node.get('id')!r}", ref[0] if ref else None,
                            "a refusal end event needs errorRef to a bpmn:error with a name (the message)"))
        return None
    return Refusal(node.get("id"), error[0].get("errorCode") or node.get("id"), error[0].get("name"))


def _read_conventions(root: Any, process: Any, where: str, issues: list[Issue]) -> dict[str, Any]:
    steps: dict[str, StepDef] = {}
    defaults = {k: v for k, v in _properties(process).items() if k in LIMIT_PROPERTIES}
    for node in process.xpath(".//bpmn:userTask | .//bpmn:sendTask", namespaces=NS):
        step = _step(node, where, issues, defaults)
        if step is not None:
            steps[step.bpmn_id] = step
    for tag in ("task", "manualTask", "receiveTask", "scriptTask", "serviceTask"):  # businessRuleTask: check_document
        for node in process.xpath(f".//bpmn:{tag}", namespaces=NS):
            issues.append(Issue(f"{where} {tag} {node.get('id')!r}", tag,
                                "use a userTask (someone acts) or a sendTask (filing/copy)"))
    refusals = {}
    for node in process.xpath(".//bpmn:endEvent", namespaces=NS):
        refusal = _refusal(node, root, where, issues)
        if refusal is not None:
            refusals[refusal.bpmn_id] = refusal
    starts = process.xpath("./bpmn:startEvent", namespaces=NS)
    if len(starts) != 1:
        issues.append(Issue(where, len(starts), "expected exactly one start event at the top level"))
    fields = parse_form(starts[0], f"{where} start event form", issues) if starts else ()
    variables = {k: _typed(v) for k, v in _properties(process).items()}
    timers = read_timers(process, where, {i: s.kind for i, s in steps.items()}, variables, issues)
    for step in steps.values():
        chosen = next((f for f in fields if f.name == step.chosen_in), None)
        if step.chosen_in and (chosen is None or chosen.type != "string" or chosen.sensitive):
            issues.append(Issue(f"{where} {'userTask' if step.blocking else 'sendTask'} {step.bpmn_id!r} "
                                "property chosen_in", step.chosen_in,
                                "expected the id of a string field of the request form, where the applicant "
                                "writes whom they choose"))
    steps = {i: replace(s, timers=timers.get(i, ())) for i, s in steps.items()}
    step_fields.check(steps.values(), fields, where, issues)
    return {"steps": steps, "refusals": refusals, "fields": fields, "variables": variables,
            "branches": parallel_branches(process)}


def _one_line(message: str) -> str:
    """SpiffWorkflow's messages repeat element names, which may hold line breaks (MIWG B.1.0's
    "Data\nStore Reference"): a refusal is one line."""
    return " ".join(message.split())


def _check_process(root: Any, process: Any, issues: list[Issue]) -> dict[str, Any]:
    """Every load-time check of one executable process; its conventions (steps, fields, ...)."""
    where = f"process {process.get('id')!r}"
    conventions = _read_conventions(root, process, where, issues)
    check_elements(process, where, issues)
    check_flow(process, where, issues)
    check_extensions(process, where, issues)
    check_texts(root, process, where, issues)
    step_fields = [f.name for step in conventions["steps"].values() for f in step.fields]
    check_expressions(process, where, [f.name for f in conventions["fields"]], step_fields,
                      conventions["variables"], issues, sensitive=sensitive_names(conventions["fields"]))
    return conventions


def _parse(xml: str, source: str) -> list[ProcessDefinition]:
    issues: list[Issue] = []
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        issue = Issue(f"line {exc.lineno}", None, f"not well-formed XML: {_one_line(exc.msg)}")
        raise ProcessDefinitionError(source, [issue]) from exc
    # The project's checks come first, on the XML alone: what they refuse never reaches
    # SpiffWorkflow's parser, which crashes on some standard files instead of refusing them.
    check_document(root, issues)
    processes = root.xpath("//bpmn:process[@isExecutable='true']", namespaces=NS)
    read = [(process, _check_process(root, process, issues)) for process in processes]
    if not processes and not issues:
        issues.append(Issue("definitions", None, "no bpmn:process with isExecutable=\"true\""))
    if issues:
        raise ProcessDefinitionError(source, issues)
    parser = ApprovalsParser()
    try:
        parser.add_bpmn_xml(strip_timers(root), filename=source)  # the engine runs its timers itself
    except (ValidationException, SpiffWorkflowException) as exc:
        raise ProcessDefinitionError(source, [Issue("BPMN", None, _one_line(str(exc)))]) from exc
    sha = hashlib.sha256(xml.encode("utf-8")).hexdigest()
    result = []
    for process, conventions in read:
        pid = process.get("id")
        try:
            spec = parser.get_spec(pid)
            subprocess_specs = parser.get_subprocess_specs(pid)
        except (ValidationException, SpiffWorkflowException) as exc:
            issues.append(Issue(f"process {pid!r}", None, _one_line(str(exc))))
            continue
        result.append(ProcessDefinition(pid, process.get("name") or pid, source, sha, xml, spec,
                                        subprocess_specs, **conventions))
    if issues:
        raise ProcessDefinitionError(source, issues)
    return result


def parse_bpmn(xml: str, source: str) -> list[ProcessDefinition]:
    """Parse one BPMN file's text into its executable processes, or raise
    ProcessDefinitionError with every issue, each naming its element, on one line.

    Nothing else escapes: an error no check foresaw (a crash inside SpiffWorkflow) refuses the
    file too, and is logged with its traceback for the developers. A file is the input of
    ``approvals check``, a deployment from the admin's page and the server's start, none of
    which may stop on one bad file."""
    try:
        return _parse(xml, source)
    except ApprovalsError:
        raise
    except Exception as exc:  # noqa: BLE001 - the last net: a file is refused, never a traceback
        log.exception("process file %s could not be read", source)
        raise ProcessDefinitionError(source, [Issue("BPMN", None, _one_line(
            f"SpiffWorkflow could not read this file ({type(exc).__name__}: {exc})"))]) from exc


def _read_file(path: Path) -> str:
    """A file of the processes folder as text, or ProcessDefinitionError saying why not: one
    unreadable file is skipped, never a server that does not start."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProcessDefinitionError(path.name, [Issue("(file)", None, f"not UTF-8 text (byte {exc.start})")]) from exc
    except OSError as exc:
        raise ProcessDefinitionError(path.name, [Issue("(file)", None, f"cannot be read: {exc.strerror}")]) from exc


class DeployedVersions(Protocol):
    """Where deployed process versions live (``approvals.operations.deploy.DatabaseDeployments``)."""

    def marker(self) -> int | None:
        """Changes whenever a version is deployed: one cheap query."""
        ...

    def current(self) -> list[tuple[str, str, str, str]]:
        """The version in force per deployed process: (process id, sha256, source name, XML)."""
        ...


class DefinitionRegistry:
    """The processes of a deployment: current ones by id, and every version seen by hash.

    Current ones are the files in ``directory``, replaced by a deployed version of the same
    process id where one was deployed (``deployed``). Every ``refresh_seconds`` at most, a
    lookup compares the deployments' marker with the one it has loaded, so a process deployed
    through another worker is in force here within that time, with no restart."""

    def __init__(self, directory: Path | str, deployed: DeployedVersions | None = None,
                 refresh_seconds: float = 2.0) -> None:
        self.directory = Path(directory)
        self.deployed = deployed
        self.refresh_seconds = refresh_seconds
        self._by_hash: dict[tuple[str, str], ProcessDefinition] = {}
        self._by_text: dict[str, list[ProcessDefinition]] = {}
        self._current: dict[str, ProcessDefinition] | None = None
        self._origins: dict[str, str] = {}
        self._errors: list[ProcessDefinitionError] = []
        self._marker: int | None = None
        self._checked_at: float | None = None
        self._lock = threading.RLock()

    def _deployed_marker(self) -> int | None:
        if self.deployed is None:
            return None
        now = time.monotonic()
        if self._checked_at is not None and now - self._checked_at < self.refresh_seconds:
            return self._marker
        self._checked_at = now
        return self.deployed.marker()

    def _load(self) -> dict[str, ProcessDefinition]:
        marker = self._deployed_marker()
        with self._lock:
            if self._current is None or marker != self._marker:
                current: dict[str, ProcessDefinition] = {}
                origins: dict[str, str] = {}
                errors = []
                for path in sorted(self.directory.glob("*.bpmn")):
                    try:
                        for defn in self._parse(_read_file(path), path.name):
                            current[defn.process_id] = defn
                            origins[defn.process_id] = "file"
                    except ProcessDefinitionError as exc:
                        errors.append(exc)
                for process_id, sha, source, xml in self.deployed.current() if self.deployed else []:
                    try:
                        current[process_id] = self._verified(process_id, sha, xml, source)
                        origins[process_id] = "deployed"
                    except (ProcessDefinitionError, UnknownProcessError) as exc:
                        errors.append(exc if isinstance(exc, ProcessDefinitionError)
                                      else ProcessDefinitionError(source, [Issue(process_id, sha, str(exc))]))
                for error in errors:
                    if str(error) not in {str(e) for e in self._errors}:  # once, not at every reload
                        log.error("process file skipped, the others are in force: %s", error)
                self._current, self._origins, self._errors, self._marker = current, origins, errors, marker
            return self._current

    def _parse(self, xml: str, source: str) -> list[ProcessDefinition]:
        sha = hashlib.sha256(xml.encode("utf-8")).hexdigest()
        known = self._by_text.get(sha)
        if known is not None:
            return known
        defns = parse_bpmn(xml, source)
        self._by_text[sha] = defns
        for defn in defns:
            self._by_hash[(defn.sha256, defn.process_id)] = defn
        return defns

    def _verified(self, process_id: str, sha256: str, xml: str, source: str) -> ProcessDefinition:
        """Stored XML is hashed before it is parsed: text altered in the database is refused, so
        write access to the database cannot change what a request runs."""
        found = hashlib.sha256(xml.encode("utf-8")).hexdigest()
        if found != sha256:
            raise ProcessDefinitionError(source, [Issue(
                f"stored process version {sha256}", found,
                "its XML does not hash to the version it is stored as: it was altered in the database, "
                "so it is refused and not parsed")])
        with self._lock:
            for defn in self._parse(xml, source):
                if defn.process_id == process_id:
                    return defn
        raise UnknownProcessError(process_id)

    @property
    def errors(self) -> list[ProcessDefinitionError]:
        self._load()
        return list(self._errors)

    def ids(self) -> list[str]:
        return sorted(self._load())

    def all(self) -> Iterable[ProcessDefinition]:
        return list(self._load().values())

    def origin(self, process_id: str) -> str:
        """"file" (from the processes folder) or "deployed" (from the database)."""
        self._load()
        return self._origins.get(process_id, "")

    def get(self, process_id: str) -> ProcessDefinition:
        try:
            return self._load()[process_id]
        except KeyError:
            raise UnknownProcessError(process_id, self.ids()) from None

    def version(self, process_id: str, sha256: str, xml_loader: Any) -> ProcessDefinition:
        """The exact version a request started on; ``xml_loader(sha)`` fetches stored XML on a miss
        (a file since removed from the folder, a version deployed and replaced since)."""
        cached = self._by_hash.get((sha256, process_id))
        if cached is not None:
            return cached
        current = self._load().get(process_id)
        if current is not None and current.sha256 == sha256:
            return current
        return self._verified(process_id, sha256, xml_loader(sha256), f"{process_id}@{sha256[:12]}")

    def reload(self) -> None:
        """Read the folder and the deployments again at the next lookup."""
        with self._lock:
            self._current = None
            self._checked_at = None
