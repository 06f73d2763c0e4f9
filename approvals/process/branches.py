"""Which steps of a process run at the same time: the branches of its parallel gateways.

The route preview is a dry run, which approves one step after the other; a step on one branch
of a parallel (or inclusive) gateway is in fact open together with the steps of the other
branches. This reads that from the diagram once, at load: a step belongs to branch ``i`` of
fork ``f`` when the fork's ``i``-th outgoing flow leads to it before the matching join.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from lxml import etree

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
SPLITTING = ("parallelGateway", "inclusiveGateway")

Branches = dict[str, frozenset[tuple[str, int]]]


def _graph(process: Any) -> tuple[dict[str, str], dict[str, list[str]], dict[str, int]]:
    tags = {n.get("id"): etree.QName(n).localname for n in process if isinstance(n.tag, str) and n.get("id")}
    outgoing: dict[str, list[str]] = defaultdict(list)
    incoming: dict[str, int] = defaultdict(int)
    for flow in process.xpath("./bpmn:sequenceFlow", namespaces=NS):
        outgoing[flow.get("sourceRef")].append(flow.get("targetRef"))
        incoming[flow.get("targetRef")] += 1
    return tags, outgoing, incoming


def parallel_branches(process: Any) -> Branches:
    """For every flow node: the (fork id, branch index) pairs it lies on."""
    tags, outgoing, incoming = _graph(process)
    found: dict[str, set[tuple[str, int]]] = defaultdict(set)
    forks = [n for n, tag in tags.items() if tag in SPLITTING and len(outgoing[n]) > 1]
    for fork in forks:
        for index, first in enumerate(outgoing[fork]):
            stack, seen = [(first, 0)], set()
            while stack:
                node, depth = stack.pop()
                if node in seen or node not in tags:
                    continue
                seen.add(node)
                if tags[node] in SPLITTING:
                    depth -= incoming[node] > 1  # a join closes one level; the fork's own join ends the branch
                    if depth < 0:
                        continue
                    depth += len(outgoing[node]) > 1
                found[node].add((fork, index))
                stack.extend((target, depth) for target in outgoing[node])
    return {node: frozenset(pairs) for node, pairs in found.items()}


def run_together(branches: Branches, first: str, second: str) -> bool:
    """Whether two steps lie on different branches of the same fork."""
    mine = branches.get(first, frozenset())
    return any(fork == other_fork and index != other_index
               for fork, index in mine for other_fork, other_index in branches.get(second, frozenset()))
