"""The layers docs/architecture.md draws, kept by the build: a newcomer's import that runs back up
a layer, closes a circle or reaches for another module's private name fails here (and in
`make lint`), not in review."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("approvals", "web")


def test_the_import_contracts_in_pyproject_hold() -> None:
    """import-linter's contracts ([tool.importlinter]): the rooms of approvals/ and web/ in
    their layers, and approvals never importing the web UI or Flask."""
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Modules that import each other, directly or round a loop (Tarjan's strongly connected
    components). A package importing its own submodules is left out: that is how a blueprint
    registers its pages and how a room's __init__ re-exports its names."""
    def imports(module: str) -> list[str]:
        return [m for m in graph.find_modules_directly_imported_by(module) if not m.startswith(module + ".")]

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # iterative: the graph is deep enough for Python's recursion limit
        work = [(start, iter(sorted(imports(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index and module.split(".")[0] in PACKAGES:
            visit(module)
    return found


def test_no_modules_import_each_other_in_a_circle() -> None:
    graph = grimp.build_graph(*PACKAGES, "benchmarks")
    assert circles(graph) == []


def private_uses(roots: list[Path]) -> list[str]:
    """``from x import _name`` and ``module._name`` where x and module are one of ours."""
    found = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            modules = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PACKAGES:
                    for alias in node.names:
                        if alias.name.startswith("_") and not alias.name.startswith("__"):
                            found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}.{alias.name}")
                        modules.add(alias.asname or alias.name)
                elif isinstance(node, ast.Import):
                    modules |= {a.asname or a.name.split(".")[0] for a in node.names
                                if a.name.split(".")[0] in PACKAGES}
            for node in ast.walk(tree):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                        and node.attr.startswith("_") and not node.attr.startswith("__")):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_module_reaches_for_another_modules_private_names() -> None:
    assert private_uses([ROOT / p for p in PACKAGES]) == []


def test_nothing_beneath_the_service_imports_it() -> None:
    graph = grimp.build_graph("approvals")
    importers = graph.find_modules_that_directly_import("approvals.service")
    assert importers <= {"approvals", "approvals.app"}, sorted(importers)
