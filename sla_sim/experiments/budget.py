"""The size of a run before it starts: expected leads × replications × scenarios turned into
seconds and peak memory from a per-lead cost measured on the seed scenarios, and the limits above
which a command refuses to start (the CLI exits 2; the app shows the same message).

Measured on `scenarios/baseline.toml` scaled 1×, 10× and 50× (20k, 200k and 1M leads a
replication, reps scaled alike): 15, 19 and up to 90 µs of one core (long queues cost more) and
about 550 bytes of a worker's memory per lead, over about 200 MiB for a worker with the package
loaded; the time estimate takes 20 µs, the cost of a team that keeps up; a lead's rows of the event
log take about 400 bytes in the parent, twice that while they are put together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sla_sim.model.team_desk import needs_team_desk
from sla_sim.model.world import simulation_key
from sla_sim.scenario.schema import MAX_LEADS, Scenario

SECONDS_PER_LEAD = 2e-5
# A lead on the team desk (checks, enforcement, the new priorities) costs about three times as
# much as on the ideal desk (make bench: the baseline's 1h SLA with reassignment against 0.6.0's).
TEAM_DESK_COST = 3.0
# A team that changes over the year (each rep in their own hours, SPEC §10) costs about 1.4 times
# as much per lead (make bench: scenarios/growth.toml against the same file with a fixed team).
ROSTER_COST = 1.4
BYTES_PER_LEAD = 550.0
BYTES_PER_LOGGED_LEAD = 1000.0
BYTES_PER_SAMPLE = 8.0
PROCESS_BYTES = 200 * 2**20
MIB = 2**20

MAX_LEADS_PER_REPLICATION = MAX_LEADS
"""Expected leads in one replication of one scenario (the scenario file's own limit; the funnel's
search scales volumes past a file's)."""
MAX_MEMORY_BYTES = 8 * 2**30
"""Estimated peak memory of the run, its workers and the parent together."""
MAX_CORE_HOURS = 24.0
"""Estimated compute of the run, summed over cores."""
MAX_REPLICATIONS = 10_000
"""Replications per scenario or point (--replications, --max-replications)."""
MIN_STEP_HOURS = 0.1
"""The finest sampling of the backlog series (warmup --step-hours)."""


class BudgetError(ValueError):
    """A run larger than the limits; its message gives the estimate and the limit."""


@dataclass(frozen=True)
class Estimate:
    """What a run will take: its largest replication, its leads in all, time and peak memory."""

    leads_per_replication: float
    simulated_leads: float
    workers: int
    seconds: float
    peak_bytes: float

    @property
    def core_hours(self) -> float:
        return self.seconds * self.workers / 3600.0

    def describe(self) -> str:
        """The estimate in a line: leads, time and memory."""
        return (
            f"about {_count(self.simulated_leads)} simulated leads "
            f"(up to {_count(self.leads_per_replication)} in one replication), "
            f"{_duration(self.seconds)} on {self.workers} "
            f"{'core' if self.workers == 1 else 'cores'} and "
            f"{_memory(self.peak_bytes)} of memory at its peak"
        )

    def problems(self) -> list[str]:
        """A line per limit the run would pass, each with the estimate and the limit."""
        lines = []
        if self.leads_per_replication > MAX_LEADS_PER_REPLICATION:
            lines.append(
                f"one replication would simulate about {_count(self.leads_per_replication)} "
                f"leads, more than the limit of {_count(MAX_LEADS_PER_REPLICATION)} "
                "(lower leads_per_month, growth_per_month or months)"
            )
        if self.peak_bytes > MAX_MEMORY_BYTES:
            lines.append(
                f"the run would need about {_memory(self.peak_bytes)} of memory, more than the "
                f"limit of {_memory(MAX_MEMORY_BYTES)} (fewer workers, replications or leads)"
            )
        if self.core_hours > MAX_CORE_HOURS:
            lines.append(
                f"the run would take about {self.core_hours:,.0f} core-hours, more than the "
                f"limit of {MAX_CORE_HOURS:,.0f} (fewer replications, points or leads)"
            )
        return lines

    def check(self) -> None:
        """Raise BudgetError when the run passes a limit."""
        problems = self.problems()
        if problems:
            raise BudgetError(
                f"too large to run: {'; '.join(problems)}; estimate: {self.describe()}"
            )


def estimate(
    scenarios: Sequence[Scenario],
    replications: int,
    *,
    workers: int = 1,
    lead_log: bool = False,
    samples: float = 0.0,
    scale: float = 1.0,
    runs: int = 1,
) -> Estimate:
    """The estimate of `replications` of each scenario on `workers` cores; `lead_log` when the
    event log is kept, `samples` the values of a series kept per replication (warmup), `scale`
    the factor on every source's volume (the funnel's search), `runs` the times each scenario
    runs one after another (a search's candidates, each at most that size)."""
    # Scenarios that differ only in what is measured share one simulation (SimulationResult).
    distinct = list({simulation_key(s): s for s in scenarios}.values())
    per_replication = [s.expected_leads() * scale for s in distinct]
    largest = max(per_replication, default=0.0)
    simulated = sum(per_replication) * replications * runs
    workers = max(1, min(workers, len(distinct) * replications))
    weighted = sum(
        leads
        * (TEAM_DESK_COST if needs_team_desk(s) else 1.0)
        * (ROSTER_COST if s.team.varies else 1.0)
        for leads, s in zip(per_replication, distinct, strict=True)
    )
    seconds = weighted * replications * runs * SECONDS_PER_LEAD / workers
    parent = PROCESS_BYTES + samples * replications * BYTES_PER_SAMPLE
    if lead_log:
        parent += simulated * BYTES_PER_LOGGED_LEAD
    peak = parent + workers * (PROCESS_BYTES + largest * BYTES_PER_LEAD)
    return Estimate(largest, simulated, workers, seconds, peak)


def check_run(
    scenarios: Sequence[Scenario],
    replications: int,
    *,
    workers: int = 1,
    lead_log: bool = False,
    samples: float = 0.0,
    scale: float = 1.0,
    runs: int = 1,
) -> Estimate:
    """The estimate of a run, or BudgetError when it passes a limit (see `estimate`)."""
    if replications > MAX_REPLICATIONS:
        raise BudgetError(
            f"{replications:,} replications, more than the limit of {MAX_REPLICATIONS:,}"
        )
    found = estimate(
        scenarios,
        replications,
        workers=workers,
        lead_log=lead_log,
        samples=samples,
        scale=scale,
        runs=runs,
    )
    found.check()
    return found


def _count(value: float) -> str:
    if not math.isfinite(value):
        return "too many to count"
    return f"{value:,.0f}"


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "forever"
    if seconds < 0.5:
        return "under a second"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:,.1f} h"


def _memory(size: float) -> str:
    if not math.isfinite(size):
        return "more than any machine has"
    if size < 2**30:
        return f"{size / MIB:,.0f} MiB"
    return f"{size / 2**30:,.1f} GiB"
