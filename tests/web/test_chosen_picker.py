"""The start form offers a person picker for an approver or 抄送 the applicant chooses
(chosen_in), listing only the people the step allows, searchable by pinyin; the route preview
shows the choice (tests/choosing.py: 孙丽 chooses a bureau leader and colleagues to copy)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from choosing import chosen_xml
from timing import APPLICANT, supplies_bureau
from webkit import client_for, everyone, make_web, set_passwords, text

from approvals.app import Approvals

LEADERS = ["wang.jun", "li.ming", "zhang.hua", "chen.gang", "liu.yang"]


@pytest.fixture
def bureau(db_url: str, tmp_path: Path) -> Iterator[Approvals]:
    app = supplies_bureau(db_url, tmp_path, xml=chosen_xml())
    set_passwords(app, everyone(app))
    yield app
    app.db.dispose()


def options(html: str, field: str) -> list[str]:
    select = re.search(rf'<select id="f-{field}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, f"no picker for {field}"
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]


def test_the_start_form_offers_only_the_people_the_step_allows(bureau: Approvals) -> None:
    html = client_for(make_web(bureau), APPLICANT).get("/apply/supplies").get_data(as_text=True)
    assert options(html, "reviewer") == LEADERS  # any bureau leader, in the chart's order
    colleagues = options(html, "cc_to")
    assert APPLICANT not in colleagues and "zhao.lei" in colleagues  # her unit, never herself
    assert re.search(r'<select id="f-cc_to" name="cc_to" multiple', html)  # a copy takes several
    assert 'data-search="张华 zhanghua zh' in html  # pinyin, as on the admin pages


def test_the_preview_and_the_request_show_whom_the_applicant_chose(bureau: Approvals) -> None:
    client = client_for(make_web(bureau), APPLICANT)
    form = {"item": "投影仪 1 台", "reviewer": "zhang.hua", "cc_to": ["qian.hong", "ma.lin"]}
    preview = client.post("/apply/supplies/preview.json", data=form).get_json()
    assert preview["error"] == ""
    assert [s["person_name"] for s in preview["steps"]] == ["赵磊", "张华", "钱红", "马林"]
    page = client.post("/apply/supplies", data={**form, "action": "preview"})
    assert re.search(r'<option value="zhang.hua"[^>]* selected>', page.get_data(as_text=True))  # kept
    done = client.post("/apply/supplies", data={**form, "action": "submit"})
    assert done.status_code == 302
    request_id = int(done.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert bureau.queries.fields(bureau.queries.request(request_id))["cc_to"] == "qian.hong,ma.lin"


def test_a_choice_outside_the_limit_is_refused_on_the_form_naming_whom_to_choose(bureau: Approvals) -> None:
    client = client_for(make_web(bureau), APPLICANT)
    page = client.post("/apply/supplies", data={"item": "投影仪", "reviewer": "zhao.lei", "cc_to": "qian.hong",
                                                 "action": "submit"})
    assert page.status_code == 400
    assert "王军 (wang.jun)" in text(page)
