"""The charts' own decisions: candidates that share a simulation are labelled, the heatmap's
better end keeps one colour, and the frontier's labels are never drawn over each other."""

from __future__ import annotations

import pandas as pd

from sla_sim.present.charts import _frontier_labels, colours, heatmap, same_simulation
from sla_sim.scenario.file import load_scenario

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
