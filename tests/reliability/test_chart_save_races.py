"""Two org chart saves based on the same version, at the same moment, by two workers (each
its own engine, as gunicorn workers are): exactly one is saved, the other is told that
someone saved first and nothing of it is written (docs/reliability.md, "Chart saves and open
tasks")."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from support import CHART_A, NOW, PROCESSES, make_app

from approvals.app import Approvals, build
from approvals.cli import cli
from approvals.clock import FixedClock
from approvals.errors import ChartSavedFirstError
from approvals.people.orgchart.changes import Retitle

ORG = "xx-nrpb"
ROUNDS = 4  # before the fix both said "saved" in about 3 rounds of 4


def _together(actions: list[Callable[[], Any]]) -> list[BaseException | None]:
    """Run ``actions`` at the same moment; each outcome: None (done) or the exception raised."""
    barrier, outcomes = threading.Barrier(len(actions)), [None] * len(actions)

    def run(i: int) -> None:
        barrier.wait()
        try:
            actions[i]()
        except BaseException as exc:  # noqa: BLE001 - the outcome is the point
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return list(outcomes)


def _one_saved_one_told(outcomes: list[BaseException | None]) -> int:
    """The index of the saver who won; the other got ChartSavedFirstError saying so."""
    assert sorted(type(o).__name__ for o in outcomes) == ["ChartSavedFirstError", "NoneType"], outcomes
    lost = next(o for o in outcomes if o is not None)
    assert isinstance(lost, ChartSavedFirstError) and "someone saved the org chart first" in str(lost)
    assert lost.by == "feng.jie" and lost.version
    return outcomes.index(None)


def _workers(db_url: str) -> tuple[Approvals, list[Approvals]]:
    return make_app(db_url, CHART_A), [build(db_url, PROCESSES, FixedClock(NOW)) for _ in range(2)]


def test_two_personnel_changes_based_on_the_same_version_save_one_and_tell_the_other(db_url: str) -> None:
    app, workers = _workers(db_url)
    try:
        for round_ in range(ROUNDS):
            changes = [Retitle("shen.yue", f"科员{round_}"), Retitle("he.ping", f"调研员{round_}", "county")]
            texts = [w.admin.preview_change(ORG, c)[0] for w, c in zip(workers, changes, strict=True)]
            before = len(app.admin.versions(ORG))
            outcomes = _together([lambda w=w, c=c, t=t: w.admin.save_change(ORG, c, "调整", "feng.jie", expected=t)
                                  for w, c, t in zip(workers, changes, texts, strict=True)])
            won = _one_saved_one_told(outcomes)
            assert len(app.admin.versions(ORG)) == before + 1
            assert app.admin.current_text(ORG) == texts[won]  # the winner's change, nothing lost silently
    finally:
        for worker in (app, *workers):
            worker.db.dispose()


def test_two_yaml_editor_saves_based_on_the_same_version_save_one_and_tell_the_other(db_url: str) -> None:
    app, workers = _workers(db_url)
    try:
        for round_ in range(ROUNDS):
            current = app.admin.current_text(ORG)
            texts = [current + f"# {who} 第{round_}次修改\n" for who in ("a", "b")]
            impacts = [w.admin.impact(t) for w, t in zip(workers, texts, strict=True)]
            assert impacts[0].based_on == impacts[1].based_on == app.admin.versions(ORG)[0].id
            outcomes = _together([lambda w=w, t=t, i=i: w.admin.save(t, "feng.jie", based_on=i.based_on)
                                  for w, t, i in zip(workers, texts, impacts, strict=True)])
            won = _one_saved_one_told(outcomes)
            assert app.admin.current_text(ORG) == texts[won]
    finally:
        for worker in (app, *workers):
            worker.db.dispose()


def test_a_save_based_on_an_older_version_is_refused_and_writes_nothing(db_url: str) -> None:
    app = make_app(db_url, CHART_A)
    try:
        current = app.admin.current_text(ORG)
        stale = app.admin.impact(current + "# 旧的预览\n")
        app.admin.save(current + "# 先保存的\n", "feng.jie")
        before = app.admin.versions(ORG)
        try:
            app.admin.save(current + "# 旧的预览\n", "li.ming", based_on=stale.based_on)
            raise AssertionError("saved over a version the saver never saw")
        except ChartSavedFirstError as exc:
            assert exc.version == before[0].version and exc.by == "feng.jie"
        assert [v.id for v in app.admin.versions(ORG)] == [v.id for v in before]
    finally:
        app.db.dispose()


def test_load_orgchart_is_based_on_a_version_and_says_which_one_it_replaced(db_url: str, tmp_path: Path) -> None:
    """`approvals load-orgchart` saves on top of the version in force when it starts, or the
    one named by --based-on; a load that finds another version saved in between exits 1
    saying who saved first (two loads at once go through the same save as the races above)."""
    app = make_app(db_url, CHART_A)
    try:
        path = tmp_path / "a.yaml"
        path.write_text(CHART_A.read_text(encoding="utf-8") + "# 修改\n", encoding="utf-8")
        in_force = app.admin.versions(ORG)[0]

        def load(*extra: str) -> Any:
            return CliRunner().invoke(cli, ["--database", db_url, "--processes", str(PROCESSES), "load-orgchart",
                                            str(path), "--actor", "op", *extra])

        stale = load("--based-on", "0123456789ab")
        assert stale.exit_code == 1, stale.output
        assert f"version {in_force.version[:12]} is in force" in stale.output and "nothing was loaded" in stale.output
        assert app.admin.versions(ORG)[0].id == in_force.id

        loaded = load("--based-on", in_force.version[:12])
        assert loaded.exit_code == 0, loaded.output
        assert f"replaces version {in_force.version[:12]}" in loaded.output
        assert app.admin.current_text(ORG) == path.read_text(encoding="utf-8")
    finally:
        app.db.dispose()
