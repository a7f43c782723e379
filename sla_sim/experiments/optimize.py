"""Optimisation: the smallest setting that meets every constraint, or the best one for an objective.

`vary` gives each dotted key its candidate values, in order. With one key and no objective the
search assumes that a larger value never makes a constraint worse (more reps, a longer window), and
bisects: about log2(n) runs instead of n. Otherwise it runs the whole grid. A constraint holds when
the metric's mean over the replications meets it; the evidence shows each constraint's metric with
its 95% interval at the answer and one step below, so a reader sees how close the call was.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sla_sim.analysis.metrics import BY_KEY, METRIC_KEYS
from sla_sim.experiments.executors import Executor
from sla_sim.experiments.runner import Progress, SimulationResult, simulate
from sla_sim.experiments.sweep import grid
from sla_sim.scenario.schema import Scenario

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}


@dataclass(frozen=True)
class Constraint:
    metric: str
    op: str
    bound: float

    def holds(self, value: float) -> bool:
        return bool(OPERATORS[self.op](value, self.bound))

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.bound:g}"


def parse_constraint(text: str) -> Constraint:
    """`METRIC<=X` (or >=, <, >)."""
    match = re.fullmatch(r"\s*([a-z0-9_]+)\s*(<=|>=|<|>)\s*(\S+)\s*", text)
    if not match:
        raise ValueError(f"{text!r}: a constraint is METRIC<=X, METRIC>=X, METRIC<X or METRIC>X")
    metric, op, bound = match.groups()
    if metric not in BY_KEY:
        raise ValueError(f"{text!r}: unknown metric {metric!r}; allowed: {', '.join(METRIC_KEYS)}")
    try:
        return Constraint(metric, op, float(bound))
    except ValueError:
        raise ValueError(f"{text!r}: {bound!r} is not a number") from None


def parse_objective(text: str) -> tuple[str, str]:
    """`METRIC` (its better way), or `max:METRIC` / `min:METRIC`."""
    way, _, metric = text.rpartition(":")
    if metric not in BY_KEY:
        raise ValueError(f"{text!r}: unknown metric {metric!r}; allowed: {', '.join(METRIC_KEYS)}")
    if way:
        if way not in ("max", "min"):
            raise ValueError(f"{text!r}: write max:{metric} or min:{metric}")
        return metric, way
    better = BY_KEY[metric].better
    if better == "neither":
        raise ValueError(f"{metric} has no better way: write max:{metric} or min:{metric}")
    return metric, "max" if better == "higher" else "min"


@dataclass
class OptimizeResult:
    value: dict[str, Any] | None
    constraints: list[Constraint]
    objective: tuple[str, str] | None
    evidence: list[dict[str, Any]]
    evaluated: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def feasible(self) -> bool:
        return self.value is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "feasible": self.feasible,
            "constraints": [str(c) for c in self.constraints],
            "objective": None if self.objective is None else ":".join(self.objective[::-1]),
            "evidence": self.evidence,
            "evaluated": self.evaluated.to_dict(orient="records"),
        }


class _Runs:
    """Runs points of the grid, once each, with the same seed (common random numbers)."""

    def __init__(
        self,
        points: list[tuple[dict[str, Any], Scenario]],
        replications: int,
        seed: int,
        jobs: int | None,
        executor: Executor | None,
        progress: Progress | None,
    ) -> None:
        self.points, self.replications, self.seed = points, replications, seed
        self.jobs, self.executor, self.progress = jobs, executor, progress
        self.results: dict[int, SimulationResult] = {}

    def run(self, indexes: list[int]) -> None:
        todo = [i for i in indexes if i not in self.results]
        if not todo:
            return
        result = simulate(
            [self.points[i][1] for i in todo],
            self.replications,
            seed=self.seed,
            jobs=self.jobs,
            variants=False,
            executor=self.executor,
            progress=self.progress,
        )
        for i in todo:
            self.results[i] = result.only([self.points[i][1].name])

    def mean(self, index: int, metric: str) -> float:
        self.run([index])
        result = self.results[index]
        return result.metric(result.scenario_names[0], metric)["mean"]

    def meets(self, index: int, constraints: list[Constraint]) -> bool:
        return all(c.holds(self.mean(index, c.metric)) for c in constraints)

    def evidence(self, index: int, metrics: list[str], role: str) -> dict[str, Any]:
        self.run([index])
        result = self.results[index]
        name = result.scenario_names[0]
        return {
            "role": role,
            "point": self.points[index][0],
            "metrics": {m: result.metric(name, m) for m in metrics},
        }


def runs_at_most(
    points: list[tuple[dict[str, Any], Scenario]], objective: tuple[str, str] | None
) -> list[Scenario]:
    """The scenarios `optimize` may run on this grid, for its size estimate: a bisection's
    log2(n) + 2 points (the largest ones, to be safe), or the whole grid."""
    scenarios = [s for _, s in points]
    if objective is not None or not points or len(points[0][0]) != 1:
        return scenarios
    count = min(len(scenarios), math.ceil(math.log2(max(len(scenarios), 1))) + 2)
    return sorted(scenarios, key=Scenario.expected_leads, reverse=True)[:count]


def optimize(
    scenario: Scenario,
    vary: dict[str, list[Any]],
    constraints: list[Constraint],
    objective: tuple[str, str] | None = None,
    *,
    replications: int = 20,
    seed: int = 0,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> OptimizeResult:
    """The smallest point meeting every constraint, or the best for `objective` (metric, max|min)."""
    if not constraints and objective is None:
        raise ValueError("give at least one constraint or an objective")
    points = grid(scenario, vary)
    runs = _Runs(points, replications, seed, jobs, executor, progress)
    shown = [c.metric for c in constraints] + ([objective[0]] if objective else [])
    shown = list(dict.fromkeys(shown))
    keys = list(vary)

    if objective is None and len(keys) == 1:
        answer = _bisect(runs, constraints)
    else:
        runs.run(list(range(len(points))))
        feasible = [i for i in range(len(points)) if runs.meets(i, constraints)]
        if not feasible:
            answer = None
        elif objective is None:
            answer = feasible[0]  # the grid is in order: the smallest values first
        else:
            metric, way = objective
            pick = max if way == "max" else min
            answer = pick(feasible, key=lambda i: runs.mean(i, metric))

    evaluated = pd.DataFrame(
        [
            {
                **points[i][0],
                **{m: runs.mean(i, m) for m in shown},
                "meets": runs.meets(i, constraints),
            }
            for i in sorted(runs.results)
        ]
    )
    if answer is None:
        return OptimizeResult(None, constraints, objective, [], evaluated)
    evidence = [runs.evidence(answer, shown, "answer")]
    below = _one_step_below(points, answer, keys[0])
    if below is not None:
        evidence.append(runs.evidence(below, shown, "one step below"))
    return OptimizeResult(points[answer][0], constraints, objective, evidence, evaluated)


def _bisect(runs: _Runs, constraints: list[Constraint]) -> int | None:
    """The first index meeting the constraints, assuming that once met they stay met."""
    high = len(runs.points) - 1
    if not runs.meets(high, constraints):
        return None
    low = -1  # an index known to fail (-1: none known)
    while high - low > 1:
        middle = (low + high) // 2
        if runs.meets(middle, constraints):
            high = middle
        else:
            low = middle
    return high


def _one_step_below(
    points: list[tuple[dict[str, Any], Scenario]], index: int, key: str
) -> int | None:
    """The point with the previous value of `key` and the same other values."""
    target = points[index][0]
    values = [p[0][key] for p in points]
    ordered = list(dict.fromkeys(values))
    position = ordered.index(target[key])
    if position == 0:
        return None
    wanted = {**target, key: ordered[position - 1]}
    return next(i for i, (point, _) in enumerate(points) if point == wanted)
