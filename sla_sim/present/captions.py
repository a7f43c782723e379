"""The app's short sentences that carry numbers: progress, the size of a sweep, what a meeting
pack is made from, the heading of a plan, what the chart of the team over the year shows."""

from __future__ import annotations

import math
from typing import Any

from sla_sim.experiments.runner import SimulationResult
from sla_sim.present.numbers import share
from sla_sim.present.terms import ramping_months
from sla_sim.scenario.schema import Scenario


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


def team_note(scenarios: list[Scenario]) -> str:
    """What the chart of the team over the year shows, in a line: all in reps at full speed,
    capacity counting a new rep at their ramp (the candidates' own shares when they share one)
    and nobody on a day off, and where the work done meets it."""
    ramps = {tuple(s.team.ramp or ()) for s in scenarios if ramping_months(s.team.ramp)}
    counted = []
    if len(ramps) == 1:
        (ramp,) = ramps
        shares = ", ".join(share(v, 0) for v in ramp[: ramping_months(list(ramp))])
        counted.append(f"a new rep at {shares} in their first months")
    elif ramps:
        counted.append("a new rep at part speed while they ramp")
    if any(s.team.time_off_days_per_year > 0 for s in scenarios):
        counted.append("nobody on a day off")
    capacity = f"capacity counts {' and '.join(counted)}; " if counted else ""
    note = (
        f"All in reps at full speed: {capacity}where the work done on leads meets capacity, "
        "leads wait."
    )
    if any(s.team.attrition_per_month > 0 for s in scenarios):
        note += " Reps leave at random: each line is an average over the replications."
    return note
