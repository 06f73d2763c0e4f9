"""An e-mail address on the notification settings page is exactly one address, refused with the
field, the value and the reason otherwise (it was a raw 500 on PostgreSQL for NUL or 600
characters, and stored CR/LF, U+202E or several addresses); a verification code too long for
any audit entry is "no such entry" on the page and on the command line, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from webkit import client_for, make_web, submit_leave, text

from approvals.app import Approvals
from approvals.cli import cli
from approvals.errors import FieldError
from approvals.notifications import settings
from approvals.reports import printable

XX, PERSON, INSPECTOR = "xx-nrpb", "zhao.lei", "yang.fan"
HOSTILE = {
    "nul": "zhao\x00lei@xx.gov.cn",
    "600 characters": "a" * 590 + "@xx.gov.cn",
    "CR/LF": "zhao.lei@xx.gov.cn\r\nBcc: all@xx.gov.cn",
    "U+202E": "\u202ezhao.lei@xx.gov.cn",
    "two addresses": "zhao.lei@xx.gov.cn, li.ming@xx.gov.cn",
    "two separated by semicolon": "zhao.lei@xx.gov.cn;li.ming@xx.gov.cn",
    "a display name": "赵磊 <zhao.lei@xx.gov.cn>",
    "no domain": "zhao.lei@",
}


def _stored(engine: Approvals) -> str | None:
    own, _org = settings.of_person(engine.db, XX, PERSON)
    mail = own.get("email")
    return mail.target if mail is not None else None


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_the_email_field_takes_exactly_one_address_and_names_what_is_wrong(
    engine: Approvals, kind: str
) -> None:
    client = client_for(make_web(engine, TESTING=False, APPROVALS_SMTP_HOST="smtp.example.gov.cn"), PERSON)
    response = client.post("/notifications/settings", data={"email": HOSTILE[kind]})
    page = text(response)
    assert response.status_code == 400, kind
    assert "不可用：" in page, kind
    assert f"电子邮箱地址“{HOSTILE[kind].lstrip(chr(0x202E))[:2]}" in page.replace("\\u202e", ""), kind
    assert _stored(engine) is None, kind


def test_each_refusal_says_why_in_words(engine: Approvals) -> None:
    client = client_for(make_web(engine, TESTING=False, APPROVALS_SMTP_HOST="smtp.example.gov.cn"), PERSON)

    def why(value: str) -> str:
        return text(client.post("/notifications/settings", data={"email": value}))

    assert "最多填写 254 个字" in why(HOSTILE["600 characters"])
    assert "U+0000" in why(HOSTILE["nul"])
    assert "U+202E" in why(HOSTILE["U+202E"])
    assert "只填一个地址" in why(HOSTILE["two addresses"]) and "只填一个地址" in why(HOSTILE["CR/LF"])


def test_one_plain_or_chinese_address_is_kept(engine: Approvals) -> None:
    client = client_for(make_web(engine, APPROVALS_SMTP_HOST="smtp.example.gov.cn"), PERSON)
    for address in ("zhao.lei@xx.gov.cn", "赵磊@例子.中国"):
        saved = client.post("/notifications/settings", data={"email": f"  {address} "})
        assert saved.status_code == 302 and _stored(engine) == address


def test_the_engine_refuses_the_same_addresses_for_the_command_line(engine: Approvals) -> None:
    for value in HOSTILE.values():
        with pytest.raises(FieldError) as refused:
            settings.put(engine.db, XX, PERSON, "email", value)
        assert refused.value.issues[0].where == "email"
    with pytest.raises(FieldError):
        settings.put(engine.db, XX, None, "wecom", "https://qyapi.weixin.qq.com/send?key=\x00")
    assert _stored(engine) is None


def test_a_twelve_digit_code_is_no_such_entry_on_the_page(engine: Approvals) -> None:
    submit_leave(engine, "shen.yue")
    inspector = client_for(make_web(engine, TESTING=False, APPROVALS_SMTP_HOST="smtp.example.gov.cn"), INSPECTOR)
    for seq in ("999999999999", "2147483648", "0"):
        response = inspector.get(f"/inspect/copy?code={seq}-0000-0000-0000-0000")
        assert response.status_code == 200, seq
        assert "没有这个编号的审计记录" in text(response), seq


def test_a_twelve_digit_code_on_the_command_line_is_one_line_not_a_traceback(
    engine: Approvals, db_url: str
) -> None:
    result = CliRunner().invoke(cli, ["--database", db_url, "audit", "check-copy", "999999999999-0000-0000-0000-0000"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no entry #999999999999" in result.output
    assert printable.check(engine.db, "999999999999-0000-0000-0000-0000").reason == "missing"
