"""The admin page answers a hostile org chart with the problem at its line, keeps what was
typed, saves nothing, and the org chart page still renders afterwards (issue 12: a lone
surrogate was saved and then broke /admin/orgchart with a 500)."""

from __future__ import annotations

import html
from io import BytesIO

import pytest
from flask import Flask
from webkit import ADMIN, client_for, text

from approvals.app import Approvals


def current(engine: Approvals) -> str:
    return engine.admin.current_text("xx-nrpb")


def saved(engine: Approvals) -> list[int]:
    return [v.id for v in engine.admin.versions("xx-nrpb")]


def shown(response: object) -> str:
    return html.unescape(text(response))


@pytest.mark.parametrize(("typed", "problem"), [
    ('name: "赵\\ud800磊"', "this value contains a lone surrogate"),
    ("name: 赵\x00磊", "the file contains a NUL character"),
    ("name: 赵\u202e磊", "the file contains a bidirectional-text control"),
])
def test_a_hidden_character_is_shown_at_its_line_and_nothing_is_saved(
    engine: Approvals, web: Flask, typed: str, problem: str
) -> None:
    before = saved(engine)
    line = next(n for n, t in enumerate(current(engine).splitlines(), 1) if "name: 赵磊" in t)
    edited = current(engine).replace("name: 赵磊", typed)
    client = client_for(web, ADMIN)
    response = client.post("/admin/orgchart/edit", data={"text": edited, "action": "save"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'<li value="{line}" class="bad" id="line-{line}">' in html
    assert problem in shown(response) and "未保存" in shown(response)
    assert "people:" in html and "xx-nrpb" in html  # the text typed is still in the editor
    assert saved(engine) == before
    page = client.get("/admin/orgchart")
    assert page.status_code == 200 and "赵磊" in text(page)


def test_an_alias_bomb_or_deep_nesting_is_refused_at_its_line(engine: Approvals, web: Flask) -> None:
    client = client_for(web, ADMIN)
    bomb = 'a: &a ["x","x","x"]\nb: &b [*a,*a,*a]\nc: [*b,*b,*b]\n'
    response = client.post("/admin/orgchart/edit", data={"text": bomb, "action": "check"})
    assert response.status_code == 400 and "不接受锚点（&）和别名（*）" in shown(response)
    deep = "units: " + "[" * 1000 + "]" * 1000
    response = client.post("/admin/orgchart/edit", data={"text": deep, "action": "check"})
    assert response.status_code == 400 and "nested more than 8 levels deep" in text(response)


def test_a_text_over_the_size_limit_is_refused_without_reading_it(engine: Approvals, web: Flask) -> None:
    huge = "units: " + "[" * 600_000  # deep as well as large: the size is checked first
    response = client_for(web, ADMIN).post("/admin/orgchart/edit", data={"text": huge, "action": "check"})
    assert response.status_code == 400 and "文件超过 500,000 字节" in text(response)


def test_an_uploaded_file_in_gbk_names_the_line_of_the_first_bad_byte(engine: Approvals, web: Flask) -> None:
    upload = (BytesIO(current(engine).encode("gbk", "replace")), "gbk.yaml")
    response = client_for(web, ADMIN).post(
        "/admin/orgchart/edit", data={"upload": upload, "action": "check"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "gbk.yaml: 第 1 行：文件不是以 UTF-8 编码保存的（第 4 个字节）" in text(response)


def test_a_comment_with_a_control_character_is_refused_and_nothing_is_saved(
    engine: Approvals, web: Flask
) -> None:
    before = saved(engine)
    response = client_for(web, ADMIN).post(
        "/admin/orgchart/edit", data={"text": current(engine), "comment": "调整\x00", "action": "check"}
    )
    assert response.status_code == 400 and "contains a NUL character" in text(response)
    assert saved(engine) == before


def test_a_file_name_with_a_nul_is_refused_and_nothing_is_saved(engine: Approvals, web: Flask) -> None:
    before = saved(engine)
    response = client_for(web, ADMIN).post(
        "/admin/orgchart/edit",
        data={"text": current(engine), "source_name": "xx\x00.yaml", "action": "check"},
    )
    assert response.status_code == 400 and "contains a NUL character" in shown(response)
    assert saved(engine) == before
