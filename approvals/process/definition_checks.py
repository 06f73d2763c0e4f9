"""Load-time checks that keep code and dead elements out of a process definition.

``parse_bpmn`` runs both on every file, so ``approvals check``, the registry and a stored
version all refuse the same things (docs/processes.md, "Expressions" and "Elements the
engine runs"):

- every expression in the XML (flow conditions, ``required_if`` rules, multi-instance
  cardinalities and completion conditions, loop conditions, timers, event conditions) must be
  in the expression language of ``approvals.process.expressions`` and read only variables the
  process has;
- every element must be one the engine runs: an event that would never fire is refused, not
  accepted and silently ignored (a boundary timer on a step runs: ``process/timers.py``); so
  is a Camunda extension the engine does not read (an input/output mapping with a script, a listener, a connector);
- every name a page shows (the process's, a step's, a field's label, a refusal's message)
  passes the same character rules as text a person types (``approvals.text``): a right-to-left
  override in a process name would make an approver read another name than the one stored.

``check_document`` runs on the whole file before SpiffWorkflow reads it: it refuses, naming
the element, what SpiffWorkflow's parser would crash on rather than refuse.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from lxml import etree

from approvals import text
from approvals.errors import Issue
from approvals.process.expressions import ExpressionError, compile_expression
from approvals.process.groups import ALL_AT_ONCE, ALL_IN_ORDER, ANY_ONE, ANY_ONE_CONDITION, COUNTS
from approvals.process.timers import is_timer

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}

# What approvals.process.routes.request_variables provides besides form fields and process properties
# (tests/engine/test_safe_expressions.py pins the two together).
REQUEST_VARIABLES = ("applicant", "applicant_category", "grade", "unit_kind", "unit_id", "today", "risk_areas")

# Elements whose text SpiffWorkflow evaluates as an expression, and how an error names them.
EXPRESSIONS = {
    "conditionExpression": "condition", "loopCardinality": "loopCardinality",
    "completionCondition": "completionCondition", "loopCondition": "loopCondition",
    "timeDate": "timeDate", "timeDuration": "timeDuration", "timeCycle": "timeCycle",
    "condition": "condition", "messagePath": "messagePath", "dataPath": "dataPath",
}

RUNS = {"startEvent", "endEvent", "userTask", "sendTask", "exclusiveGateway", "parallelGateway",
        "inclusiveGateway", "intermediateThrowEvent"}
TASKS = {"task", "manualTask", "receiveTask", "scriptTask", "serviceTask", "businessRuleTask"}  # definitions.py
NOT_FLOW = {"extensionElements", "documentation", "laneSet", "sequenceFlow", "textAnnotation", "association",
            "group", "dataObject", "dataObjectReference", "dataStoreReference", "property", "ioSpecification",
            "ioBinding"}
NO_EVENTS = ("the engine delivers no timers, messages, signals or conditions, "
             "so the route would wait here forever")
NOT_RUN = {
    "boundaryEvent": ("a boundary event other than a timer never fires: the engine delivers no messages, "
                      "signals, errors or conditions, so the route would wait here forever"),
    "intermediateCatchEvent": f"an intermediate catch event never fires: {NO_EVENTS}",
    "eventBasedGateway": f"an event-based gateway waits for an event: {NO_EVENTS}",
    "complexGateway": "a complex gateway is not run; use exclusive, parallel or inclusive gateways",
    "subProcess": "sub-processes are not run yet; draw their steps in the process itself",
    "transaction": "sub-processes are not run yet; draw their steps in the process itself",
    "adHocSubProcess": "sub-processes are not run yet; draw their steps in the process itself",
    "callActivity": "a called process's steps are not run yet; draw them in the process itself",
}
LOOPS = ("loops are not run: a step goes to its role's holder once; for 会签/或签 use "
         "multiInstanceLoopCharacteristics with a group role")
# What SpiffWorkflow would read from task data; a group step's members come from the org chart.
MI_FILLED_BY_ENGINE = ("loopCardinality", "loopDataInputRef", "loopDataOutputRef", "inputDataItem",
                       "outputDataItem")
CONVENTIONS = (f"the three group steps are: all in order (isSequential=\"true\", no completionCondition), "
               f"all at once (isSequential=\"false\", no completionCondition), any one (isSequential=\"false\" "
               f"and completionCondition {ANY_ONE_CONDITION})")


def _local(node: Any) -> str:
    return str(etree.QName(node).localname)


def _definitions(node: Any) -> list[str]:
    return [_local(c) for c in node if isinstance(c.tag, str) and _local(c).endswith("EventDefinition")]


def _event_problem(tag: str, node: Any) -> str | None:
    kinds = _definitions(node)
    if tag == "startEvent" and kinds:
        return f"a request starts when the applicant submits; a {kinds[0]} start never fires"
    if tag == "endEvent" and any(k != "errorEventDefinition" for k in kinds):
        return "an end event is plain or a refusal (errorEventDefinition); nothing receives a " + kinds[0]
    if tag == "intermediateThrowEvent" and kinds:
        return f"nothing receives a {kinds[0]}; only a plain intermediate event passes through"
    return None


def check_elements(process: Any, where: str, issues: list[Issue]) -> None:
    """Refuse every element the engine would not run, naming it and why."""
    for node in process:
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN:
            continue
        tag = _local(node)
        if tag in NOT_FLOW or tag in TASKS or is_timer(node):
            continue  # a timer on a step is read (and checked) by approvals/process/timers.py
        problem = _event_problem(tag, node)
        if problem is None and tag not in RUNS:
            problem = NOT_RUN.get(tag, "is not run by the engine")
        if problem is not None:
            issues.append(Issue(f"{where} {tag} {node.get('id')!r}", None, problem))
    for loop in process.xpath(".//bpmn:standardLoopCharacteristics", namespaces=NS):
        owner = loop.getparent()
        issues.append(Issue(f"{where} {_local(owner)} {owner.get('id')!r}", _local(loop), LOOPS))
    for loop in process.xpath(".//bpmn:multiInstanceLoopCharacteristics", namespaces=NS):
        owner = loop.getparent()
        if _local(owner) != "userTask":
            issues.append(Issue(f"{where} {_local(owner)} {owner.get('id')!r}", _local(loop),
                                "only a userTask can be a group step (会签/或签); a filing or copy already "
                                "reaches every member of the receiving unit"))


def group_mode(node: Any, here: str, issues: list[Issue]) -> str | None:
    """A userTask's group convention (None: a single step), with an issue for anything else."""
    loops = node.xpath("./bpmn:multiInstanceLoopCharacteristics", namespaces=NS)
    if not loops or _local(node) != "userTask":
        return None
    loop, where = loops[0], f"{here} multiInstanceLoopCharacteristics"
    for name in MI_FILLED_BY_ENGINE:
        if loop.xpath(f"./bpmn:{name}", namespaces=NS):
            issues.append(Issue(where, name, "leave it out: the members come from the group role in "
                                             "camunda:candidateGroups"))
    for name in ("collection", "elementVariable"):
        if loop.get(f"{{{CAMUNDA}}}{name}") is not None:
            issues.append(Issue(where, f"camunda:{name}", "leave it out: the members come from the group role "
                                                          "in camunda:candidateGroups"))
    in_order = loop.get("isSequential") == "true"
    condition = loop.xpath("./bpmn:completionCondition", namespaces=NS)
    if not condition:
        return ALL_IN_ORDER if in_order else ALL_AT_ONCE
    text = " ".join((condition[0].text or "").split())
    if text != ANY_ONE_CONDITION or in_order:
        issues.append(Issue(f"{where} completionCondition", condition[0].text, CONVENTIONS))
    return ANY_ONE


def _owner(node: Any) -> Any:
    owner = node.getparent()
    while owner is not None and (owner.get("id") is None or _local(owner).endswith("Definition")
                                 or _local(owner).endswith("Characteristics")):
        owner = owner.getparent()
    return owner


def _check(source: str | None, here: str, known: Iterable[str], issues: list[Issue],
           sensitive: Collection[str] = ()) -> None:
    try:
        expression = compile_expression(source or "")
    except ExpressionError as exc:
        issues.append(Issue(here, source, str(exc)))
        return
    for name in sorted(expression.names & set(sensitive)):
        issues.append(Issue(here, source, f"{name!r} is a sensitive field: its value is sealed and never given "
                                          "to the route; route on another field (docs/processes.md, Sensitive fields)"))
    known = set(known) | set(sensitive)
    for name in sorted(expression.names - known):
        issues.append(Issue(here, source, f"{name!r} is not a form field, a process property or one of "
                                          f"{', '.join(REQUEST_VARIABLES)}"))


def check_expressions(process: Any, where: str, start_fields: Iterable[str], step_fields: Iterable[str],
                      properties: Iterable[str], issues: list[Issue], sensitive: Collection[str] = ()) -> None:
    """Every expression in the process: in the language, reading only variables it will have
    (never a sensitive field, which the route is not given)."""
    data_objects = process.xpath(".//bpmn:dataObject/@id", namespaces=NS)
    starting = {*start_fields, *properties, *REQUEST_VARIABLES}
    everywhere = starting | {*step_fields, *data_objects}
    for node in process.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN:
            continue
        label = EXPRESSIONS.get(_local(node))
        if label is None:
            continue
        owner = _owner(node)
        if label.startswith("time") and is_timer(owner):
            continue  # computed at load from the process properties (approvals/process/timers.py)
        known = everywhere | set(COUNTS) if label == "completionCondition" else everywhere
        _check(node.text, f"{where} {_local(owner)} {owner.get('id')!r} {label}", known, issues, sensitive)
    for constraint in process.xpath(".//camunda:formField/camunda:validation/camunda:constraint"
                                    "[@name='required_if']", namespaces=NS):
        form_field = constraint.getparent().getparent()
        element = form_field.xpath("ancestor::bpmn:*[@id][1]", namespaces=NS)[0]
        own = form_field.getparent().xpath("./camunda:formField/@id", namespaces=NS)
        here = f"{where} {_local(element)} {element.get('id')!r} field {form_field.get('id')!r} required_if"
        _check(constraint.get("config"), here, _form_known(element, own, starting, everywhere, start_fields), issues,
               sensitive)
    for prop in process.xpath(".//camunda:formField/camunda:properties/camunda:property[@id='computed']",
                              namespaces=NS):
        form_field = prop.getparent().getparent()
        element = form_field.xpath("ancestor::bpmn:*[@id][1]", namespaces=NS)[0]
        own = form_field.getparent().xpath("./camunda:formField/@id", namespaces=NS)
        here = f"{where} {_local(element)} {element.get('id')!r} field {form_field.get('id')!r} computed"
        _check(prop.get("value"), here, _form_known(element, own, starting, everywhere, start_fields), issues,
               sensitive)


def _form_known(element: Any, own: Iterable[str], starting: set[str], everywhere: set[str],
                start_fields: Iterable[str]) -> set[str]:
    """What a form's rule may read: the request form its own fields and the request's variables;
    a report form its own and the request's fields; a decision step's form (per-step fields)
    its own and every variable of the route, earlier steps' fields included."""
    if _local(element) == "startEvent":
        return {*own, *starting}
    kind = element.xpath("string(./bpmn:extensionElements/camunda:properties/camunda:property[@name='kind']/@value)",
                         namespaces=NS)
    if kind == "report":
        return {*own, *start_fields}
    return {*own, *everywhere}


# Camunda extension elements the engine reads (docs/processes.md); anything else (inputOutput,
# executionListener, taskListener, script, connector, in/out, field) would be silently ignored.
CAMUNDA_READ = {"properties", "property", "formData", "formField", "validation", "constraint", "value"}
# Camunda attributes that would silently not do what they say: code, or a person named
# outside the org chart.
CAMUNDA_IGNORED = {
    "class": "code is not run: a process definition holds no code",
    "expression": "code is not run: a process definition holds no code",
    "delegateExpression": "code is not run: a process definition holds no code",
    "resultVariable": "code is not run: a process definition holds no code",
    "assignee": "who acts comes from camunda:candidateGroups (a role of the org chart), not a named person",
    "candidateUsers": "who acts comes from camunda:candidateGroups (a role of the org chart), not named people",
}


def _named(node: Any, itself: bool = True) -> str:
    """``userTask 't1'``: ``node`` (when it has an id and ``itself``) or the nearest element
    around it that has one."""
    owner = node if itself and node.get("id") else next(iter(node.xpath("ancestor::*[@id][1]")), None)
    return _local(node) if owner is None else f"{_local(owner)} {owner.get('id')!r}"


def check_extensions(process: Any, where: str, issues: list[Issue]) -> None:
    """Refuse every Camunda extension the engine would silently not run, naming its element."""
    for node in process.iter():
        if not isinstance(node.tag, str):
            continue
        if etree.QName(node).namespace == CAMUNDA and _local(node) not in CAMUNDA_READ:
            parent = node.getparent()
            if parent is not None and etree.QName(parent).namespace == CAMUNDA \
                    and _local(parent) not in CAMUNDA_READ:
                continue  # named with its outermost unread element
            issues.append(Issue(f"{where} {_named(node)} camunda:{_local(node)}", None,
                                "is not run by the engine (no scripts, listeners, connectors or input/output "
                                "mappings): remove it; conditions read form fields and process properties"))
            continue
        for name, why in CAMUNDA_IGNORED.items():
            if node.get(f"{{{CAMUNDA}}}{name}") is not None:
                issues.append(Issue(f"{where} {_named(node)} camunda:{name}", node.get(f"{{{CAMUNDA}}}{name}"), why))


# Attributes whose text pages show (bpmn ``name``, a form field's ``label``, an option's
# ``name``), and camunda properties holding an English name.
_SHOWN_ATTRIBUTES = ("name", "label")
_SHOWN_PROPERTIES = ("name_en", "label_en")


def _shown_texts(process: Any) -> list[tuple[Any, str, str]]:
    """(element, what, text) for every text of ``process`` a page shows."""
    found = []
    for node in process.iter():
        if not isinstance(node.tag, str):
            continue
        if _local(node) == "property" and (node.get("name") or node.get("id")) in _SHOWN_PROPERTIES:
            found.append((node, f"property {node.get('name') or node.get('id')}", node.get("value", "")))
            continue
        if _local(node) == "property":
            continue  # a process property is a variable: its value is checked where it is used
        found.extend((node, attribute, node.get(attribute)) for attribute in _SHOWN_ATTRIBUTES
                     if node.get(attribute) is not None)
    return found


def check_texts(root: Any, process: Any, where: str, issues: list[Issue]) -> None:
    """Names a page shows pass the rules for typed text: no control or bidirectional-text
    characters, at most ``text.LINE_LENGTH`` characters (a refusal's message: ``TEXT_LENGTH``)."""
    for node, what, value in _shown_texts(process):
        problem = text.problem(value, text.LINE_LENGTH)
        if problem is not None:
            owner = where if node is process else f"{where} {_named(node, _local(node) != 'property')}"
            issues.append(Issue(f"{owner} {what}", value if len(value) <= 60 else value[:60] + "…", problem))
    refs = set(process.xpath(".//bpmn:errorEventDefinition/@errorRef", namespaces=NS))
    for error in root.xpath("./bpmn:error", namespaces=NS):
        if error.get("id") in refs:
            problem = text.problem(error.get("name") or "", text.TEXT_LENGTH)
            if problem is not None:
                issues.append(Issue(f"error {error.get('id')!r} name", error.get("name")[:60], problem))


def check_document(root: Any, issues: list[Issue]) -> None:
    """What SpiffWorkflow's parser would crash on (a traceback, not a refusal), in every
    process of the file, executable or not: a businessRuleTask without camunda:decisionRef
    (the OMG MIWG reference files C.7.0, C.8.0, C.8.1, C.9.0)."""
    for node in root.xpath("//bpmn:businessRuleTask", namespaces=NS):
        process = node.xpath("ancestor::bpmn:process[1]", namespaces=NS)
        owner = f"process {process[0].get('id')!r} " if process else ""
        issues.append(Issue(f"{owner}businessRuleTask {node.get('id')!r}", None,
                            "business rules (DMN) are not run: use a userTask (someone decides) or an "
                            "exclusiveGateway with conditions"))
