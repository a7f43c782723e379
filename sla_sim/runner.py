"""Replications of scenarios, sequentially or on a process pool, with identical results either way.

Replication r of every scenario draws from the streams of (seed, r), whatever worker runs it, so
`jobs=1` and `jobs=8` give the same numbers, and scenarios run with one seed share their random
numbers (common random numbers).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sla_sim.metrics import METRIC_KEYS, Facts, compute_metrics
from sla_sim.model import Replication, World, build_world, run_replication
from sla_sim.records import Event
from sla_sim.scenario import Scenario, scenario_warnings
from sla_sim.summary import summarise

Progress = Callable[[int, int], None]
UNSTABLE_UTILIZATION = 0.9


@dataclass
class SimulationResult:
    """Per-replication metrics, their summary with 95% intervals, and the event log if asked for."""

    scenarios: list[Scenario]
    seed: int
    replications: int
    per_replication: pd.DataFrame
    summary: pd.DataFrame
    events: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def scenario_names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def metric(self, scenario: str, key: str) -> dict[str, float]:
        row = self.summary[(self.summary.scenario == scenario) & (self.summary.metric == key)]
        values = row.iloc[0]
        return {k: float(values[k]) for k in ("mean", "std", "ci_low", "ci_high", "n")}


@lru_cache(maxsize=8)
def _world(scenario_json: str) -> World:
    return build_world(Scenario.model_validate_json(scenario_json))


def event_frame(replication: Replication, scenario_name: str) -> pd.DataFrame:
    """The per-lead event log of one replication: arrivals and MQLs from the lead table, then the
    events of the run, ordered by time."""
    leads = replication.leads
    names = [s.name for s in replication.world.scenario.sources]
    horizon = replication.world.horizon
    mql = leads.mql_time < horizon
    columns = replication.log.columns()
    ids = np.arange(len(leads))
    frames = [
        pd.DataFrame({"time_hours": leads.arrival, "lead": ids, "event": "arrived"}),
        pd.DataFrame({"time_hours": leads.mql_time[mql], "lead": ids[mql], "event": "mql"}),
        pd.DataFrame(
            {
                "time_hours": columns["time"],
                "lead": columns["lead"],
                "event": [Event(e).name.lower() for e in columns["event"]],
                "episode": columns["episode"],
                "rep": columns["rep"],
                "attempt": columns["number"],
                "value": columns["value"],
            }
        ),
    ]
    frame = pd.concat(frames, ignore_index=True)
    frame["source"] = np.asarray(names, dtype=object)[leads.source[frame["lead"].to_numpy()]]
    frame["fit"] = leads.fit[frame["lead"].to_numpy()]
    frame.insert(0, "replication", replication.replication)
    frame.insert(0, "scenario", scenario_name)
    return frame.sort_values(["time_hours", "lead"], kind="stable").reset_index(drop=True)


def _values(replication: Replication) -> dict[str, float]:
    """The metrics of a replication, and the backlog at mid-horizon (to tell an unstable team)."""
    facts = Facts(replication)
    backlog_mid = float(facts.waiting_at(np.array([facts.horizon / 2]))[0])
    return compute_metrics(facts) | {"backlog_mid": backlog_mid}


def run_chunk(
    scenario_json: str, seed: int, replications: Sequence[int], with_log: bool
) -> list[tuple[int, dict[str, float], pd.DataFrame | None]]:
    """Run some replications of one scenario (the unit of work of a worker)."""
    world = _world(scenario_json)
    out = []
    for r in replications:
        replication = run_replication(world, seed, r)
        values = _values(replication)
        log = event_frame(replication, world.scenario.name) if with_log else None
        out.append((r, values, log))
    return out


def _chunks(n: int, parts: int) -> list[list[int]]:
    parts = max(1, min(parts, n))
    return [list(range(n))[i::parts] for i in range(parts)]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def simulate(
    scenario: Scenario | Sequence[Scenario],
    replications: int = 30,
    seed: int = 0,
    jobs: int | None = 1,
    *,
    variants: bool = True,
    event_log: bool = False,
    progress: Progress | None = None,
) -> SimulationResult:
    """Run `replications` replications of each scenario (and, with `variants`, each of its variants).

    Returns the per-replication metrics, their summary with 95% intervals and, with `event_log`, the
    per-lead event log of every replication.
    """
    given = [scenario] if isinstance(scenario, Scenario) else list(scenario)
    scenarios = [s for item in given for s in (item.expand() if variants else [item])]
    if replications < 1:
        raise ValueError("replications must be at least 1")
    jobs = default_jobs() if jobs is None else max(1, jobs)
    tasks = [
        (index, s.canonical_json(), chunk)
        for index, s in enumerate(scenarios)
        for chunk in _chunks(replications, jobs)
    ]
    results: dict[tuple[int, int], tuple[dict[str, float], pd.DataFrame | None]] = {}
    total, done = len(scenarios) * replications, 0

    def collect(index: int, chunk_result: list[Any]) -> None:
        nonlocal done
        for r, values, log in chunk_result:
            results[(index, r)] = (values, log)
        done += len(chunk_result)
        if progress:
            progress(done, total)

    if jobs == 1:
        for index, text, chunk in tasks:
            for r in chunk:
                collect(index, run_chunk(text, seed, [r], event_log))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {
                pool.submit(run_chunk, text, seed, chunk, event_log): index
                for index, text, chunk in tasks
            }
            for future in as_completed(futures):
                collect(futures[future], future.result())

    rows = []
    for index, s in enumerate(scenarios):
        for r in range(replications):
            rows.append({"scenario": s.name, "replication": r, **results[(index, r)][0]})
    per_replication = pd.DataFrame(rows)
    warnings = [w for s in scenarios for w in scenario_warnings(s)]
    warnings += _instability(per_replication)
    events = (
        pd.concat(
            [results[(i, r)][1] for i in range(len(scenarios)) for r in range(replications)],
            ignore_index=True,
        )
        if event_log
        else None
    )
    return SimulationResult(
        scenarios=scenarios,
        seed=seed,
        replications=replications,
        per_replication=per_replication[["scenario", "replication", *METRIC_KEYS]],
        summary=summarise(per_replication, METRIC_KEYS),
        events=events,
        warnings=warnings,
    )


def _instability(per_replication: pd.DataFrame) -> list[str]:
    """Scenarios whose reps are saturated and whose backlog keeps growing to the horizon."""
    warnings = []
    for name, group in per_replication.groupby("scenario", sort=False):
        utilization = group["rep_utilization"].mean()
        mid, end = group["backlog_mid"].mean(), group["backlog_end"].mean()
        if utilization >= UNSTABLE_UTILIZATION and end > 1.5 * mid + 5:
            warnings.append(
                f"{name}: unstable: leads arrive faster than the reps can attempt them, so the "
                f"backlog grows without bound ({mid:.0f} waiting at mid-horizon, {end:.0f} at the "
                f"end; reps {utilization:.0%} busy). Add reps or prospecting time."
            )
    return warnings
