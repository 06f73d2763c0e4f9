"""The verification code of a paper 审批单: built from the request's latest audit entry and
checked against the trail, also from the command line."""

from __future__ import annotations

import tampering
from click.testing import CliRunner
from support import leave_fields, open_steps

from approvals.app import Approvals
from approvals.cli import cli
from approvals.reports import printable

STAFF, HEAD = "shen.yue", "jiang.tao"


def test_a_code_names_its_request_and_says_when_the_paper_is_out_of_date(app: Approvals) -> None:
    request_id = app.service.submit(STAFF, "leave", leave_fields())
    stamp = printable.stamp(app.db, request_id)
    assert stamp is not None
    assert printable.check(app.db, stamp.code) == printable.CopyCheck(True, request_id=request_id,
                                                                      seq=stamp.seq)
    assert printable.check(app.db, stamp.code.lower()).ok  # read off paper in any case
    app.service.decide(open_steps(app, request_id)[0].id, HEAD, "approve", "")
    later = printable.check(app.db, stamp.code)
    assert later.ok and later.later >= 1
    assert printable.stamp(app.db, request_id) != stamp  # a new paper has a new code


def test_a_misread_forged_or_tampered_code_is_refused_with_the_reason(app: Approvals) -> None:
    request_id = app.service.submit(STAFF, "leave", leave_fields())
    stamp = printable.stamp(app.db, request_id)
    assert stamp is not None
    assert printable.check(app.db, "12345").reason == "format"
    assert printable.check(app.db, "99999-0000-0000-0000-0000").reason == "missing"
    flipped = stamp.code[:-1] + ("0" if stamp.code[-1] != "0" else "1")
    assert printable.check(app.db, flipped).reason == "mismatch"
    tampering.sql(app.db, f"UPDATE audit_entries SET comment = '改过' WHERE seq = {stamp.seq}")
    assert printable.check(app.db, stamp.code).reason == "altered"


def test_check_copy_on_the_command_line(db_url: str) -> None:
    from support import CHART_A, CHART_B, make_app

    app = make_app(db_url, CHART_A, CHART_B)
    request_id = app.service.submit(STAFF, "leave", leave_fields())
    stamp = printable.stamp(app.db, request_id)
    assert stamp is not None
    runner = CliRunner()
    good = runner.invoke(cli, ["--database", db_url, "audit", "check-copy", stamp.code])
    assert good.exit_code == 0, good.output
    assert f"request #{request_id}" in good.output and "up to date" in good.output
    bad = runner.invoke(cli, ["--database", db_url, "audit", "check-copy", "1-0000-0000-0000-0000"])
    assert bad.exit_code == 1
    app.db.dispose()
