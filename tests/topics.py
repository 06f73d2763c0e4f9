"""The worked example of group steps (docs/processes.md, "Group steps"): policy A's bureau
with ``tests/fixtures/topic_xx.bpmn`` deployed the way a bureau deploys it, one file and two
chart lines, no Python."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from support import CHART_A, PROCESSES, ROOT, make_app

from approvals.app import Approvals

TOPIC = ROOT / "tests" / "fixtures" / "topic_xx.bpmn"
FIELDS = {"title": "关于调整规划科内设岗位的议题", "summary": "拟调整岗位设置，提请党组会研究。"}


def topic_chart_text(*, lone_clerk: bool = False) -> str:
    """Chart A with the topic process and the 党组秘书 duty held by the office; ``lone_clerk``:
    the office is its head alone (so the head's own topic leaves the secretariat empty)."""
    text = CHART_A.read_text(encoding="utf-8")
    text = text.replace("    leave: leave_xx", "    topic: topic_xx\n    leave: leave_xx", 1)
    secretariat = ("  secretariat:  # 党组秘书: 议题收集\n    unit: office\n    name: 党组秘书\n"
                   "    name_en: Party group secretariat\n")
    text = text.replace("duties:\n", "duties:\n" + secretariat, 1)
    assert "secretariat:" in text
    if lone_clerk:
        text = text.replace("    deputies: [wu.min]\n", "", 1)
        text = re.sub(r"^  - \{id: (wu\.min|zheng\.yu),.*\n", "", text, flags=re.MULTILINE)
    return text


def topic_bureau(url: str, tmp_path: Path, *, passwords: bool = False, **chart: Any) -> Approvals:
    """``passwords``: everyone gets the web tests' demo password (tests/web/webkit.py)."""
    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES, processes, dirs_exist_ok=True)
    shutil.copy(TOPIC, processes / TOPIC.name)
    path = tmp_path / "xx-topics.yaml"
    path.write_text(topic_chart_text(**chart), encoding="utf-8")
    app = make_app(url, path, processes=processes)
    if passwords:
        from webkit import everyone, set_passwords  # the web tests' helpers, only they sign in

        set_passwords(app, everyone(app))
    return app


def open_tasks(app: Approvals, request_id: int) -> list[tuple[str, str]]:
    """(step, assignee) of every task waiting, as the request page lists them."""
    return [(t.bpmn_id, t.assignee) for t in app.queries.steps(request_id) if t.is_open]
