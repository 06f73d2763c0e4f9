"""``approvals notify``: an operator turns channels on and off and works the dead-letter list."""

from __future__ import annotations

from click.testing import CliRunner, Result

from approvals.app import Approvals
from approvals.cli import cli


def run(app: Approvals, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--database", app.db.url, *args])


def test_an_operator_turns_on_a_robot_and_an_address_and_sees_them_without_the_token(app: Approvals) -> None:
    robot = run(app, "notify", "set", "--org", "xx-nrpb", "--channel", "dingtalk",
                "--target", "https://oapi.dingtalk.com/robot/send?access_token=abc", "--secret", "SEC")
    mail = run(app, "notify", "set", "--org", "xx-nrpb", "--person", "zhao.lei", "--channel", "email",
               "--target", "zhao.lei@xx.gov.cn")
    assert (robot.exit_code, mail.exit_code) == (0, 0), robot.output + mail.output
    shown = run(app, "notify", "show").output
    assert "xx-nrpb\t(organization)\tdingtalk\ton\toapi.dingtalk.com" in shown and "abc" not in shown
    assert "xx-nrpb\tzhao.lei\temail\ton\tzhao.lei@xx.gov.cn" in shown


def test_a_robot_without_a_url_is_refused_naming_the_field(app: Approvals) -> None:
    result = run(app, "notify", "set", "--org", "xx-nrpb", "--channel", "wecom", "--target", "qyapi")
    assert result.exit_code == 1 and "target: a robot needs its webhook URL" in result.output
