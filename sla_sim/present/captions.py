"""The app's short sentences that carry numbers: progress, the size of a sweep, what a meeting
pack is made from, the heading of a plan."""

from __future__ import annotations

import math
from typing import Any

from sla_sim.experiments.runner import SimulationResult


def replications_done(done: int, total: int) -> str:
    """Progress of a run: "12 of 80 replications"."""
    return f"{done} of {total} replications"


def candidate_list(names: list[str]) -> str:
    """Candidates' names in a sentence, each quoted, since a name may hold a comma."""
    return "; ".join(f"“{name}”" for name in names)


def interval_note(replications: int) -> str:
    """What the key-metrics table shows."""
    return f"Mean and 95% interval over {replications} replications"


def sweep_size(axes: dict[str, list[Any]], replications: int) -> str:
    """How much a sweep runs: "6 points × 10 replications"."""
    points = math.prod(len(values) for values in axes.values())
    return f"{points} points × {replications} replications"


def plan_heading(target_deals: float) -> str:
    """The heading of a reverse-funnel plan."""
    return f"What it takes to close {target_deals:.3g} deals a month"


def pack_source(result: SimulationResult) -> str:
    """Which comparison a meeting pack is made from."""
    return (
        f"From the last comparison of {len(result.scenario_names)} candidates, "
        f"{candidate_list(result.scenario_names)} "
        f"({result.replications} replications each, seed {result.seed})."
    )
