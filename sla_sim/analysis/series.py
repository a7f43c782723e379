"""Per-replication series for charts: the backlog week by week, MQLs handed off month by month,
the distribution of first-response times, and the team month by month (reps on it, their ramped
capacity and the attempt work done, both in ramped reps' worth), and, when asked, a metric over
each month's leads (`monthly_series`).

Each replication gives one value per point of each series; `summarise_series` turns them into a
mean with a 95% interval per point, the way `intervals.summarise` does for metrics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sla_sim.analysis.intervals import half_width
from sla_sim.analysis.metrics import Facts

# Response-time grid (hours on the SLA clock) at which the share answered is measured.
RESPONSE_GRID = (0.25, 0.5, 1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 336)
HOURS_PER_WEEK = 168.0


def compute_series(facts: Facts) -> dict[str, np.ndarray]:
    """Every series of one replication, as values at x = 0, 1, 2, ... (weeks, months) or at
    RESPONSE_GRID."""
    full_weeks = int(facts.horizon // HOURS_PER_WEEK)  # a last part-week would read as a spike
    hourly = np.arange(0.5, full_weeks * HOURS_PER_WEEK, 1.0)
    waiting = facts.waiting_at(hourly).astype(float)
    backlog = waiting.reshape(full_weeks, int(HOURS_PER_WEEK)).mean(axis=1)
    e = facts.episodes
    attempted = ~np.isnan(e["attempt"])
    known = e["counted"] & (attempted | (e["deadline"] <= facts.horizon))
    response = e["response"][known & attempted]
    total = int(known.sum())
    grid = np.asarray(RESPONSE_GRID)
    within = (
        np.searchsorted(np.sort(response), grid, side="right") / total
        if total
        else np.full(len(grid), np.nan)
    )
    headcount, capacity, load = facts.team_by_month
    return {
        "backlog": backlog,
        "handoffs": facts.handoffs_per_month.astype(float),
        "response_within": within,
        "headcount": headcount,
        "capacity": capacity,
        "load": load,
    }


def monthly_series(key: str) -> str:
    """The name of the series of metric `key` over the leads of each month (`metrics.by_month`)."""
    return f"{key} by month"


def series_x(name: str, length: int) -> np.ndarray:
    return (
        np.asarray(RESPONSE_GRID, dtype=float) if name == "response_within" else np.arange(length)
    )


def series_frame(items: list[tuple[str, int, dict[str, np.ndarray]]]) -> pd.DataFrame:
    """Replications' series as tidy rows: scenario, replication, series, x, value; `items` are
    (scenario, replication, series) of each replication."""
    scenario, replication, name, x, value = [], [], [], [], []
    for scenario_name, r, series in items:
        for key, values in series.items():
            n = len(values)
            scenario.append(np.full(n, scenario_name, dtype=object))
            replication.append(np.full(n, r))
            name.append(np.full(n, key, dtype=object))
            x.append(series_x(key, n))
            value.append(np.asarray(values, dtype=float))
    if not items:
        return pd.DataFrame(columns=["scenario", "replication", "series", "x", "value"])
    return pd.DataFrame(
        {
            "scenario": np.concatenate(scenario),
            "replication": np.concatenate(replication),
            "series": np.concatenate(name),
            "x": np.concatenate(x).astype(float),
            "value": np.concatenate(value),
        }
    )


def summarise_series(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% interval over replications of every point: scenario, series, x, mean,
    ci_low, ci_high, n."""
    grouped = rows.groupby(["scenario", "series", "x"], sort=False)["value"]
    out = grouped.agg(mean="mean", std="std", n="count").reset_index()
    half = half_width(out["std"].to_numpy(), out["n"].to_numpy())
    out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    return out[["scenario", "series", "x", "mean", "std", "ci_low", "ci_high", "n"]]
