"""People who left stay in the inspectors' person filters (issue 19, point 12): their entries
remain in the trail and the access log, so the filters offer them, marked as having left."""

from __future__ import annotations

import re

from flask import Flask
from support import CHART_A
from webkit import client_for, submit_leave, text_of

from approvals.app import Approvals

INSPECTOR = "yang.fan"
LEAVER = "shen.yue"  # 沈悦, 财务与资金运用科


def _leaves(engine: Approvals) -> None:
    chart = CHART_A.read_text(encoding="utf-8")
    without = re.sub(r"^  - \{id: shen\.yue,.*\n", "", chart, flags=re.MULTILINE)
    assert without != chart
    engine.admin.save(without, "feng.jie", "xx.yaml", "沈悦调离")


def test_someone_who_left_is_offered_marked_as_left_and_her_entries_are_found(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, LEAVER)
    engine.service.withdraw(request_id, LEAVER)
    _leaves(engine)
    inspector = client_for(web, INSPECTOR)

    for page in ("/inspect/", "/inspect/access"):
        html = inspector.get(page).get_data(as_text=True)
        assert re.search(r'<option value="shen\.yue"[^>]*>沈悦 \(shen\.yue\) · 已离开</option>', html), page

    found = inspector.get(f"/inspect/?person={LEAVER}").get_data(as_text=True)
    results = text_of(found.split('<table class="list audit">', 1)[1])
    assert f"#{request_id}" in results and "沈悦" in results
