"""A result set is written whole: it replaces the previous set, keeps files it does not own, and
an error while it is written leaves the previous set and no temporary files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sla_sim.atomic import Staged
from sla_sim.experiments.result_files import read_results, write_results
from sla_sim.experiments.runner import simulate

from conftest import scenario_from


def test_a_smaller_run_replaces_the_scenario_files_of_a_larger_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    four = [scenario_from(**{"scenario.name": f"S{i}"}) for i in range(4)]
    write_results(simulate(four, 2, variants=False), out)
    assert len(list((out / "scenarios").glob("*.toml"))) == 4
    write_results(simulate(scenario_from(), 2, variants=False), out)
    assert [p.name for p in (out / "scenarios").glob("*.toml")] == ["01-simple.toml"]
    assert read_results(out).scenario_names == ["Simple"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_files_the_set_does_not_own_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    write_results(simulate(scenario_from(), 2, variants=False), out)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "summary.json").is_file()


def test_a_lead_log_is_moved_into_place_with_its_summary(tmp_path: Path) -> None:
    out, log = tmp_path / "out", tmp_path / "logs" / "leads.csv"
    result = simulate(scenario_from(), 2, variants=False, event_log=True)
    written = write_results(result, out, log)
    assert log in written
    assert log.is_file()
    inside = out / "leads.csv.gz"
    write_results(result, out, inside)
    assert inside.is_file()
    assert (out / "summary.json").is_file()


def test_an_error_while_staging_leaves_the_old_set_and_no_temporary_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_results(simulate(scenario_from(), 2, variants=False), out)
    before = (out / "summary.json").read_text()

    def broken(folder: Path) -> None:
        (folder / "summary.json").write_text("half")
        raise KeyboardInterrupt

    def write() -> None:
        with Staged() as staged:
            staged.file(tmp_path / "lead.csv", lambda p: p.write_text("rows"))
            staged.folder(out, broken, ["summary.json"])

    with pytest.raises(KeyboardInterrupt):
        write()
    assert (out / "summary.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
