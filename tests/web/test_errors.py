"""Error pages: in Chinese, with what to do next, and never a stack trace."""

from __future__ import annotations

from flask import Flask
from webkit import client_for, make_web, text

from approvals.app import Approvals


def test_a_missing_page_is_a_chinese_404(web: Flask) -> None:
    response = client_for(web, "shen.yue").get("/no/such/page")
    assert (
        response.status_code == 404 and "未找到" in text(response) and "返回首页" in text(response)
    )


def test_an_unexpected_error_shows_a_500_page_without_a_stack_trace(engine: Approvals) -> None:
    web = make_web(engine, TESTING=False)

    @web.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail /etc/passwd")

    response = client_for(web, "shen.yue").get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "系统出错了" in text(response)
    assert "Traceback" not in body and "secret detail" not in body


def test_a_too_large_upload_says_how_large_it_may_be(engine: Approvals) -> None:
    web = make_web(engine, MAX_CONTENT_LENGTH=1000)
    from io import BytesIO

    response = client_for(web, "zhao.lei").post(
        "/apply/meeting",
        data={"plan": (BytesIO(b"x" * 5000), "plan.pdf"), "action": "submit"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and "10 MB" in text(response)
