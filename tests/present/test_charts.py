"""The charts' own decisions: candidates that share a simulation are labelled, the heatmap's
better end keeps one colour, the frontier's labels are never drawn over each other, and the team
over the year is drawn, a panel per candidate, only when a team changes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sla_sim.analysis.series import summarise_series
from sla_sim.experiments.runner import simulate
from sla_sim.present.charts import (
    TEAM_SERIES,
    TEAM_TITLE,
    _frontier_labels,
    chart_notes,
    colours,
    comparison_charts,
    heatmap,
    same_simulation,
    team_changes,
    team_over_the_year,
    team_rows,
)
from sla_sim.scenario.file import load_scenario
from sla_sim.scenario.schema import Scenario

from conftest import SCENARIOS


def test_candidates_sharing_a_simulation_are_labelled_same_as() -> None:
    base = load_scenario(SCENARIOS / "baseline.toml").expand()[0]
    target = base.with_overrides({"sla.sales.first_response_hours": 1}, "1h response")
    reps = base.with_overrides({"team.reps": 8}, "8 reps")
    same = same_simulation([base, reps, target])
    assert same == {"1h response": base.name}
    palette = colours([base.name, reps.name, target.name], same)
    assert palette.labels == {"1h response": f"1h response (same as {base.name})"}


def _grid(metric: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "metric": metric,
            "a": [1, 1, 2, 2],
            "b": [3, 4, 3, 4],
            "mean": [0.1, 0.2, 0.3, 0.4],
            "ci_low": 0.0,
            "ci_high": 1.0,
        }
    )


def test_the_heatmaps_better_end_is_always_yellow() -> None:
    def scale(metric: str) -> dict[str, object]:
        spec = heatmap(_grid(metric), "a", "b", metric, "A", "B").to_dict()
        return spec["layer"][0]["encoding"]["color"]["scale"]

    assert scale("closed_deals").get("reverse") is False
    assert scale("response_breach_rate").get("reverse") is True


def test_frontier_points_on_one_spot_share_one_label() -> None:
    points = pd.DataFrame(
        {
            "label": ["8, 48", "8, 24", "4, 1", "6, 1"],
            "deals": [95.0, 94.7, 85.0, 90.0],
            "breach": [0.0, 0.001, 0.4, 0.2],
            "frontier": [True, True, False, True],
        }
    )
    labels = _frontier_labels(points)
    assert list(labels.label) == ["8, 48 = 8, 24", "6, 1"]


START = dt.date(2027, 1, 4)


def _team(values: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """Summarised series of candidate -> series -> a value per month, with a backlog beside."""
    rows = []
    for scenario, series in values.items():
        for name, means in {**series, "backlog": [5.0, 6.0, 7.0]}.items():
            for x, mean in enumerate(means):
                rows.append(
                    {
                        "scenario": scenario,
                        "series": name,
                        "x": float(x),
                        "mean": mean,
                        "ci_low": mean - 0.5,
                        "ci_high": mean + 0.5,
                    }
                )
    return pd.DataFrame(rows, columns=["scenario", "series", "x", "mean", "ci_low", "ci_high"])


FLAT = {"headcount": [6.0, 6.0, 6.0], "capacity": [6.0, 6.0, 6.0], "load": [2.0, 3.0, 4.0]}
HIRED = {"headcount": [6.0, 8.0, 8.0], "capacity": [6.0, 6.5, 7.0], "load": [2.0, 3.0, 4.0]}


def test_the_team_chart_has_one_row_per_candidate_series_and_month() -> None:
    series = _team({"Baseline": FLAT, "Two hires": HIRED})
    rows = team_rows(series, ["Baseline", "Two hires"], START)
    assert len(rows) == 2 * 3 * 3, "no backlog, nothing twice"
    assert not rows.duplicated(["scenario", "series", "month"]).any()
    assert set(rows.line) == set(TEAM_SERIES.values())
    months = sorted(set(rows.month))
    assert [m.date() for m in months] == [START, dt.date(2027, 2, 4), dt.date(2027, 3, 4)]
    hired = rows[(rows.scenario == "Two hires") & (rows.series == "headcount")]
    assert list(hired["mean"]) == [6.0, 8.0, 8.0]
    chart = team_over_the_year(series, colours(["Baseline", "Two hires"]), START).to_dict()
    (drawn,) = chart["datasets"].values()
    assert len(drawn) == len(rows), "the chart draws those rows"
    assert chart["facet"]["field"] == "scenario", "a panel per candidate"


def test_the_team_chart_says_something_only_when_a_team_changes() -> None:
    eight = {**FLAT, "headcount": [8.0] * 3, "capacity": [8.0] * 3}
    assert not team_changes(_team({"Baseline": FLAT, "Eight": eight})), "flat lines"
    assert team_changes(_team({"Baseline": FLAT, "Two hires": HIRED})), "headcount moves"
    off = {**FLAT, "capacity": [5.7, 5.7, 5.7]}
    assert team_changes(_team({"Baseline": FLAT, "Days off": off})), "capacity below the reps"
    assert not team_changes(_team({})), "no series at all"


@pytest.fixture(scope="module")
def short_year() -> Scenario:
    """The baseline over three months, for runs of a moment."""
    base = load_scenario(SCENARIOS / "baseline.toml").expand()[0]
    return base.with_overrides({"scenario.months": 3})


def test_a_comparison_draws_the_team_only_when_a_candidate_changes_it(
    short_year: Scenario,
) -> None:
    more = short_year.with_overrides({"team.reps": 8}, "8 reps")
    hires = short_year.with_overrides(
        {"team.changes": [{"month": 2, "reps": 2}], "team.ramp": [0.5, 1.0]}, "Two hires"
    )
    for candidates, shown in (([short_year, more], False), ([short_year, more, hires], True)):
        result = simulate(candidates, 2, seed=5, variants=False)
        charts = comparison_charts(candidates, result.summary, summarise_series(result.series))
        titles = [title for title, _ in charts]
        assert (TEAM_TITLE in titles) is shown, titles
        notes = chart_notes(candidates, titles)
        assert (TEAM_TITLE in notes) is shown
    assert "50%" in notes[TEAM_TITLE], "the ramp in the caption"
    assert "full speed" in notes[TEAM_TITLE]
