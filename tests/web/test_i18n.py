"""Every UI string is in the Chinese catalog, and the compiled catalog matches its source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "web" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def test_every_string_in_the_code_and_templates_has_a_chinese_translation(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "web",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with PO.open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string}
    assert sorted(wanted - translated) == [], "run the update steps in README (UI translations)"
    stale = {m.id for m in catalog if m.id} - wanted
    assert sorted(stale) == [], "strings no longer used: run pybabel update"


def test_the_compiled_catalog_is_up_to_date_with_the_po_file() -> None:
    with PO.open("rb") as f:
        source = {m.id: m.string for m in read_po(f) if m.id}
    with PO.with_suffix(".mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == source, "run: pybabel compile -d web/translations"


def test_the_catalog_is_where_babel_looks_for_chinese() -> None:
    # Babel ignores translations/zh_CN; zh (or zh_Hans_CN) is found.
    assert PO.parent.parent.name == "zh"
