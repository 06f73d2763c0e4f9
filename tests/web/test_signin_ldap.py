"""Signing in with the bureau's directory (LDAP, and AD's attribute layout), against Debian's
slapd started on 127.0.0.1 with a directory generated from the shipped charts
(tests/idservers.py); and the directory as the people source of the chart."""

from __future__ import annotations

import json
import uuid
from typing import Any

import idservers
import pytest
from flask import Flask
from ldap3 import Connection, Server
from sqlalchemy import select
from webkit import make_web, text

from approvals import directory
from approvals.app import Approvals
from approvals.identity.external import Refused
from approvals.identity.ldap import Directory
from approvals.identity.methods import SignInMethods
from approvals.store.models import AuditEntry, Credential

INJECTION = "*)(uid=*))(|(uid=*"


def ldap_method(server: idservers.Slapd, **extra: Any) -> dict[str, Any]:
    return {"id": "dir", "kind": "ldap", "label": "局域账号", "url": server.url, "start_tls": True,
            "ca_file": server.ca_file, "bind_dn": idservers.SERVICE_DN, "bind_password": idservers.SERVICE_PASSWORD,
            "base": f"ou=people,{idservers.BASE}", **extra}


def ad_method(server: idservers.Slapd) -> dict[str, Any]:
    return {"id": "ad", "kind": "ldap", "label": "民政局 AD 域账号", "url": server.ldaps_url, "layout": "ad",
            "ca_file": server.ca_file, "bind_dn": idservers.AD_SERVICE_DN,
            "bind_password": idservers.SERVICE_PASSWORD, "base": f"cn=Users,{idservers.AD_BASE}"}


def config(server: idservers.Slapd) -> dict[str, Any]:
    return {"organizations": {"xx-nrpb": {"methods": [ldap_method(server)]},
                              "cq-mca": {"methods": [ad_method(server)]}}}


@pytest.fixture
def ldap_web(engine: Approvals, slapd: idservers.Slapd) -> Flask:
    return make_web(engine, APPROVALS_SIGNIN=config(slapd))


def directory_of(server: idservers.Slapd, org: str = "xx-nrpb", **extra: Any) -> Directory:
    methods = SignInMethods.parse({"organizations": {org: {"methods": [
        ldap_method(server, **extra) if org == "xx-nrpb" else ad_method(server)]}}})
    return Directory(methods.all_methods()[0])


def refusals(engine: Approvals) -> list[dict[str, Any]]:
    with engine.db.reading() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in_refused").order_by(AuditEntry.seq))
        return [json.loads(r.detail) if isinstance(r.detail, str) else r.detail for r in rows]


def post(web: Flask, org: str, method: str, person: str, password: str) -> Any:
    client = web.test_client()
    answer = client.post(f"/signin/{org}/{method}/callback", data={"person": person, "password": password})
    return client, answer


def test_a_person_signs_in_with_the_directory_password_over_starttls(engine: Approvals, ldap_web: Flask) -> None:
    client = ldap_web.test_client()
    assert "局域账号" in text(client.get("/login"))
    assert "局域账号" in text(client.get("/signin/xx-nrpb/dir"))
    client, answer = post(ldap_web, "xx-nrpb", "dir", "zhao.lei", idservers.DIRECTORY_PASSWORD)
    assert answer.status_code == 302
    assert "赵磊" in text(client.get("/requests"))


def test_a_wrong_directory_password_is_refused_and_audited(engine: Approvals, ldap_web: Flask) -> None:
    client, answer = post(ldap_web, "xx-nrpb", "dir", "zhao.lei", "demo")
    assert answer.status_code == 401 and "用户名不存在或密码错误" in text(answer)
    assert refusals(engine)[-1]["reason"] == "wrong_password"
    assert client.get("/requests").status_code == 302


def test_an_ldap_injection_in_the_user_name_is_refused_and_audited(engine: Approvals, ldap_web: Flask) -> None:
    _client, answer = post(ldap_web, "xx-nrpb", "dir", INJECTION, idservers.DIRECTORY_PASSWORD)
    assert answer.status_code == 403
    page = text(answer)
    assert "用户名中含有用户名不会有的字符" in page and "*" in page
    assert refusals(engine)[-1]["reason"] == "injection"


def test_filter_values_are_escaped_even_when_they_pass(slapd: idservers.Slapd) -> None:
    """A user filter that lets a wildcard through would match everyone; the value is escaped."""
    found = directory_of(slapd, user_filter="(&(objectClass=inetOrgPerson)(cn={name}))")
    with pytest.raises(Refused) as refused:
        found.authenticate("赵*", idservers.DIRECTORY_PASSWORD)
    assert refused.value.reason == "injection"


def test_an_empty_password_never_reaches_the_directory_as_an_unauthenticated_bind(slapd: idservers.Slapd) -> None:
    with pytest.raises(Refused) as refused:
        directory_of(slapd).authenticate("zhao.lei", "")
    assert refused.value.reason == "wrong_password"


def test_a_directory_without_tls_is_refused_unless_said_to_be_local(slapd: idservers.Slapd) -> None:
    with pytest.raises(Refused) as refused:
        directory_of(slapd, start_tls=False).authenticate("zhao.lei", idservers.DIRECTORY_PASSWORD)
    assert "start_tls" in refused.value.why
    found, _entry = directory_of(slapd, start_tls=False, plain=True).authenticate(
        "zhao.lei", idservers.DIRECTORY_PASSWORD)
    assert found.value == "zhao.lei"


def test_a_person_disabled_in_the_directory_cannot_sign_in_with_it(engine: Approvals, ldap_web: Flask) -> None:
    _client, answer = post(ldap_web, "xx-nrpb", "dir", "yang.fan", idservers.DIRECTORY_PASSWORD)
    assert answer.status_code == 403 and "停用" in text(answer)
    assert refusals(engine)[-1]["reason"] == "disabled"


def test_the_ad_layout_signs_in_by_samaccountname_over_ldaps_and_reads_the_disabled_bit(
        engine: Approvals, ldap_web: Flask) -> None:
    client, answer = post(ldap_web, "cq-mca", "ad", "pan.hao", idservers.DIRECTORY_PASSWORD)
    assert answer.status_code == 302
    assert "潘" in text(client.get("/requests"))
    _client, answer = post(ldap_web, "cq-mca", "ad", "du.juan", idservers.DIRECTORY_PASSWORD)  # 514
    assert answer.status_code == 403 and refusals(engine)[-1]["reason"] == "disabled"


# ---- the directory as the people source ---------------------------------------------------

def _sync_directory(server: idservers.Slapd, engine: Approvals) -> str:
    """A copy of the bureau's people under its own OU, then: 许璐 gone, 赵磊 renamed, a newcomer,
    孙丽 disabled. Returns the OU's DN."""
    ou = f"ou=run{uuid.uuid4().hex[:8]},ou=sync,{idservers.BASE}"
    conn = Connection(Server(server.url), idservers.ROOT_DN, idservers.ROOT_PASSWORD, auto_bind=True)
    conn.add(ou, ["organizationalUnit"], {"ou": ou.split(",")[0][3:]})
    chart = engine.orgcharts.current("xx-nrpb")
    for person in chart.people.values():
        if person.id == "xu.lu":
            continue
        name = "赵磊磊" if person.id == "zhao.lei" else person.name
        attrs: dict[str, Any] = {"uid": person.id, "cn": name, "sn": name[0]}
        if person.id == "sun.li":
            attrs["employeeType"] = "disabled"
        conn.add(f"uid={person.id},{ou}", ["inetOrgPerson"], attrs)
    conn.add(f"uid=lu.xin,{ou}", ["inetOrgPerson"], {"uid": "lu.xin", "cn": "陆新", "sn": "陆"})
    conn.unbind()
    return ou


def test_a_resync_shows_who_appears_leaves_and_changes_name_before_saving(
        engine: Approvals, slapd: idservers.Slapd) -> None:
    ou = _sync_directory(slapd, engine)
    source = directory_of(slapd, people_base=ou, default_unit="office")
    chart = engine.orgcharts.current("xx-nrpb")
    sync = directory.plan(chart, source.people(), engine.db)
    assert [e.account for e in sync.added] == ["lu.xin"]
    assert sync.leaving == ("xu.lu",)
    assert sync.renamed == (("zhao.lei", "赵磊", "赵磊磊"),)
    assert sync.disabled == ("sun.li",)
    previewed = directory.preview(engine.admin, "xx-nrpb", sync, "feng.jie")
    assert previewed is not None
    text_after, impact = previewed
    assert "赵磊磊" in impact.diff and "陆新" in impact.diff and "许璐" in impact.diff
    assert "xu.lu" in engine.orgcharts.current("xx-nrpb").people

    directory.save(engine.admin, engine.db, "xx-nrpb", sync, "feng.jie", expected=text_after)
    after = engine.orgcharts.current("xx-nrpb")
    assert "xu.lu" not in after.people and after.people["lu.xin"].name == "陆新"
    assert after.people["zhao.lei"].name == "赵磊磊"
    assert after.units["survey"].head == chart.units["survey"].head  # no post moved but the leaver's
    with engine.db.reading() as s:
        disabled = set(s.scalars(select(Credential.person_id).where(Credential.disabled)))
    assert {"sun.li", "xu.lu"} <= disabled
    again = directory.plan(after, source.people(), engine.db)
    assert again.empty  # a second sync finds nothing to do


def test_a_person_the_directory_disables_cannot_sign_in_by_any_method(
        engine: Approvals, slapd: idservers.Slapd, web: Flask) -> None:
    ou = _sync_directory(slapd, engine)
    source = directory_of(slapd, people_base=ou, default_unit="office")
    sync = directory.plan(engine.orgcharts.current("xx-nrpb"), source.people(), engine.db)
    directory.save(engine.admin, engine.db, "xx-nrpb", sync, "feng.jie")
    answer = web.test_client().post("/login", data={"person": "sun.li", "password": "demo"})  # local password
    assert answer.status_code == 200 and "停用" in text(answer)


def test_the_admin_page_previews_a_directory_sync_in_names_and_saves_it(
        engine: Approvals, slapd: idservers.Slapd) -> None:
    from webkit import ADMIN, client_for
    ou = _sync_directory(slapd, engine)
    signin = {"organizations": {"xx-nrpb": {"methods": [ldap_method(slapd, people_base=ou, default_unit="office")]}}}
    admin = client_for(make_web(engine, APPROVALS_SIGNIN=signin), ADMIN)
    page = admin.get("/admin/directory")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "陆新 (lu.xin)" in body and "许璐 (xu.lu)" in body and "赵磊 → 赵磊磊" in body and "孙丽 (sun.li)" in body
    assert "xu.lu" in engine.orgcharts.current("xx-nrpb").people  # nothing saved by looking
    checked = body.split('name="checked" value="')[1].split('"')[0]
    assert admin.post("/admin/directory", data={"checked": "stale"}).status_code == 409
    assert admin.post("/admin/directory", data={"checked": checked}).status_code == 302
    after = engine.orgcharts.current("xx-nrpb")
    assert "xu.lu" not in after.people and after.people["zhao.lei"].name == "赵磊磊"
    with engine.db.reading() as s:
        synced = s.scalars(select(AuditEntry).where(AuditEntry.action == "directory_synced")).all()
    assert len(synced) == 1 and synced[0].actor == ADMIN
    again = text(admin.get("/admin/directory"))
    assert "已与目录一致" in again or "already matches" in again


def test_the_cli_shows_a_directory_sync_and_saves_it_only_when_asked(
        engine: Approvals, slapd: idservers.Slapd, db_url: str, tmp_path: Any) -> None:
    import yaml
    from click.testing import CliRunner

    from approvals.cli import cli
    ou = _sync_directory(slapd, engine)
    path = tmp_path / "signin.yaml"
    path.write_text(yaml.safe_dump({"organizations": {"xx-nrpb": {"methods": [
        ldap_method(slapd, people_base=ou, default_unit="office")]}}}, allow_unicode=True), encoding="utf-8")
    base = ["--database", db_url, "directory", "sync", "--org", "xx-nrpb", "--signin-config", str(path)]
    shown = CliRunner().invoke(cli, base)
    assert shown.exit_code == 0, shown.output
    assert "appears: 陆新 (lu.xin)" in shown.output and "leaves (account disabled, posts vacant): 许璐 (xu.lu)" \
        in shown.output and "nothing saved" in shown.output
    assert "xu.lu" in engine.orgcharts.current("xx-nrpb").people
    saved = CliRunner().invoke(cli, [*base, "--save"])
    assert saved.exit_code == 0, saved.output
    assert "xu.lu" not in engine.orgcharts.current("xx-nrpb").people
    none = CliRunner().invoke(cli, ["--database", db_url, "directory", "sync", "--org", "cq-mca"])
    assert none.exit_code == 2 and "no LDAP/AD method" in none.output
