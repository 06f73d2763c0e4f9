"""Personnel changes by form: each is a new chart version with its reason, the bureau's own
comments kept, and open tasks following the people (approvals/people/orgchart/changes.py)."""

from __future__ import annotations

import pytest
from support import leave_fields

from approvals.app import Approvals
from approvals.errors import ConflictError, FieldError, OrgChartError
from approvals.identity import credentials
from approvals.identity.signin import SignIn
from approvals.people.orgchart.changes import (
    AddPerson,
    Appoint,
    AssignDuty,
    Leave,
    Remove,
    Retitle,
    Transfer,
    apply_change,
)

ORG = "xx-nrpb"


def _open_assignees(app: Approvals, request_id: int) -> list[str]:
    return [t.assignee for t in app.queries.steps(request_id) if t.is_open]


def test_appointing_a_new_section_head_moves_the_open_tasks_to_them(app: Approvals) -> None:
    requests = [app.service.submit("shen.yue", "leave", leave_fields(destination=d)) for d in ("武汉", "长沙")]
    assert {a for r in requests for a in _open_assignees(app, r)} == {"jiang.tao"}

    _, impact = app.admin.preview_change(ORG, Appoint("he.ping", "head", "finance"))
    assert [(m.old, m.new) for m in impact.moves] == [("jiang.tao", "he.ping")] * 2
    app.admin.save_change(ORG, Appoint("he.ping", "head", "finance"), "蒋涛调任", "feng.jie")

    chart = app.orgcharts.current(ORG)
    assert chart.units["finance"].head == "he.ping"
    assert {a for r in requests for a in _open_assignees(app, r)} == {"he.ping"}
    assert app.admin.versions(ORG)[0].comment == "蒋涛调任"


def test_a_change_keeps_the_bureaus_comments_and_changes_one_line(app: Approvals) -> None:
    before = app.admin.current_text(ORG)
    after = apply_change(before, Appoint("he.ping", "head", "finance"))

    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [("    head: jiang.tao", "    head: he.ping")]


def test_a_person_who_leaves_is_off_the_chart_their_tasks_go_to_the_successor_and_they_cannot_sign_in(
        app: Approvals) -> None:
    request_id = app.service.submit("shen.yue", "leave", leave_fields())
    with app.db.transaction() as s:
        credentials.set_password(s, "jiang.tao", "old-secret-1", app.clock.now())

    app.admin.save_change(ORG, Leave("jiang.tao", successor="he.ping"), "辞职", "feng.jie")

    chart = app.orgcharts.current(ORG)
    assert "jiang.tao" not in chart.people and chart.units["finance"].head == "he.ping"
    assert _open_assignees(app, request_id) == ["he.ping"]
    charts = app.orgcharts.current_all().values()
    signin = SignIn(app.db, app.clock, known=lambda name: any(name in c.people for c in charts))
    assert not signin.attempt("jiang.tao", "old-secret-1", "10.0.0.1").ok
    assert credentials.session_generation(app.db, "jiang.tao") is None  # disabled: every session ended


def test_a_reason_is_required(app: Approvals) -> None:
    with pytest.raises(FieldError):
        app.admin.save_change(ORG, Retitle("he.ping", "副科长"), "  ", "feng.jie")
    assert len(app.admin.versions(ORG)) == 1


def test_a_change_saved_since_the_preview_asks_for_a_new_preview(app: Approvals) -> None:
    previewed, _ = app.admin.preview_change(ORG, Appoint("he.ping", "head", "finance"))
    app.admin.save_change(ORG, Retitle("shen.yue", "一级科员"), "晋升", "feng.jie")

    with pytest.raises(ConflictError):
        app.admin.save_change(ORG, Appoint("he.ping", "head", "finance"), "调任", "feng.jie", expected=previewed)


@pytest.mark.parametrize(("change", "check"), [
    (AddPerson("xu.ming", "徐明", "hr", "科员"), lambda c: c.people["xu.ming"].unit == "hr"),
    (Transfer("sun.li", "finance", "科员"), lambda c: c.people["sun.li"].unit == "finance"),
    (Transfer("qian.hong", "finance"), lambda c: "qian.hong" not in c.units["planning"].deputies),
    (Retitle("he.ping", "副科长", ""),
     lambda c: (c.people["he.ping"].title, c.people["he.ping"].grade) == ("副科长", None)),
    (Retitle("sun.li", "四级调研员", "county"), lambda c: c.people["sun.li"].grade == "county"),
    (AssignDuty("filing", "office"), lambda c: c.duties["filing"] == "office"),
    (Appoint("zhang.hua", "chief"), lambda c: c.posts["chief"] == "zhang.hua"),
    (Appoint("chen.gang", "organ_leader"), lambda c: c.posts["organ_leader"] == "chen.gang"),
    (Appoint("zhang.hua", "supervisor", "finance"), lambda c: c.units["finance"].supervisor == "zhang.hua"),
    (Appoint("shen.yue", "deputy", "finance"), lambda c: c.units["finance"].deputies == ("shen.yue",)),
    (Appoint("qian.hong", "head", "planning"),
     lambda c: c.units["planning"].head == "qian.hong" and not c.units["planning"].deputies),
    (Remove("wu.min", "deputy", "office"), lambda c: c.units["office"].deputies == ()),
])
def test_each_change_gives_the_chart_it_says(app: Approvals, change: object, check: object) -> None:
    app.admin.save_change(ORG, change, "调整", "feng.jie")  # type: ignore[arg-type]
    assert check(app.orgcharts.current(ORG))  # type: ignore[operator]


def test_removing_a_head_leaves_the_post_vacant_and_the_preview_shows_the_stuck_tasks(app: Approvals) -> None:
    request_id = app.service.submit("shen.yue", "leave", leave_fields())

    _, impact = app.admin.preview_change(ORG, Remove("jiang.tao", "head", "finance"))

    assert impact.chart.units["finance"].head is None
    assert len(impact.stuck) == 1 and f"request #{request_id}" in impact.stuck[0]


def test_a_change_naming_what_the_chart_lacks_is_refused(app: Approvals) -> None:
    with pytest.raises(OrgChartError, match="no unit with this id"):
        app.admin.change_text(ORG, Transfer("sun.li", "nowhere"))
    with pytest.raises(OrgChartError, match="already has this id"):
        app.admin.change_text(ORG, AddPerson("sun.li", "孙丽", "hr"))
    with pytest.raises(OrgChartError, match="does not hold"):
        app.admin.change_text(ORG, Remove("sun.li", "head", "finance"))
