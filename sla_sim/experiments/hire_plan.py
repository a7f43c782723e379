"""The hiring plan: hires month by month, each as late as it can be, that keep every constraint
in every month of the horizon, with the file's ramp, attrition and backfill as they are.

Greedy and month forward, with common random numbers (every candidate runs with the same seed):
run the plan so far (the file's own `team.changes` kept); find the first month in which a
constraint fails, its metric taken over that month's handoffs (response and its breaches) or the
leads that arrived in it (conversion) (`metrics.by_month`);
add one hire at the latest month that makes that month hold, and run again. An earlier hire has
ramped further by any later month, so a hire never gives month f less capacity for being earlier:
the search tries month f itself, then bisects the months before it. When not even a hire at month
1 makes month f hold, the hire goes to month 1 and the search looks again. It stops when every
month holds; or infeasible, at the bound on hires or when a hire at month 1 no longer brings
month f any nearer its bound (what holds it back is not the number of reps: handoffs nobody picks
up, the hours reps give to leads).

As in `optimize`, a constraint holds in a month when the metric's mean over the replications
meets it; a month with no lead counted (before the warm-up ends) has no value and holds. The
answer comes with each month's mean and 95% interval from the plan's own full-horizon run.

Every candidate runs the whole horizon, and each run is kept: the candidate that holds is the
next plan, so its run is the next round's first. Running only the months up to the one tested
(the leads and the roster of a shorter horizon are those of the longer one) was measured slower
for that reason, since the candidate chosen must then run again in full; it would also be exact
only without lead blocks (they end with the horizon, so a retry due after it closes its lead
early) and without days off (spread over the whole horizon).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sla_sim.analysis.metrics import check_monthly
from sla_sim.analysis.series import monthly_series, summarise_series
from sla_sim.experiments.executors import Executor
from sla_sim.experiments.optimize import Constraint
from sla_sim.experiments.runner import Progress, simulate
from sla_sim.scenario.calendar import add_months
from sla_sim.scenario.schema import Change, Scenario, headcount_by_month

HIRES_PER_REP = 3
"""Without `max_hires`, the search hires at most this many times the starting team."""


def default_max_hires(scenario: Scenario) -> int:
    return HIRES_PER_REP * scenario.team.reps


def runs_at_most(scenario: Scenario, max_hires: int) -> int:
    """A bound on the runs `plan_hires` makes: the first, then per hire month f and a bisection
    of the months before it (the new plan is one of those runs)."""
    return 1 + max_hires * (1 + math.ceil(math.log2(scenario.scenario.months)))


def merge_changes(own: Sequence[Change], hires: dict[int, int]) -> list[dict[str, int]]:
    """The file's own changes with the hires, one change a month (as the roster adds them up),
    months whose changes cancel left out."""
    by_month: dict[int, int] = {}
    for change in own:
        by_month[change.month] = by_month.get(change.month, 0) + change.reps
    for month, reps in hires.items():
        by_month[month] = by_month.get(month, 0) + reps
    return [{"month": m, "reps": r} for m, r in sorted(by_month.items()) if r != 0]


def changes_toml(changes: Sequence[dict[str, int]]) -> str:
    """`team.changes` as TOML arrays of tables, which can follow a file's own `[team]` table."""
    return "\n".join(
        f"[[team.changes]]\nmonth = {c['month']}\nreps = {c['reps']}\n" for c in changes
    )


@dataclass
class HirePlan:
    """The hires found, the team.changes they make with the file's own, and each month at the
    answer: planned headcount, hires, and each constraint's metric (mean, std, interval, n)."""

    scenario: Scenario  # the file's scenario with the plan as its team.changes
    constraints: list[Constraint]
    hires: list[dict[str, int]]
    changes: list[dict[str, int]]
    months: list[dict[str, Any]]
    runs: int
    max_hires: int
    failing_month: int | None  # the first month that still fails (infeasible), else None
    stalled: bool  # infeasible before the bound: a hire at month 1 no longer helps that month
    replications: int
    seed: int

    @property
    def feasible(self) -> bool:
        return self.failing_month is None

    @property
    def hired(self) -> int:
        return sum(h["reps"] for h in self.hires)

    def toml(self) -> str:
        return changes_toml(self.changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "feasible": self.feasible,
            "constraints": [str(c) for c in self.constraints],
            "hires": self.hires,
            "hired": self.hired,
            "changes": self.changes,
            "toml": self.toml(),
            "months": self.months,
            "failing_month": self.failing_month,
            "stalled": self.stalled,
            "max_hires": self.max_hires,
            "runs": self.runs,
            "replications": self.replications,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class _Run:
    """One candidate's run: per constraint metric and month (1-based), mean and interval."""

    months: int
    summary: pd.DataFrame  # series, x, mean, std, ci_low, ci_high, n
    on_team: np.ndarray  # mean reps on the team each month (attrition included)

    def value(self, key: str, month: int) -> dict[str, float]:
        """Mean, std, 95% interval and replications with a value, of metric `key` in `month`."""
        rows = self.summary[
            (self.summary.series == monthly_series(key)) & (self.summary.x == month - 1)
        ]
        if rows.empty:
            nan = float("nan")
            return {"mean": nan, "std": nan, "ci_low": nan, "ci_high": nan, "n": 0}
        row = rows.iloc[0]
        return {k: float(row[k]) for k in ("mean", "std", "ci_low", "ci_high")} | {
            "n": int(row["n"])
        }

    def holds(self, constraints: Sequence[Constraint], month: int) -> bool:
        """Every constraint's mean meets it in `month` (a month without a value holds)."""
        for c in constraints:
            mean = self.value(c.metric, month)["mean"]
            if not (math.isnan(mean) or c.holds(mean)):
                return False
        return True

    def first_failing(self, constraints: Sequence[Constraint]) -> int | None:
        return next((m for m in range(1, self.months + 1) if not self.holds(constraints, m)), None)


class _Candidates:
    """Runs plans (hires by month) with one seed, each once."""

    def __init__(
        self,
        scenario: Scenario,
        keys: list[str],
        replications: int,
        seed: int,
        jobs: int | None,
        executor: Executor | None,
        progress: Progress | None,
        total: int,
    ) -> None:
        self.scenario, self.keys = scenario, keys
        self.replications, self.seed = replications, seed
        self.jobs, self.executor, self.progress = jobs, executor, progress
        self.total = total  # replications of every run the search may make, for progress
        self.done = 0
        self.runs: dict[tuple[tuple[int, int], ...], _Run] = {}  # by the plan's (month, hires)

    def plan(self, hires: dict[int, int]) -> Scenario:
        """The file's scenario with the hires."""
        return self.scenario.with_overrides(
            {"team.changes": merge_changes(self.scenario.team.changes, hires)}
        )

    def run(self, hires: dict[int, int]) -> _Run:
        plan = tuple(sorted((m, r) for m, r in hires.items() if r))
        if plan in self.runs:
            return self.runs[plan]
        result = simulate(
            self.plan(hires),
            self.replications,
            seed=self.seed,
            jobs=self.jobs,
            variants=False,
            executor=self.executor,
            progress=self._progress,
            monthly=self.keys,
        )
        self.done += self.replications
        assert result.series is not None
        series = result.series
        names = [monthly_series(k) for k in self.keys]
        summary = summarise_series(series[series.series.isin([*names, "headcount"])])
        headcount = summary[summary.series == "headcount"].sort_values("x")["mean"].to_numpy()
        months = self.scenario.scenario.months
        self.runs[plan] = _Run(months, summary[summary.series.isin(names)], headcount)
        return self.runs[plan]

    def _progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(self.done + done, max(self.total, self.done + total))


def _latest_hire(
    candidates: _Candidates,
    constraints: Sequence[Constraint],
    hires: dict[int, int],
    month: int,
    first_known_short: bool,
) -> int | None:
    """The latest month at which one more hire makes `month` hold, or None when not even a hire
    at month 1 does. `first_known_short`: a hire at month 1 was too little last time, so try it
    first (while no single hire is enough, one run a hire instead of a bisection)."""

    def holds(at: int) -> bool:
        return candidates.run(_plus(hires, at)).holds(constraints, month)

    good, bad = 0, month + 1  # a hire there holds (0: none known) / fails
    probe = 1 if first_known_short else month
    if holds(probe):
        good = probe
    else:
        bad = probe
    while bad - good > 1:
        middle = (good + bad) // 2
        if holds(middle):
            good = middle
        else:
            bad = middle
    return good or None


def plan_hires(
    scenario: Scenario,
    constraints: list[Constraint],
    *,
    replications: int = 20,
    seed: int = 0,
    max_hires: int | None = None,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> HirePlan:
    """Hires month by month, each as late as it can be, that keep every constraint in every month
    (see the module's docstring), at most `max_hires` (default: 3 times the starting team)."""
    if not constraints:
        raise ValueError("give at least one constraint")
    for c in constraints:
        check_monthly(c.metric)
    limit = default_max_hires(scenario) if max_hires is None else max_hires
    if limit < 0:
        raise ValueError(f"max_hires must not be negative, got {limit}")
    keys = list(dict.fromkeys(c.metric for c in constraints))
    total = runs_at_most(scenario, limit) * replications
    candidates = _Candidates(scenario, keys, replications, seed, jobs, executor, progress, total)
    hires: dict[int, int] = {}
    short_at: int | None = None  # a month that one more hire at month 1 could not make hold
    stalled = False
    while True:
        now = candidates.run(hires)
        failing = now.first_failing(constraints)
        if failing is None or sum(hires.values()) >= limit:
            break
        at = _latest_hire(candidates, constraints, hires, failing, short_at == failing)
        if at is None and not _closer(now, candidates.run(_plus(hires, 1)), constraints, failing):
            stalled = True  # more reps no longer help that month: the greedy has nowhere to go
            break
        short_at = failing if at is None else None
        hires = _plus(hires, at or 1)
    return _answer(candidates, constraints, hires, limit, failing, stalled)


def _plus(hires: dict[int, int], month: int) -> dict[int, int]:
    return {**hires, month: hires.get(month, 0) + 1}


def _closer(before: _Run, after: _Run, constraints: Sequence[Constraint], month: int) -> bool:
    """Whether some constraint failing in `month` before is nearer its bound after."""
    for c in constraints:
        was, now = before.value(c.metric, month)["mean"], after.value(c.metric, month)["mean"]
        if math.isnan(was) or c.holds(was):
            continue
        if (now < was) if c.op in ("<=", "<") else (now > was):
            return True
    return False


def _answer(
    candidates: _Candidates,
    constraints: list[Constraint],
    hires: dict[int, int],
    limit: int,
    failing: int | None,
    stalled: bool,
) -> HirePlan:
    scenario = candidates.plan(hires)
    final = candidates.run(hires)
    info = scenario.scenario
    planned = headcount_by_month(scenario.team.reps, scenario.team.changes, info.months)
    months = []
    for m in range(1, info.months + 1):
        values = {key: final.value(key, m) for key in candidates.keys}
        skipped = all(math.isnan(v["mean"]) for v in values.values())
        months.append(
            {
                "month": m,
                "starts": add_months(info.start_date, m - 1).isoformat(),
                "headcount": planned[m - 1],
                "on_team": float(final.on_team[m - 1]),
                "hires": hires.get(m, 0),
                "metrics": values,
                "holds": None if skipped else final.holds(constraints, m),
            }
        )
    return HirePlan(
        scenario=scenario,
        constraints=constraints,
        hires=[{"month": m, "reps": r} for m, r in sorted(hires.items())],
        changes=merge_changes(candidates.scenario.team.changes, hires),
        months=months,
        runs=len(candidates.runs),
        max_hires=limit,
        failing_month=failing,
        stalled=stalled,
        replications=candidates.replications,
        seed=candidates.seed,
    )
