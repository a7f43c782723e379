"""Writing settings into a scenario file: each value with its note, the rest of the file kept."""

from __future__ import annotations

from pathlib import Path

from sla_sim.scenario.file import parse_scenario_text, scenario_notes, with_settings

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"


def test_settings_land_with_their_notes_and_the_file_keeps_the_rest() -> None:
    text = BASELINE.read_text()
    written = with_settings(
        text,
        {
            "team.reps": (5, "owners active in Jan-Jun 2027: 5"),
            "sources": ([{"name": "Web", "leads_per_month": 300.0, "arrival": "business"}], ""),
            "sources.0.leads_per_month": (300.0, "1,800 leads; Poisson regression"),
            "deals.win_prob": (0.25, "120 closed deals"),
        },
    )
    scenario = parse_scenario_text(written, "fitted.toml")
    assert scenario.team.reps == 5
    assert [s.name for s in scenario.sources] == ["Web"]
    assert scenario.deals.win_prob == 0.25
    notes = scenario_notes(scenario)
    assert notes["team.reps"] == "owners active in Jan-Jun 2027: 5"
    assert notes["sources.0.leads_per_month"] == "1,800 leads; Poisson regression"
    assert notes["deals.win_prob"] == "120 closed deals"
    # untouched keys keep their value and note; the sources stay where the file had them
    assert notes["team.lead_work"].startswith("assumption")
    assert written.index("[[sources]]") < written.index("[nurture]")
    assert written.count("[[sources]]") == 1
