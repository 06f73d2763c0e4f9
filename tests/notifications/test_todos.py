"""To-dos where staff already are: a waiting step becomes a DingTalk 待办, a Feishu 三方审批
instance task and a WeCom button card, in the apps' documented shapes (a local stand-in for
each platform refuses a call that is not), and is closed there once it is done here."""

from __future__ import annotations

from click.testing import CliRunner
from support import leave_fields, open_steps, pick
from todokit import KEY, SECRET, platform

from approvals.app import Approvals
from approvals.cli import cli
from approvals.jobs import notify as jobs
from approvals.notifications.todos import Todos

XX = "xx-nrpb"


def _on(app: Approvals, base: str) -> None:
    todos = Todos(app.db, app.clock)
    todos.put(XX, "dingtalk", KEY, SECRET, "admin", api_base=base)
    todos.put(XX, "feishu", KEY, SECRET, "admin", api_base=base, options={"approval_code": "APPROVALS-1"})
    todos.put(XX, "wecom", KEY, SECRET, "admin", api_base=base, options={"agent_id": "1000002"})


def test_a_waiting_step_is_a_todo_in_each_app_and_is_closed_there_when_decided(app: Approvals) -> None:
    with platform() as apps:
        _on(app, apps.url)
        request_id = app.service.submit(pick(app.orgcharts.current(XX), "leader"), "leave", leave_fields())
        [step] = open_steps(app, request_id)
        line = jobs.delivery_job(app, {"APPROVALS_BASE_URL": "https://oa.example.gov.cn"})()
        assert apps.problems == [], apps.problems
        assert "0 to retry" in line, line
        [todo] = apps.todos.values()
        assert (todo["unionId"], todo["executorIds"]) == (step.assignee, [step.assignee])
        assert todo["sourceId"] == str(step.id)
        assert todo["detailUrl"]["pcUrl"] == f"https://oa.example.gov.cn/tasks/{step.id}" and not todo["done"]
        instance = apps.instances[str(request_id)]
        assert instance["status"] == "PENDING" and instance["approval_code"] == "APPROVALS-1"
        assert [(t["task_id"], t["user_id"], t["status"]) for t in instance["task_list"]] == [
            (str(step.id), step.assignee, "PENDING")]
        [card] = apps.cards.values()
        assert card["touser"] == step.assignee and card["agentid"] == 1000002
        assert [b["key"] for b in card["template_card"]["button_list"]] == [f"approve:{step.id}", f"reject:{step.id}"]
        assert len(apps.of("/v1.0/oauth2/accessToken")) == 1  # the token is cached

        app.service.decide(step.id, step.assignee, "approve", "同意")
        jobs.delivery_job(app, {"APPROVALS_BASE_URL": "https://oa.example.gov.cn"})()
        assert apps.problems == [], apps.problems
        assert apps.todos["dt-1"]["done"] is True
        tasks = {t["task_id"]: t["status"] for t in apps.instances[str(request_id)]["task_list"]}
        assert tasks[str(step.id)] == "APPROVED"
        assert apps.cards["rc-1"]["updated"]["button"] == {"replace_name": "已处理"}


def test_a_withdrawn_request_closes_its_open_todos_and_cancels_the_instance(app: Approvals) -> None:
    with platform() as apps:
        _on(app, apps.url)
        applicant = pick(app.orgcharts.current(XX), "leader")
        request_id = app.service.submit(applicant, "leave", leave_fields())
        jobs.delivery_job(app, {})()
        app.service.withdraw(request_id, applicant)
        jobs.delivery_job(app, {})()
        assert apps.problems == [], apps.problems
    assert all(t["done"] for t in apps.todos.values()) and apps.todos
    assert apps.instances[str(request_id)]["status"] == "CANCELED"
    assert all(c["updated"] for c in apps.cards.values())


def test_the_cli_sets_lists_and_removes_a_todo_push(db_url: str, app: Approvals) -> None:
    runner, base = CliRunner(), ["--database", db_url]
    missing = runner.invoke(cli, [*base, "api", "todo", "set", XX, "feishu", "--app-key", KEY, "--app-secret", SECRET])
    assert missing.exit_code != 0 and "--approval-code" in missing.output
    done = runner.invoke(cli, [*base, "api", "todo", "set", XX, "dingtalk", "--app-key", KEY, "--app-secret", SECRET])
    assert done.exit_code == 0 and "callback_token=" in done.output, done.output
    assert "dingtalk\tapi.dingtalk.com" in runner.invoke(cli, [*base, "api", "todo", "list", XX]).output
    assert runner.invoke(cli, [*base, "api", "todo", "remove", XX, "dingtalk"]).exit_code == 0
    assert runner.invoke(cli, [*base, "api", "todo", "list", XX]).output == ""
