"""Length limits are shown in the form (maxlength and a counter) as the server enforces them,
errors are tied to their fields for screen readers, and the org chart's comment has a limit."""

from __future__ import annotations

import pytest
from flask import Flask
from webkit import ADMIN, client_for, text

from approvals.app import Approvals
from approvals.errors import FieldError

STAFF = "shen.yue"


def test_the_leave_form_shows_each_text_fields_limit(web: Flask) -> None:
    html = client_for(web, STAFF).get("/apply/leave").get_data(as_text=True)
    assert 'id="f-destination" name="destination" value=""' in html
    assert 'maxlength="200" data-count="c-destination"' in html
    assert 'maxlength="5000" data-count="c-reason"' in html
    assert "最多 200 字" in html and "最多 5000 字" in html


def test_a_ten_thousand_character_reason_is_refused_beside_the_field(web: Flask) -> None:
    form = {"destination": "武汉市", "depart_on": "2026-12-01", "return_on": "2026-12-03",
            "reason": "探" * 10_000, "action": "submit"}
    page = client_for(web, STAFF).post("/apply/leave", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'aria-invalid="true" aria-describedby="e-reason c-reason"' in html
    assert "最多" in text(page) and "5000" in text(page)


def test_an_org_chart_comment_longer_than_a_line_is_refused(engine: Approvals) -> None:
    chart = engine.admin.current_text("xx-nrpb")
    with pytest.raises(FieldError, match="comment.*at most 200 characters"):
        engine.admin.save(chart, ADMIN, comment="为" * 201)
