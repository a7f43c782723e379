"""Sweeps: the cross product of values of dotted keys, one tidy row per point and metric.

Every point runs with the same seed, so points differ by their terms and not by noise (common random
numbers). Values are checked before anything runs. With a folder, each point is written as it
finishes (its plan with the first one, so a sweep refused or stopped before any point leaves
nothing), so an interrupted sweep keeps its points and `resume` skips them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sla_sim.analysis.intervals import summarise
from sla_sim.analysis.metrics import METRIC_KEYS
from sla_sim.atomic import write_atomically
from sla_sim.experiments.executors import Executor
from sla_sim.experiments.runner import Progress, applicable, simulate
from sla_sim.scenario.ranges import MAX_POINTS as MAX_POINTS
from sla_sim.scenario.ranges import parse_values as parse_values
from sla_sim.scenario.schema import Scenario, ScenarioError, check_dotted_key


def parse_assignment(text: str) -> tuple[str, list[Any]]:
    """`KEY=VALUES` as given to --set or --vary."""
    if "=" not in text:
        raise ValueError(f"{text!r}: expected KEY=VALUES, e.g. team.reps=4,6,8 or team.reps=1:40")
    key, values = text.split("=", 1)
    return key.strip(), parse_values(values)


def _label(point: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in point.items())


def grid(scenario: Scenario, axes: dict[str, list[Any]]) -> list[tuple[dict[str, Any], Scenario]]:
    """Each point of the cross product with its scenario; every problem reported before any run."""
    problems = [f"{key}: {p}" for key in axes if (p := check_dotted_key(key))]
    problems += [f"{key}: no values" for key, values in axes.items() if not values]
    if problems:
        raise ScenarioError(problems)
    total = math.prod(len(v) for v in axes.values())
    if total > MAX_POINTS:
        raise ScenarioError([f"the sweep has {total} points, more than {MAX_POINTS}"])
    base = scenario.expand()[0]
    points, problems = [], []
    for combination in itertools.product(*axes.values()):
        point = dict(zip(axes, combination, strict=True))
        try:
            points.append((point, base.with_overrides(point, name=_label(point))))
        except ScenarioError as error:
            problems += [f"point {_label(point)}: {p}" for p in error.problems]
    if problems:
        raise ScenarioError(
            problems[:20] + ([f"... {len(problems) - 20} more"] * (len(problems) > 20))
        )
    return points


@dataclass
class SweepResult:
    axes: dict[str, list[Any]]
    table: pd.DataFrame  # point, each key, metric, mean, std, ci_low, ci_high, n
    per_replication: pd.DataFrame
    skipped: int = 0

    def metric(self, key: str) -> pd.DataFrame:
        return self.table[self.table.metric == key].reset_index(drop=True)

    def frontier(self) -> pd.DataFrame:
        """Closed deals and response breach rate (means) at every point, and whether the point
        is on the frontier: no other point has as many deals and as few breaches, and more of
        one or fewer of the other. Columns: label, deals, breach, frontier."""
        keys = list(self.axes)
        wide = self.table.pivot_table(index=["point", *keys], columns="metric", values="mean")
        wide = wide.reset_index()
        deals = wide["closed_deals"].to_numpy(dtype=float)
        breach = wide["response_breach_rate"].fillna(0.0).to_numpy(dtype=float)
        beaten = [
            bool(np.any((deals >= d) & (breach <= b) & ((deals > d) | (breach < b))))
            for d, b in zip(deals, breach, strict=True)
        ]
        points = pd.DataFrame(
            {
                "label": wide[keys].astype(str).agg(", ".join, axis=1),
                "deals": deals,
                "breach": breach,
                "frontier": [not b for b in beaten],
            }
        )
        return points.sort_values("breach").reset_index(drop=True)


def _point_file(folder: Path, index: int) -> Path:
    return folder / "points" / f"{index:05d}.csv"


def run_sweep(
    scenario: Scenario,
    axes: dict[str, list[Any]],
    replications: int,
    seed: int = 0,
    *,
    jobs: int | None = None,
    executor: Executor | None = None,
    folder: Path | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    on_point: Callable[[int], None] | None = None,
) -> SweepResult:
    """Run every point of the grid with the same seed; with `folder`, write points as they finish
    (and with `resume`, skip the points already there)."""
    points = grid(scenario, axes)
    done: dict[int, pd.DataFrame] = {}
    plan: dict[str, Any] = {}
    if folder is not None:
        plan = {
            "scenario": hashlib.sha256(scenario.canonical_json().encode()).hexdigest(),
            "axes": axes,
            "replications": replications,
            "seed": seed,
        }
        plan_file = folder / "sweep-plan.json"
        if resume and plan_file.exists():
            if json.loads(plan_file.read_text()) != json.loads(json.dumps(plan)):
                raise ValueError(
                    f"{folder} holds another sweep (other scenario, keys, values, replications "
                    "or seed): resume it with the same ones, or use a new folder"
                )
            for index in range(len(points)):
                path = _point_file(folder, index)
                if path.exists():
                    done[index] = pd.read_csv(path)
        elif any(_point_file(folder, i).exists() for i in range(len(points))):
            raise ValueError(f"{folder} already holds sweep points: --resume {folder} goes on")
    todo = [i for i in range(len(points)) if i not in done]
    planned: list[int] = []

    def finished(position: int, rows: pd.DataFrame) -> None:
        index = todo[position]
        done[index] = rows
        if folder is not None:
            if not planned:
                text = json.dumps(plan, indent=2)
                write_atomically(folder / "sweep-plan.json", lambda p: p.write_text(text))
                planned.append(index)
            path = _point_file(folder, index)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, lambda p: rows.to_csv(p, index=False))
        if on_point:
            on_point(index)

    if todo:
        simulate(
            [points[i][1] for i in todo],
            replications,
            seed=seed,
            jobs=jobs,
            variants=False,
            executor=executor,
            progress=progress,
            on_scenario_done=finished,
        )
    per_replication = pd.concat([done[i] for i in range(len(points))], ignore_index=True)
    summary = summarise(per_replication, METRIC_KEYS)
    summary = summary[applicable(summary, [scenario for _, scenario in points])]
    summary = summary.reset_index(drop=True)
    labels = {_label(point): (index, point) for index, (point, _) in enumerate(points)}
    summary.insert(0, "point", [labels[name][0] for name in summary.scenario])
    for position, key in enumerate(axes):
        summary.insert(1 + position, key, [labels[name][1][key] for name in summary.scenario])
    table = summary.drop(columns="scenario")
    if folder is not None:
        write_sweep(table, axes, folder)
    return SweepResult(axes, table, per_replication, skipped=len(points) - len(todo))


def write_sweep(table: pd.DataFrame, axes: dict[str, list[Any]], folder: Path) -> None:
    document = {"axes": axes, "rows": json.loads(table.to_json(orient="records"))}
    write_atomically(folder / "sweep.csv", lambda p: table.to_csv(p, index=False))
    write_atomically(folder / "sweep.json", lambda p: p.write_text(json.dumps(document, indent=2)))
