"""A newcomer's first `make run` (issue 19, point 19): each install stage says what it does and
pip lists packages as they come, and the README says how to stop the server, where the data
lives and that a restart keeps it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_a_first_make_run_announces_each_stage_and_lets_pip_show_progress(tmp_path: Path) -> None:
    plan = subprocess.run(["make", "-n", "run", f"VENV={tmp_path / 'venv'}"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    lines = plan.splitlines()
    announced = [line for line in lines if line.startswith('echo "==> ')]
    assert len(announced) >= 4, plan
    installs = [line for line in lines if "pip install" in line]
    assert installs and all(" -q" not in line for line in installs), installs
    # The announcement comes before the long step it announces.
    first_install = next(i for i, line in enumerate(lines) if "pip install -e" in line)
    assert any(line.startswith('echo "==> ') for line in lines[:first_install])
    assert any("Ctrl-C" in line for line in announced)


def test_the_readme_says_how_to_stop_where_the_data_lives_and_that_a_restart_keeps_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Ctrl-C" in readme
    assert "instance/approvals.sqlite3" in readme
    assert "A restart keeps all of it" in readme
