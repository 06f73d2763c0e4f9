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


def circles(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    """Imports that close a loop: ``a`` imports ``b`` and ``b`` leads back to ``a``. A package
    importing its own submodules is left out: that is how a blueprint registers its pages and
    how a room's __init__ re-exports its names."""
    for module in list(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(module + "."):
                graph.remove_import(importer=module, imported=imported)
    return sorted((a, b) for a in graph.modules if a.split(".")[0] in PACKAGES
                  for b in graph.find_modules_directly_imported_by(a) if graph.chain_exists(importer=b, imported=a))


def test_no_modules_import_each_other_in_a_circle() -> None:
    graph = grimp.build_graph(*PACKAGES, "benchmarks")
    assert circles(graph) == []


def _our_modules(tree: ast.Module) -> tuple[set[str], list[tuple[int, str]]]:
    """Names bound to our modules (or their members) in ``tree``, and the private names imported."""
    names, private = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PACKAGES:
            names |= {alias.asname or alias.name for alias in node.names}
            private += [(node.lineno, f"imports {node.module}.{alias.name}") for alias in node.names
                        if alias.name.startswith("_") and not alias.name.startswith("__")]
        elif isinstance(node, ast.Import):
            names |= {a.asname or a.name.split(".")[0] for a in node.names if a.name.split(".")[0] in PACKAGES}
    return names, private


def private_uses(roots: list[Path]) -> list[str]:
    """``from x import _name`` and ``module._name`` where x and module are one of ours."""
    found = []
    for path in sorted(p for root in roots for p in root.rglob("*.py") if "migrations" not in p.parts):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names, private = _our_modules(tree)
        private += [(node.lineno, f"uses {node.value.id}.{node.attr}") for node in ast.walk(tree)
                    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in names and node.attr.startswith("_") and not node.attr.startswith("__")]
        found += [f"{path.relative_to(ROOT)}:{line} {what}" for line, what in private]
    return found


def test_no_module_reaches_for_another_modules_private_names() -> None:
    assert private_uses([ROOT / p for p in PACKAGES]) == []


def test_nothing_beneath_the_service_imports_it() -> None:
    graph = grimp.build_graph("approvals")
    importers = graph.find_modules_that_directly_import("approvals.service")
    assert importers <= {"approvals", "approvals.app"}, sorted(importers)
