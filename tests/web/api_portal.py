"""A portal in a separate process, speaking only HTTP to the API with httpx: start a leave
request as the applicant, then act on every open step as its holder (approve decisions,
acknowledge filings and copies) until nothing is left open. Prints the request as JSON.

    python tests/web/api_portal.py BASE_URL TOKENS.json APPLICANT
"""

from __future__ import annotations

import json
import sys
from typing import Any

import httpx

# Leaving today (the server's fixed day, 2026-11-23), so the report after the trip may be filed.
FIELDS = {"destination": "北京市海淀区", "depart_on": "2026-11-23", "return_on": "2026-11-23", "reason": "探亲"}
REPORT = {"actual_return_on": "2026-11-23", "itinerary": "北京市海淀区，探亲后当日返回"}


def main(base: str, tokens: dict[str, str], applicant: str) -> dict[str, Any]:
    def as_(person: str) -> httpx.Client:
        return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens[person]}"}, timeout=10)

    with as_(applicant) as me:
        created = me.post("/api/v1/processes/leave/requests", json={"fields": FIELDS},
                          headers={"Idempotency-Key": "portal-1"})
        created.raise_for_status()
        location = created.json()["location"]
        for _round in range(20):
            req = me.get(location).json()
            if not req["current_steps"]:
                return req  # type: ignore[no-any-return]
            for step in req["current_steps"]:
                with as_(step["assignee"]) as holder:
                    if step["kind"] == "report":
                        answer = holder.post(f"/api/v1/tasks/{step['id']}/report", json={"fields": REPORT})
                    elif step["kind"] in ("file", "copy"):
                        answer = holder.post(f"/api/v1/tasks/{step['id']}/acknowledge")
                    else:
                        answer = holder.post(f"/api/v1/tasks/{step['id']}/decide", json={"decision": "approve"})
                    if answer.is_error:
                        raise SystemExit(f"{step}: {answer.status_code} {answer.text}")
    raise SystemExit("the request never settled")


if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as f:
        print(json.dumps(main(sys.argv[1], json.load(f), sys.argv[3]), ensure_ascii=False))
