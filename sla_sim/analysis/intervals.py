"""Intervals over replications: mean, standard deviation and a 95% t-interval per metric."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95


def interval(values: np.ndarray, confidence: float = CONFIDENCE) -> dict[str, float]:
    """Mean, std, interval and n of the non-missing values (a metric can be undefined in a run)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = len(v)
    if n == 0:
        nan = float("nan")
        return {"mean": nan, "std": nan, "ci_low": nan, "ci_high": nan, "n": 0}
    mean = float(v.mean())
    if n == 1:
        return {
            "mean": mean,
            "std": float("nan"),
            "ci_low": float("nan"),
            "ci_high": float("nan"),
            "n": 1,
        }
    std = float(v.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * std / np.sqrt(n)
    return {"mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def summarise(per_replication: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Tidy summary: one row per scenario and metric, in the scenarios' and metrics' own order."""
    rows = []
    for scenario, group in per_replication.groupby("scenario", sort=False):
        for metric in metrics:
            rows.append(
                {"scenario": scenario, "metric": metric, **interval(group[metric].to_numpy())}
            )
    return pd.DataFrame(
        rows, columns=["scenario", "metric", "mean", "std", "ci_low", "ci_high", "n"]
    )
