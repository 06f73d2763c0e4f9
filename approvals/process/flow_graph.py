"""The shape of a process's flow, checked at load (``parse_bpmn``): its size and its loops.

A route is drawn by people, often in a modeller, and sometimes by someone trying to break
the server. Two shapes are refused before anything runs (docs/processes.md, "What is
refused at load"):

- more than ``MAX_FLOW_NODES`` flow elements in one process: no approval route is that long,
  and SpiffWorkflow builds its spec recursively, so about 500 steps in a row end in a
  RecursionError instead of a sentence;
- a loop that passes no userTask. Between two rounds of such a loop nobody decides and
  nothing is filled in, so every condition reads the same variables and the route takes the
  same turn again, for ever. A loop *through* a userTask (back to a step that returned the
  request, 退回) is allowed: a decision can end it. The engine's step budget
  (``engine.MAX_RUN_STEPS``) stops the rest, such as a loop through a step the applicant holds.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from approvals.errors import Issue

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_FLOW_NODES = 100  # the shipped routes have at most 21

# Children of a process that are not steps of the flow (definition_checks.NOT_FLOW and friends).
_NOT_NODES = {"extensionElements", "documentation", "laneSet", "sequenceFlow", "textAnnotation", "association",
              "group", "dataObject", "dataObjectReference", "dataStoreReference", "property", "ioSpecification",
              "ioBinding", "dataInputAssociation", "dataOutputAssociation", "category"}


def _nodes(process: Any) -> dict[str, str]:
    """Flow element id → its tag, in document order."""
    nodes = {}
    for node in process:
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN:
            continue
        tag = etree.QName(node).localname
        if tag not in _NOT_NODES and node.get("id"):
            nodes[node.get("id")] = tag
    return nodes


def _edges(process: Any, keep: set[str]) -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {node: [] for node in keep}
    for flow in process.iterchildren(f"{{{BPMN}}}sequenceFlow"):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source in keep and target in keep:
            edges[source].append(target)
    return edges


def _reachable(edges: dict[str, list[str]], start: str) -> set[str]:
    """Every element reachable from ``start`` in one or more flows (no recursion)."""
    seen: set[str] = set()
    todo = list(edges[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges[node])
    return seen


def _cycles(edges: dict[str, list[str]]) -> list[set[str]]:
    """The groups of elements that each lie on a loop, the loop's elements together (strongly
    connected components; a walk from each element is cheap at MAX_FLOW_NODES)."""
    reach = {node: _reachable(edges, node) for node in edges}
    found: list[set[str]] = []
    placed: set[str] = set()
    for node in edges:
        if node in placed or node not in reach[node]:
            continue
        component = {other for other in reach[node] if node in reach[other]}
        placed |= component
        found.append(component)
    return found


def check_flow(process: Any, where: str, issues: list[Issue]) -> None:
    """Refuse a process with too many flow elements, or with a loop that passes no userTask,
    naming the elements of the loop."""
    nodes = _nodes(process)
    if len(nodes) > MAX_FLOW_NODES:
        issues.append(Issue(where, len(nodes), f"has more than {MAX_FLOW_NODES} flow elements (steps, gateways, "
                                               "events); no approval route is that long: split it into processes"))
        return
    without_decisions = {n for n, tag in nodes.items() if tag != "userTask"}
    for component in _cycles(_edges(process, without_decisions)):
        members = ", ".join(f"{nodes[n]} {n!r}" for n in nodes if n in component)
        issues.append(Issue(f"{where} loop through {members}", None,
                            "passes no userTask, so nothing changes between two rounds and the route would go "
                            "round for ever: lead the loop back through a userTask whose decision can end it, "
                            "or remove it"))
