"""Whether a simulation agrees with what happened: each observed value against the band of
one more run, and an overall test over the months.

The backtest is not trace-driven: the simulation draws its own leads from the fitted rates
rather than replaying the export's. So each month's replications give the distribution the real
month should come from, and the test asks whether the observed months look like draws from it.
For cell i (a month of a measure) the observation's rank among the n replications, mapped to a
standard normal, is a draw of one when the model is right (whatever the shape of the month's
runs: a quiet month's revenue is mostly zero); the squares of the months' errors sum to about a
χ² with one degree of freedom per month: the months' test, which sees a month out of line. A
model that is off by a little every month (a win rate too high) shows more plainly in the
period's total, which is near normal: with the replications' mean m, standard deviation s and
count n, z = (observed − m) / (s·√(1 + 1/n)) follows Student's t with n − 1 degrees of freedom,
mapped to a standard normal: the level's test. A measure agrees when neither p-value is
below α/2k, k the number of measures tested together (Bonferroni over the 2k tests), so the
verdict for all measures together holds at level α.

The regression of differences on sums of Kleijnen, Bettonvil & Van Groenendaal (1998) was made
for trace-driven simulations, where each real observation has a simulated twin driven by the same
inputs; here there are no twins, which is why it is not the test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from sla_sim.analysis.intervals import CONFIDENCE, prediction_band

ALPHA = 1 - CONFIDENCE


@dataclass(frozen=True)
class Agreement:
    """One measure over its months."""

    measure: str
    cells: int
    """Months tested (months where the replications vary or the observation is known)."""
    outside: int
    """Months whose observed value is outside the 95% band of one more run."""
    statistic: float
    """Σz² over the months."""
    p_value: float
    """The months' test."""
    level_z: float
    """The period's total against the replications' totals (standard normal)."""
    level_p_value: float
    agrees: bool


def prediction_errors(observed: np.ndarray, simulated: np.ndarray) -> np.ndarray:
    """Standard normal prediction errors of `observed` (cells) against `simulated` (replications
    × cells); nan where a cell cannot be tested (observation missing, fewer than two runs); ±inf
    where every run gave the same value and the observation differs."""
    obs = np.asarray(observed, dtype=float)
    sim = np.asarray(simulated, dtype=float)
    n = np.sum(~np.isnan(sim), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(sim, axis=0)
        std = np.nanstd(sim, axis=0, ddof=1)
        t = (obs - mean) / (std * np.sqrt(1 + 1 / np.maximum(n, 1)))
        off = np.where(obs > mean, np.inf, -np.inf)
    t = np.where(std == 0, np.where(obs == mean, 0.0, off), t)
    t = np.where(np.isnan(obs) | (n < 2), np.nan, t)
    dof = np.maximum(n - 1, 1)
    finite = np.isfinite(t)
    z = t.copy()
    # t → its probability → the standard normal with that probability (both tails kept exact)
    z[finite] = -stats.norm.ppf(stats.t.sf(t[finite], dof[finite]))
    return z


def rank_errors(observed: np.ndarray, simulated: np.ndarray) -> np.ndarray:
    """Standard normal errors from the observation's rank among the runs (ties count half, the
    rank taken as (below + ties/2 + ½) / (n + 1)): right for a month whose runs are skewed or
    mostly zero, where the t form above would make one deal in a quiet month a wild outlier.
    nan where a cell cannot be tested."""
    obs = np.asarray(observed, dtype=float)
    sim = np.asarray(simulated, dtype=float)
    n = np.sum(~np.isnan(sim), axis=0)
    below = np.sum(sim < obs, axis=0)
    ties = np.sum(sim == obs, axis=0)
    u = (below + ties / 2 + 0.5) / (n + 1)
    z = stats.norm.ppf(u)
    return np.where(np.isnan(obs) | (n < 2), np.nan, z)


def agreement(
    measure: str, observed: np.ndarray, simulated: np.ndarray, *, measures: int = 1
) -> Agreement:
    """The two tests above for one measure; `measures` is how many are judged together."""
    obs = np.asarray(observed, dtype=float)
    sim = np.asarray(simulated, dtype=float)
    z = rank_errors(obs, sim)
    tested = ~np.isnan(z)
    _, low, high = prediction_band(sim)
    outside = int(np.sum(tested & ((obs < low) | (obs > high))))
    cells = int(tested.sum())
    nan = float("nan")
    if cells == 0:
        return Agreement(measure, 0, 0, nan, nan, nan, nan, True)
    statistic = float(np.sum(z[tested] ** 2))
    p_value = float(stats.chi2.sf(statistic, cells)) if np.isfinite(statistic) else 0.0
    total = np.array([obs[tested].sum()])
    totals = sim[:, tested].sum(axis=1, keepdims=True)
    level = float(prediction_errors(total, totals)[0])
    level_p = float(2 * stats.norm.sf(abs(level))) if not np.isnan(level) else 1.0
    bound = ALPHA / (2 * measures)
    return Agreement(
        measure, cells, outside, statistic, p_value, level, level_p, min(p_value, level_p) > bound
    )


def agree_all(rows: list[tuple[str, np.ndarray, np.ndarray]]) -> list[Agreement]:
    """Each (measure, observed, simulated) judged with the others (Bonferroni over them)."""
    return [agreement(name, obs, sim, measures=len(rows)) for name, obs, sim in rows]
