"""Intervals over replications: the one Student-t interval of a mean, and `CONFIDENCE`.

Every interval sla_sim reports (a metric's, a paired difference's, a chart series point's) is the
t-interval of a mean over replications at `CONFIDENCE`, computed here. The one other kind, the
band in which one more run (or the real team's month) should fall, is `prediction_band`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

CONFIDENCE = 0.95
COLUMNS = ["mean", "std", "ci_low", "ci_high", "n"]


def half_width(
    std: np.ndarray | float, n: np.ndarray | int, confidence: float = CONFIDENCE
) -> np.ndarray:
    """Half the width of the t-interval of a mean of `n` values with standard deviation `std`;
    nan where n < 2."""
    n = np.asarray(n, dtype=float)
    t = special.stdtrit(np.maximum(n - 1, 1), 0.5 + confidence / 2)  # Student t quantile
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1, t * np.asarray(std, dtype=float) / np.sqrt(np.maximum(n, 1)), np.nan)


def interval(values: np.ndarray, confidence: float = CONFIDENCE) -> dict[str, float]:
    """Mean, std, interval and n of the non-missing values (a metric can be undefined in a run)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = len(v)
    nan = float("nan")
    if n == 0:
        return {"mean": nan, "std": nan, "ci_low": nan, "ci_high": nan, "n": 0}
    mean = float(v.mean())
    std = float(v.std(ddof=1)) if n > 1 else nan
    half = float(half_width(std, n, confidence))
    return {"mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def paired_interval(differences: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The t-interval of the mean of paired differences (missing values left out)."""
    summary = interval(differences, confidence)
    return summary["ci_low"], summary["ci_high"]


def summarise(per_replication: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Tidy summary: one row per scenario and metric, in the scenarios' and metrics' own order."""
    rows = []
    for scenario, group in per_replication.groupby("scenario", sort=False):
        for metric in metrics:
            rows.append(
                {"scenario": scenario, "metric": metric, **interval(group[metric].to_numpy())}
            )
    return pd.DataFrame(rows, columns=["scenario", "metric", *COLUMNS])


def prediction_band(
    values: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and the band in which one more value should fall, per column of `values`
    (replications × cells): mean ± t·s·√(1 + 1/n), Student t with n − 1 degrees of freedom.

    A backtest sets what happened against this band, not against the interval of the mean: that
    one shrinks as replications are added, and no single month of a real team is a mean."""
    v = np.asarray(values, dtype=float)
    n = np.sum(~np.isnan(v), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(v, axis=0)
        std = np.nanstd(v, axis=0, ddof=1)
        half = half_width(std, n, confidence) * np.sqrt(np.maximum(n, 1) + 1.0)
    return mean, mean - half, mean + half
