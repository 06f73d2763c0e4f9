"""An approval from start to filing driven only through the API, by a separate process
(tests/web/api_portal.py, httpx) against the app served on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from apikit import token_for
from test_api_schemathesis import live  # noqa: F401 - the live server fixture

from approvals.app import Approvals

HERE = Path(__file__).parent


def test_a_portal_process_takes_a_leave_request_from_start_to_filing(live: tuple[str, Approvals],  # noqa: F811
                                                                     tmp_path: Path) -> None:
    url, engine = live
    chart = engine.orgcharts.current("xx-nrpb")
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({p: token_for(engine, p) for p in chart.people}), encoding="utf-8")
    done = subprocess.run([sys.executable, str(HERE / "api_portal.py"), url, str(tokens), "shen.yue"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    req = json.loads(done.stdout)
    assert req["status"] == "completed"
    kinds = {t["kind"]: t["status"] for t in req["timeline"]}
    assert kinds.get("file") == "acknowledged", req["timeline"]
    assert all(not t["is_open"] for t in req["timeline"])
    trail = [e.action for e in engine.queries.trail(req["id"])]
    assert trail[0] == "submitted" and "acknowledged" in trail
