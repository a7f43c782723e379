"""The proof by round trip (issue 13): a scenario's simulated CRM export, written as each
profile's files (untidy where real ones are), read back, calibrated and backtested, gives back
the scenario's parameters within their intervals, and the calibrated scenario agrees with the
export it was fitted to."""

from __future__ import annotations

from pathlib import Path

import pytest

from sla_sim import load_scenario
from sla_sim.crm.profiles import PROFILES
from sla_sim.crm.read import read_export
from sla_sim.experiments.backtest import run_backtest
from sla_sim.experiments.calibrate import calibrate
from sla_sim.experiments.export_crm import Untidy, simulated_export, write_export
from sla_sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
EXPORT_SEED = 5
UNTIDY = {
    "generic": Untidy(),
    "hubspot": Untidy(semicolons=True, personal_data=True, empty_rows=True),
    "salesforce": Untidy(bom=True, duplicate_ids=True, month_first=True),
    "pipedrive": Untidy(offsets=True, placeholder_close=True),
    "rdstation": Untidy(latin1=True, day_first=True, renamed_stages=True),
}


@pytest.fixture(scope="module")
def team() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "baseline.toml").with_overrides(
        {"scenario.months": 8}
    )


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_simulated_export_calibrates_back_to_its_scenario_and_agrees(
    profile: str, team: Scenario, tmp_path: Path
) -> None:
    files = write_export(
        simulated_export(team, seed=EXPORT_SEED), profile, tmp_path, UNTIDY[profile], seed=1
    )
    export = read_export(
        files["leads"], deals=files["deals"], activities=files["activities"], profile="auto"
    )
    assert export.profile == profile
    fitted = calibrate(export, team, seed=2, jobs=2)
    settings = fitted.settings
    # what the export can tell comes back within its interval
    for key, true in (
        ("team.ignore_share", team.team.ignore_share),
        ("deals.win_prob", team.deals.win_prob),
        ("response.qualify_prob", team.response.qualify_prob),
    ):
        s = settings[key]
        assert s.low is not None
        assert s.high is not None
        assert s.low <= true <= s.high, (key, s)
    by_name = {s.name: s for s in team.sources}
    for i, source in enumerate(fitted.scenario.sources):
        s = settings[f"sources.{i}.leads_per_month"]
        assert s.low <= by_name[source.name].leads_per_month <= s.high, (source.name, s)
    assert fitted.scenario.team.reps == team.team.reps
    assert fitted.scenario.team.lead_work == "blocks"
    assert fitted.scenario.team.lead_blocks == team.team.lead_blocks
    # and the fitted scenario agrees with the export it was fitted to
    result = run_backtest(fitted.scenario, export, 20, seed=3, jobs=2)
    assert result.agrees, [a for a in result.agreements if not a.agrees]
