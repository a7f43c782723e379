"""Warm-up length: where a run started empty has settled, by the MSER-5 truncation rule.

MSER (Marginal Standard Error Rule) deletes the first `d` batch means that minimise the squared
standard error of the mean of the rest, `sum_{i>d} (Y_i - mean_{i>d})^2 / (m - d)^2`: cutting a
biased start lowers the spread faster than the shrinking sample raises it. Only the first half of
the run is searched, because near the end the statistic rests on few batches and is unreliable.

- White, K. P. (1997). An effective truncation heuristic for bias reduction in simulation output.
  Simulation 69(6), 323-334.
- White, K. P., Cobb, M. J. & Spratt, S. C. (2000). A comparison of five steady-state truncation
  heuristics for simulation. Proceedings of the 2000 Winter Simulation Conference, 755-760.
- Hoad, K., Robinson, S. & Davies, R. (2010). Automating warm-up length estimation. Journal of the
  Operational Research Society 61(9), 1389-1403 (MSER-5 on the mean of replications recommended).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class WarmupAdvice:
    """A warm-up suggestion: where to cut, in hours and whole days, and whether the run was long
    enough to judge."""

    truncation_hours: float
    """Simulated hours to discard: the first kept observation is at this time."""
    warmup_days: float
    """`truncation_hours` rounded up to a whole day, the unit a scenario's warm-up is set in."""
    step_hours: float
    """Hours between consecutive observations of the series."""
    observations: int
    """Observations per replication in the analysed series."""
    at_limit: bool
    """The minimiser is the last candidate searched (half the run): the series may still be
    drifting, so run longer before trusting the cut."""


def _batch_means(series: np.ndarray, batch: int) -> np.ndarray:
    """Non-overlapping means of `batch` observations; an incomplete last batch is dropped."""
    if batch < 1:
        raise ValueError(f"batch must be 1 or more, got {batch}")
    values = np.asarray(series, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"series must be one-dimensional, got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("series contains NaN or infinite values")
    batches = values.size // batch
    if batches < 2:
        raise ValueError(
            f"series too short for MSER: {values.size} observations make {batches} batch(es) of "
            f"{batch}; at least 2 batches ({2 * batch} observations) are needed"
        )
    return values[: batches * batch].reshape(batches, batch).mean(axis=1)


def _mser_statistics(means: np.ndarray) -> np.ndarray:
    """MSER(d) for d = 0 .. floor(m/2), with the tail's sum of squares built from the end by
    Welford's update, which stays exactly zero on a constant tail (so ties resolve to the first d)."""
    m = means.size
    last = m // 2
    sse = np.empty(m)
    mean = 0.0
    m2 = 0.0
    for count, index in enumerate(range(m - 1, -1, -1), start=1):
        delta = means[index] - mean
        mean += delta / count
        m2 += delta * (means[index] - mean)
        sse[index] = m2
    kept = m - np.arange(last + 1)
    return sse[: last + 1] / kept.astype(float) ** 2


def _mser_index(series: np.ndarray, batch: int) -> tuple[int, int]:
    """The minimising number of batches to delete, and the last candidate searched."""
    statistics = _mser_statistics(_batch_means(series, batch))
    return int(np.argmin(statistics)), statistics.size - 1


def mser(series: np.ndarray, batch: int = 5) -> int:
    """The MSER truncation point, in observations of `series`: discard `series[:mser(series)]`.

    `batch=5` is MSER-5; `batch=1` is the original MSER. The first minimiser is returned.
    """
    index, _ = _mser_index(series, batch)
    return batch * index


def suggest_warmup(series: np.ndarray, step_hours: float, batch: int = 5) -> WarmupAdvice:
    """Warm-up advice for output sampled every `step_hours` from time 0.

    `series` is (replications, times), or 1-D for one replication. Replications are averaged first,
    as Hoad, Robinson & Davies recommend: the mean path shows the transient with less noise.
    """
    if not (math.isfinite(step_hours) and step_hours > 0):
        raise ValueError(f"step_hours must be a positive number, got {step_hours}")
    values = np.asarray(series, dtype=float)
    if values.ndim == 2:
        if values.shape[0] == 0:
            raise ValueError("series has no replications")
        values = values.mean(axis=0)
    elif values.ndim != 1:
        raise ValueError(
            f"series must be (replications, times) or one replication, got shape {values.shape}"
        )
    index, last = _mser_index(values, batch)
    truncation_hours = batch * index * step_hours
    # Rounded before the ceiling so that float error (48.000000001 hours) does not add a third day.
    days = math.ceil(round(truncation_hours / HOURS_PER_DAY, 9))
    return WarmupAdvice(
        truncation_hours=truncation_hours,
        warmup_days=float(days),
        step_hours=step_hours,
        observations=values.size,
        at_limit=index == last,
    )
