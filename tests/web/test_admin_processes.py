"""The admin's processes page: deploy a BPMN file from the page, refused with the people it
would strand by name, in force for applicants at once; missing processes said loudly."""

from __future__ import annotations

import html
import logging
import re
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from support import CHART_A, CHART_B, PROCESSES, ROOT
from webkit import ADMIN, client_for, everyone, set_passwords, submit_leave, text, text_of

from approvals.app import Approvals
from web import create_app

FIXTURES = ROOT / "tests" / "fixtures"

LEAVE = (PROCESSES / "leave_xx.bpmn").read_text(encoding="utf-8")
RENAMED = LEAVE.replace('name="离孝审批"', 'name="干部离孝审批"', 1)


def _upload(web: Flask, xml: str, action: str = "deploy", who: str = ADMIN):  # type: ignore[no-untyped-def]
    return client_for(web, who).post(
        "/admin/processes",
        data={"upload": (BytesIO(xml.encode("utf-8")), "leave_xx.bpmn"), "action": action,
              "comment": "改名"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_a_process_deployed_from_the_page_is_offered_to_applicants_at_once(engine: Approvals, web: Flask) -> None:
    assert RENAMED != LEAVE
    response = _upload(web, RENAMED)

    assert response.status_code == 200
    assert "已部署" in text(response) and "干部离孝审批" in text(response)
    assert "干部离孝审批" in text(client_for(web, "shen.yue").get("/apply"))


def test_checking_only_deploys_nothing(engine: Approvals, web: Flask) -> None:
    response = _upload(web, RENAMED, action="check")

    assert "可以部署" in text(response)
    assert engine.definitions.origin("leave_xx") == "file"


def test_a_deploy_that_strands_people_names_them_and_the_vacant_post(engine: Approvals, web: Flask) -> None:
    chart = CHART_A.read_text(encoding="utf-8").replace(
        "  organ_leader: li.ming              # 分管机关的局领导", "  organ_leader: li.ming\n  deputy_chief: null")
    engine.admin.save(chart, "system", "xx.yaml")
    vacant = LEAVE.replace('camunda:candidateGroups="organ_leader"', 'camunda:candidateGroups="deputy_chief"')

    response = _upload(web, vacant)

    assert response.status_code == 400
    page = text(response)
    assert "未部署" in page and "沈悦" in page and "空缺" in page
    assert engine.definitions.origin("leave_xx") == "file"


def test_broken_bpmn_is_refused_with_the_line(engine: Approvals, web: Flask) -> None:
    response = _upload(web, LEAVE.replace("</bpmn:process>", "", 1))

    assert response.status_code == 400
    assert "不是格式正确的 XML" in text(response) and "行：" in text(response)
    english = client_for(web, ADMIN)
    english.post("/language", data={"lang": "en"})
    assert "not well-formed XML" in text(english.post(
        "/admin/processes", data={"upload": (BytesIO(LEAVE.replace("</bpmn:process>", "", 1).encode()),
                                             "leave_xx.bpmn"), "action": "check"},
        content_type="multipart/form-data"))


# Issue 19, point 13: each kind of refusal of a process file, as an administrator meets it.
BAD_FILES = {
    "broken XML": LEAVE.replace("</bpmn:process>", "", 1),
    "nothing executable": LEAVE.replace('isExecutable="true"', 'isExecutable="false"', 1),
    "a step kind the engine lacks": LEAVE.replace('name="kind" value="approve"', 'name="kind" value="sign"', 1),
    "a step without a role": LEAVE.replace(' camunda:candidateGroups="chief"', "", 1),
    "a role no chart defines": LEAVE.replace('camunda:candidateGroups="chief"', 'camunda:candidateGroups="warden"', 1),
    "a business rule task": LEAVE.replace("<bpmn:userTask id=\"approve_chief\"",
                                          "<bpmn:businessRuleTask id=\"dmn\" /><bpmn:userTask id=\"approve_chief\"", 1),
}
# Three English words in a row outside quotes and code: a sentence left in English.
_ENGLISH = re.compile(r"[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}")


@pytest.mark.parametrize("case", BAD_FILES)
def test_every_refusal_of_a_process_file_is_worded_in_chinese_on_a_chinese_page(
        engine: Approvals, web: Flask, case: str) -> None:
    assert BAD_FILES[case] != LEAVE, case
    response = _upload(web, BAD_FILES[case], action="check")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    problems = [text_of(line) for line in re.findall(r'<li class="problem">(.*?)</li>', page, re.S)]
    assert problems, case
    for line in problems:
        outside_quotes = re.sub(r"“[^”]*”|'[^']*'|\([^)]*\)|（[^）]*）", "", line)
        assert re.search(r"[\u4e00-\u9fff]", line) and not _ENGLISH.search(outside_quotes), line


def test_someone_who_is_not_an_admin_cannot_open_the_page(web: Flask) -> None:
    assert client_for(web, "shen.yue").get("/admin/processes").status_code == 403


def test_a_request_whose_process_is_gone_still_opens_and_the_page_says_so(engine: Approvals, web: Flask) -> None:
    request_id = submit_leave(engine, "shen.yue")
    engine.definitions.directory = engine.definitions.directory / "nowhere"  # the folder lost its files
    engine.definitions.reload()

    page = text(client_for(web, ADMIN).get("/admin/processes"))
    assert "leave_xx" in page and "1 个申请" in page
    assert client_for(web, "shen.yue").get(f"/requests/{request_id}").status_code == 200


def test_a_standard_file_the_engine_does_not_run_is_refused_on_the_page_naming_the_element(
        engine: Approvals, web: Flask) -> None:
    # As the OMG MIWG reference files C.7.0-C.9.0: a 500 before
    xml = (FIXTURES / "miwg" / "business_rule_task_executable.bpmn").read_text(encoding="utf-8")

    response = _upload(web, xml, action="check")

    assert response.status_code == 400
    assert "businessRuleTask 'check_vacation'：业务规则（DMN）不会被执行" in html.unescape(text(response))


def test_a_looping_file_is_refused_on_the_page_and_the_leave_process_stays(engine: Approvals, web: Flask) -> None:
    response = _upload(web, (FIXTURES / "hostile_bpmn" / "gateway_loop.bpmn").read_text(encoding="utf-8"))

    assert response.status_code == 400
    page = html.unescape(text(response))
    assert "loop through exclusiveGateway 'g1', exclusiveGateway 'g2'：此循环不经过任何 userTask" in page
    assert engine.definitions.origin("leave_xx") == "file"


def test_a_bad_file_in_the_processes_folder_is_skipped_the_server_starts_and_the_page_says_so(
        db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    for path in PROCESSES.glob("*.bpmn"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "c7.bpmn").write_bytes((FIXTURES / "miwg" / "business_rule_task_documentation_only.bpmn").read_bytes())

    with caplog.at_level(logging.ERROR):
        web = create_app({"APPROVALS_DATABASE_URL": db_url, "APPROVALS_PROCESSES": str(tmp_path), "TESTING": True,
                          "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False, "APPROVALS_ADMINS": [ADMIN],
                          "APPROVALS_TWO_FACTOR_REQUIRED": False})
    engine: Approvals = web.extensions["approvals"]
    try:
        assert "c7.bpmn: process 'credit_check' businessRuleTask 'score'" in caplog.text
        engine.init_db()
        for chart in (CHART_A, CHART_B):
            engine.admin.save(chart.read_text(encoding="utf-8"), "system", chart.name)
        set_passwords(engine, everyone(engine))

        page = html.unescape(text(client_for(web, ADMIN).get("/admin/processes")))
        assert "一个流程文件无法使用：c7.bpmn: 流程 credit_check businessRuleTask 'score'：业务规则（DMN）" in page
        assert "离孝审批" in client_for(web, "shen.yue").get("/apply").get_data(as_text=True)
    finally:
        engine.db.dispose()

