"""The warm-up a scenario needs: its backlog simulated replication by replication and cut where
MSER-5 says the start-up transient has faded (the statistics are in analysis.mser)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sla_sim.analysis.metrics import backlog_series
from sla_sim.analysis.mser import WarmupAdvice, suggest_warmup
from sla_sim.experiments.executors import Executor, Task, use
from sla_sim.experiments.runner import Progress, chunks
from sla_sim.model.replication import run_replication
from sla_sim.model.world import build_world
from sla_sim.scenario.schema import Scenario


def backlog_chunk(
    scenario_json: str, seed: int, replications: Sequence[int], step_hours: float
) -> list[tuple[int, np.ndarray]]:
    """The backlog series of some replications (a worker's unit of work): (replication, leads
    waiting every `step_hours`)."""
    world = build_world(Scenario.model_validate_json(scenario_json))
    out = []
    for r in replications:
        _, waiting = backlog_series(run_replication(world, seed, r), step_hours)
        out.append((r, waiting))
    return out


def backlog_series_of(
    scenario: Scenario,
    replications: int,
    seed: int,
    step_hours: float,
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Leads waiting for a first attempt every `step_hours`, one row per replication."""
    rows: dict[int, np.ndarray] = {}
    with use(executor, None) as runner:
        tasks = [
            Task(0, scenario.canonical_json(), chunk)
            for chunk in chunks(range(replications), runner.workers)
        ]
        for _, chunk_result in runner.run(backlog_chunk, tasks, seed, step_hours):
            for r, waiting in chunk_result:
                rows[r] = np.asarray(waiting, dtype=float)
            if progress:
                progress(len(rows), replications)
    return np.vstack([rows[r] for r in range(replications)])


@dataclass(frozen=True)
class WarmupStudy:
    """MSER-5 advice on the mean backlog of some replications of one scenario."""

    scenario: Scenario
    advice: WarmupAdvice
    replications: int
    step_hours: float

    @property
    def growing(self) -> bool:
        """The lead volume grows, so there is no steady state to reach."""
        return any(source.growth_per_month for source in self.scenario.sources)

    def document(self) -> dict[str, Any]:
        return {
            "rule": "MSER-5 (White 1997) on the mean backlog of the replications",
            "warmup_days": self.advice.warmup_days,
            "truncation_hours": self.advice.truncation_hours,
            "at_limit": self.advice.at_limit,
            "replications": self.replications,
            "step_hours": self.step_hours,
        }


def default_step_hours(scenario: Scenario) -> float:
    """Once a week at the same hour (which removes the weekly cycle of business hours), or
    once a day when always open."""
    return 24.0 if scenario.calendar.always_open else 168.0


def samples_per_replication(scenario: Scenario, step_hours: float | None = None) -> float:
    """How many backlog values one replication's series holds, for the run's size estimate."""
    step = step_hours or default_step_hours(scenario)
    return scenario.horizon_days * 24.0 / step


def study_warmup(
    scenario: Scenario,
    replications: int,
    seed: int,
    step_hours: float | None = None,
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> WarmupStudy:
    """Suggest warmup_days for the scenario (its base, without variants) from its backlog."""
    base = scenario.expand()[0]
    if step_hours is None:
        step_hours = default_step_hours(base)
    series = backlog_series_of(
        base, replications, seed, step_hours, executor=executor, progress=progress
    )
    return WarmupStudy(base, suggest_warmup(series, step_hours), replications, step_hours)
