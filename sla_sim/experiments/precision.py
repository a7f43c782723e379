"""Replications until the intervals are narrow enough: every metric's 95% half-width within a
share of its mean, or within an absolute floor for a metric near zero."""

from __future__ import annotations

import math
from collections.abc import Sequence

from sla_sim.analysis.metrics import BY_KEY
from sla_sim.experiments.executors import Executor, use
from sla_sim.experiments.runner import Progress, SimulationResult, simulate
from sla_sim.scenario.schema import Scenario

# Absolute precision floors by unit: a metric near zero is precise enough once its 95% half-width
# is below this, whatever its relative width (half a point of a share, half a lead, a minute).
PRECISION_FLOORS = {
    "share": 0.005,
    "count": 0.5,
    "leads": 0.5,
    "hours": 1 / 60,
    "money": 1.0,
    "months": 0.1,
}


def worst_precision(result: SimulationResult, precision: float) -> float:
    """The largest relative 95% half-width over scenarios and metrics, each metric's mean raised
    to its floor / precision so that a metric near zero counts as precise at its floor."""
    summary = result.summary.dropna(subset=["ci_low", "ci_high"])
    worst = 0.0
    for row in summary.itertuples():
        half = (float(row.ci_high) - float(row.ci_low)) / 2  # type: ignore[arg-type]
        floor = PRECISION_FLOORS[BY_KEY[str(row.metric)].unit]
        worst = max(worst, half / max(abs(float(row.mean)), floor / precision))  # type: ignore[arg-type]
    return worst


def simulate_to_precision(
    scenario: Scenario | Sequence[Scenario],
    precision: float,
    *,
    min_replications: int = 10,
    max_replications: int = 200,
    seed: int = 0,
    jobs: int | None = 1,
    variants: bool = True,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> tuple[SimulationResult, float]:
    """Add replications until every metric's 95% half-width is within `precision` of its mean (or
    its floor), or `max_replications` ran; returns the result and the precision reached."""
    with use(executor, jobs) as runner:
        n = min(max(2, min_replications), max_replications)
        result = simulate(scenario, n, seed, variants=variants, executor=runner, progress=progress)
        reached = worst_precision(result, precision)
        while reached > precision and n < max_replications:
            wanted = math.ceil(n * (reached / precision) ** 2)
            more = min(max(wanted - n, runner.workers), max_replications - n)
            extra = simulate(
                result.scenarios,
                more,
                seed,
                variants=False,
                executor=runner,
                first_replication=n,
                progress=progress,
            )
            n += more
            result = result.with_more(extra)
            reached = worst_precision(result, precision)
        return result, reached
