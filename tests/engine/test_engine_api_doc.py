"""docs/engine-api.md runs: its ```python blocks, in order, in one namespace, so the page
that tells a newcomer how to drive the engine can never describe an API that is gone."""

from __future__ import annotations

import linecache
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "engine-api.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def blocks(text: str) -> list[str]:
    return BLOCK.findall(text)


def test_the_engine_api_page_runs_from_building_an_engine_to_the_trail(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # the page's SQLite file lives where it says, not in the checkout
    for name in ("APPROVALS_DATABASE_URL", "APPROVALS_PROCESSES", "APPROVALS_ORGCHART_SOURCE"):
        monkeypatch.delenv(name, raising=False)
    code = blocks(DOC.read_text(encoding="utf-8"))
    assert len(code) >= 8, "the page lost its examples"
    namespace: dict[str, object] = {"__name__": "engine_api_doc"}
    for number, block in enumerate(code, 1):
        where = f"{DOC.name}, block {number}"
        linecache.cache[where] = (len(block), None, block.splitlines(keepends=True), where)  # readable tracebacks
        exec(compile(block, where, "exec"), namespace)  # noqa: S102 - our own page
    app = namespace["app"]
    app.db.engine.dispose()  # type: ignore[attr-defined]


def test_every_public_operation_of_the_service_is_named_on_the_page() -> None:
    from approvals.service import ApprovalService

    text = DOC.read_text(encoding="utf-8")
    public = [n for n in vars(ApprovalService) if not n.startswith("_") and callable(getattr(ApprovalService, n))]
    readers = {"definition_for", "definition_of", "preview", "submit"}  # named in their own section
    missing = [n for n in public if n not in readers and f"`{n}`" not in text]
    assert missing == []
