"""Paired comparisons: each scenario against a baseline, and which are distinguishable from the best.

Scenarios run with one seed share their random numbers (replication r of every scenario sees the
same leads with the same luck), so the difference B - A is taken replication by replication and
its interval is the t-interval of those paired differences: a difference in terms shows as a
difference in results, not as noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from sla_sim.analysis.intervals import CONFIDENCE, paired_interval
from sla_sim.analysis.metrics import BY_KEY, METRIC_KEYS
from sla_sim.experiments.runner import SimulationResult


def probability_better(differences: np.ndarray, better: str) -> float:
    """The probability that the true mean difference goes the better way (a flat prior on the
    mean, so its posterior is Student's t about the observed mean); nan where no way is better."""
    d = differences[~np.isnan(differences)]
    if better == "neither" or len(d) < 2:
        return float("nan")
    mean, se = d.mean(), d.std(ddof=1) / math.sqrt(len(d))
    sign = 1.0 if better == "higher" else -1.0
    if se == 0:
        return 0.5 if mean == 0 else float(sign * mean > 0)
    return float(special.stdtr(len(d) - 1, sign * mean / se))  # Student t CDF


def _by_replication(result: SimulationResult, metrics: list[str]) -> pd.DataFrame:
    """One row per replication, columns (metric, scenario): paired values side by side."""
    return result.per_replication.pivot(index="replication", columns="scenario", values=metrics)


def _paired(table: pd.DataFrame, a: str, b: str, metric: str) -> np.ndarray:
    return (table[(metric, b)] - table[(metric, a)]).to_numpy(dtype=float)


@dataclass
class Comparison:
    """Every scenario against the baseline, metric by metric; and, per metric with a better way,
    the best scenario and whether each other is distinguishable from it."""

    baseline: str
    differences: pd.DataFrame
    best: pd.DataFrame
    replications: int


def compare(
    result: SimulationResult, baseline: str, metrics: list[str] | None = None
) -> Comparison:
    """Paired differences against `baseline` with 95% intervals and the probability of being
    better; with three or more scenarios, multiple comparisons with the best."""
    names = result.scenario_names
    if baseline not in names:
        raise ValueError(f"no scenario named {baseline!r}; the scenarios are: {', '.join(names)}")
    keys = metrics or METRIC_KEYS
    table = result.per_replication.groupby("scenario")[keys].mean()
    means = {str(n): {k: float(v) for k, v in row.items()} for n, row in table.iterrows()}
    paired = _by_replication(result, keys)
    rows = []
    for name in names:
        if name == baseline:
            continue
        for key in keys:
            d = _paired(paired, baseline, name, key)
            low, high = paired_interval(d)
            rows.append(
                {
                    "scenario": name,
                    "metric": key,
                    "baseline_mean": means[baseline][key],
                    "mean": means[name][key],
                    "difference": float(np.nanmean(d)) if not np.isnan(d).all() else float("nan"),
                    "ci_low": low,
                    "ci_high": high,
                    "p_better": probability_better(d, BY_KEY[key].better),
                    "better": BY_KEY[key].better,
                }
            )
    return Comparison(
        baseline=baseline,
        differences=pd.DataFrame(rows),
        best=compare_with_best(result, keys),
        replications=result.replications,
    )


def compare_with_best(result: SimulationResult, metrics: list[str]) -> pd.DataFrame:
    """Multiple comparisons with the best, Bonferroni-adjusted: for each metric with a better way,
    the best scenario by mean, and for each other its paired interval against the best at
    confidence 1 - 0.05 / (k - 1); it is distinguishable when that interval excludes zero (the
    k - 1 intervals then hold together with probability at least 95%)."""
    names = result.scenario_names
    rows: list[dict[str, object]] = []
    if len(names) < 2:
        return pd.DataFrame(rows)
    level = 1 - (1 - CONFIDENCE) / (len(names) - 1)
    means = result.per_replication.groupby("scenario")[metrics].mean()
    paired = _by_replication(result, metrics)
    for key in metrics:
        better = BY_KEY[key].better
        if better == "neither" or means[key].isna().all():
            continue
        column = means.loc[names, key]
        best = str(column.idxmax() if better == "higher" else column.idxmin())
        for name in names:
            if name == best:
                continue
            low, high = paired_interval(_paired(paired, best, name, key), level)
            rows.append(
                {
                    "metric": key,
                    "best": best,
                    "scenario": name,
                    "ci_low": low,
                    "ci_high": high,
                    "confidence": level,
                    "distinguishable": bool(low > 0 or high < 0),
                }
            )
    return pd.DataFrame(rows)
