"""After signing in or switching language, ``next`` is followed only to a path on this site:
whatever a browser would read as another site (tabs it drops, backslashes it turns into
slashes, a scheme, a host) sends the person to the home page instead."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from webkit import PASSWORD

HOME = "/"
ELSEWHERE = [
    "/\t/evil.example/",
    "/%09/evil.example/",
    "/\n/evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "/\u202e/evil.example",  # a right-to-left override
    " //evil.example",
]


def _location(response: object) -> str:
    return response.headers["Location"]  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_sign_in_never_redirects_to_another_site(web: Flask, target: str) -> None:
    response = web.test_client().post(f"/login?next={quote(target, safe='')}",
                                      data={"person": "shen.yue", "password": PASSWORD})
    if response.status_code == 400:  # a query string with a bidi override is refused outright (web/inputs.py)
        assert "Location" not in response.headers
        return
    assert response.status_code == 302 and _location(response) == HOME


@pytest.mark.parametrize("target", ELSEWHERE)
def test_the_language_switch_never_redirects_to_another_site(web: Flask, target: str) -> None:
    response = web.test_client().post("/language", data={"lang": "en", "next": target})
    assert response.status_code == 302 and _location(response) == HOME


def test_the_raw_tab_probe_from_the_report_lands_at_home(web: Flask) -> None:
    response = web.test_client().post("/login?next=/%09/evil.example/",
                                      data={"person": "shen.yue", "password": PASSWORD})
    assert _location(response) == HOME


@pytest.mark.parametrize("target", ["/inbox", "/requests/3?tab=trail", "/inspect/?person=shen.yue&unit=hr"])
def test_a_path_on_this_site_is_followed(web: Flask, target: str) -> None:
    signed_in = web.test_client().post(f"/login?next={quote(target, safe='')}",
                                       data={"person": "shen.yue", "password": PASSWORD})
    assert _location(signed_in) == target
    switched = web.test_client().post("/language", data={"lang": "en", "next": target})
    assert _location(switched) == target
