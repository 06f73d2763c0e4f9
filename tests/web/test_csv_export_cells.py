"""The inspector's CSV export shows a comment that looks like a formula as text: a cell
starting with =, +, -, @, tab or CR gets a leading ' (OWASP "CSV Injection")."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from webkit import client_for, open_task, submit_leave

from approvals.app import Approvals
from approvals.text import spreadsheet_cell

INSPECTOR = "yang.fan"


@pytest.mark.parametrize("comment", ['=HYPERLINK("http://evil.example","点此")', "+1+cmd|' /C calc'!A0",
                                     "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"])
def test_a_formula_in_a_comment_is_exported_as_text(engine: Approvals, web: Flask, comment: str) -> None:
    request_id = submit_leave(engine, "sun.li")
    engine.service.decide(open_task(engine, request_id).id, "zhao.lei", "reject", comment)
    response = client_for(web, INSPECTOR).get("/inspect/export.csv?decision=reject")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    column = rows[0].index("意见")
    assert rows[1][column] == "'" + comment.strip()


def test_ordinary_cells_and_numbers_are_left_alone() -> None:
    assert spreadsheet_cell("同意 -- 按期返回") == "同意 -- 按期返回"
    assert spreadsheet_cell(-3) == -3 and spreadsheet_cell("") == ""
