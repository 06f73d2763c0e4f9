"""The engine's public surface is what `approvals` exports; pinned so a change is deliberate."""

import approvals


def test_public_names_are_pinned() -> None:
    assert sorted(approvals.__all__) == [
        "ApprovalService", "Approvals", "Clock", "FixedClock", "OrgChart", "Queries", "Route",
        "SystemClock", "Upload", "build", "errors", "signals",
    ]
    for name in approvals.__all__:
        assert getattr(approvals, name) is not None


def test_the_engine_never_imports_flask() -> None:
    import subprocess
    import sys

    code = "import sys, approvals.app, approvals.cli; print('flask' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
