"""`sla-sim calibrate` and `sla-sim backtest` as a user runs them: an export in, a scenario file
that runs as it is, the backtest's verdict; bad input refused with one message and exit 2, with
nothing written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import SCENARIOS, sla_sim

BAD_INPUT = 2


def clean(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four months of the baseline as HubSpot would export them, names and e-mails included."""
    folder = tmp_path_factory.mktemp("crm")
    text = (SCENARIOS / "baseline.toml").read_text().replace("months = 12 ", "months = 4 ", 1)
    (folder / "team.toml").write_text(text)
    result = sla_sim(
        "export-crm", folder / "team.toml", "--profile", "hubspot", "--out", folder / "export",
        "--seed", "8", "--untidy", "personal_data", "--untidy", "semicolons",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder


def files(folder: Path) -> list[str | Path]:
    out = folder / "export"
    return [out / "leads.csv", "--deals", out / "deals.csv", "--activities", out / "activities.csv"]


def test_calibrate_writes_a_scenario_that_runs_and_backtest_gives_its_verdict(
    export: Path, tmp_path: Path
) -> None:
    fitted = tmp_path / "fitted.toml"
    result = sla_sim(
        "calibrate", *files(export), "--terms", export / "team.toml", "--out", fitted, "--json"
    )
    clean(result)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["settings"]["team.reps"]["value"] == 6
    # An export holds no costs: each source's comes from the terms' source of that name.
    costs = {k: v["value"] for k, v in document["settings"].items() if "cost_per_lead" in k}
    assert sorted(costs.values()) == [10, 120]
    assert "missing" in document
    text = fitted.read_text()
    assert "# " in text.split("[team]")[1].split("\n")[1]  # the evidence beside the value
    assert "lead1@example.test" not in text + result.stdout + result.stderr  # no personal data
    assert "Lead 1" not in text
    ran = sla_sim("run", fitted, "-n", "2", "--jobs", "1")
    assert ran.returncode == 0, ran.stderr
    assert "ignored" not in ran.stderr  # the fitted decay table takes the half-lives' place
    # The terms' variants come over: the candidates, set against the team as it is.
    assert "8 reps" in ran.stdout
    assert any("8 reps" in line for line in document["variants"])
    out = tmp_path / "backtest"
    tested = sla_sim(
        "backtest", fitted, *files(export), "-n", "10", "--seed", "2", "--out", out, "--json"
    )
    clean(tested)
    assert tested.returncode == 0, tested.stderr
    verdict = json.loads(tested.stdout)
    assert {a["measure"] for a in verdict["agreements"]} >= {"leads", "deals", "revenue"}
    assert sorted(p.name for p in out.iterdir()) == ["backtest.csv", "backtest.json"]
    page = tmp_path / "backtest.html"
    shown = sla_sim("backtest", fitted, *files(export), "-n", "5", "--html", page)
    assert "by calendar month" in shown.stdout
    assert "agree" in shown.stdout
    text = page.read_text()
    assert "<svg" in text  # the chart of observed against simulated, inline
    assert "by the month leads were created" in text
    assert 'src="http' not in text
    assert "lead1@example.test" not in text


def test_an_export_without_the_columns_is_refused_and_nothing_is_written(
    export: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "leads.csv"
    bad.write_text("name,email\nAna,ana@example.test\n")
    fitted = tmp_path / "fitted.toml"
    result = sla_sim("calibrate", bad, "--out", fitted)
    clean(result)
    assert result.returncode == BAD_INPUT
    assert "leads.csv" in result.stderr
    assert not fitted.exists()
    tested = sla_sim("backtest", export / "team.toml", bad, "--out", tmp_path / "bt")
    assert tested.returncode == BAD_INPUT
    assert not (tmp_path / "bt").exists()


def test_a_bad_terms_file_is_refused_before_the_export_is_read(
    export: Path, tmp_path: Path
) -> None:
    terms = tmp_path / "terms.toml"
    terms.write_text((export / "team.toml").read_text().replace("reps = 6", "reps = -3", 1))
    result = sla_sim("calibrate", *files(export), "--terms", terms, "--out", tmp_path / "f.toml")
    clean(result)
    assert result.returncode == BAD_INPUT
    assert "team.reps" in result.stderr
