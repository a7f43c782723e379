"""The reverse funnel: how many leads, MQLs, handoffs, contacts and opportunities a month it takes to
reach a target of deals or revenue, worked out two ways side by side.

- By arithmetic, as a spreadsheet does: today's conversion rate of each stage, applied backwards
  from the target. It assumes the rates stay put when the volume changes.
- By simulation: the lead volume (every source scaled alike) that reaches the target with the
  file's team. When the reps are the bottleneck, more leads wait longer, go cold and convert less,
  so the arithmetic falls short; the plan says by how much, and how many reps close the gap.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from sla_sim.analysis.metrics import BY_KEY, FUNNEL_STAGES
from sla_sim.experiments.budget import check_run
from sla_sim.experiments.executors import Executor
from sla_sim.experiments.runner import Progress, SimulationResult, simulate
from sla_sim.scenario.schema import MAX_REPS, Scenario, ScenarioError

MAX_SCALE = 5.0  # the search gives up beyond 5 times the arithmetic's volume
PLATEAU = 0.03  # or when 50% more leads bring fewer than 3% more deals: the reps are saturated
PRECISION = 0.02  # volumes are found to within 2%
MAX_TEAM = 20  # nor does it try teams beyond 20 times today's


def _up(value: float) -> int:
    """Round a count needed up, forgiving floating-point dust (30 / 0.2 is 150, not 151)."""
    return math.ceil(value - 1e-9)


def needed(target_deals: float, rates: dict[str, float]) -> dict[str, float]:
    """Each stage's count needed for `target_deals`, walking back through the conversion rates.

    `rates` maps a stage to its rate into the next one (`{"leads": 0.0196}` alone means lead to
    deal). Stages in between may be skipped: 35 deals at a 1.963% lead-to-deal rate need 1,783
    leads; 30 deals at 1 in 5 sales-accepted leads need 150.
    """
    counts: dict[str, float] = {"closed_deals": target_deals}
    value = target_deals
    for stage in reversed(FUNNEL_STAGES[:-1]):
        if stage in rates:
            if rates[stage] <= 0:
                raise ValueError(
                    f"the {BY_KEY[stage].label} stage converts nothing: no volume is enough"
                )
            value = value / rates[stage]
            counts[stage] = _up(value)
    return counts


@dataclass
class FunnelPlan:
    """A target and the volumes per month that reach it, by arithmetic and by simulation."""

    target_deals: float
    months: float
    rates: dict[str, float]
    arithmetic: dict[str, float]
    scale_by_arithmetic: float
    scale_by_simulation: float | None
    simulated: dict[str, dict[str, float]]
    simulated_at_arithmetic: dict[str, dict[str, float]]
    reps: int
    reps_needed: int | None
    mean_deal_value: float
    evaluations: int = 0

    @property
    def reachable(self) -> bool:
        return self.scale_by_simulation is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "target_deals_per_month": self.target_deals,
            "stage_rates": self.rates,
            "arithmetic_per_month": self.arithmetic,
            "lead_scale_by_arithmetic": self.scale_by_arithmetic,
            "lead_scale_by_simulation": self.scale_by_simulation,
            "simulated_per_month": self.simulated,
            "simulated_at_arithmetic_volume_per_month": self.simulated_at_arithmetic,
            "reps": self.reps,
            "reps_needed_at_arithmetic_volume": self.reps_needed,
            "mean_deal_value": self.mean_deal_value,
        }


class _Search:
    """Runs the scenario at a volume scale and a team size, remembering what it ran."""

    def __init__(
        self,
        scenario: Scenario,
        replications: int,
        seed: int,
        jobs: int | None,
        progress: Progress | None = None,
        executor: Executor | None = None,
        workers: int = 1,
    ) -> None:
        self.scenario, self.replications, self.seed, self.jobs = scenario, replications, seed, jobs
        self.progress, self.executor, self.workers = progress, executor, workers
        self.months = (scenario.horizon_days - scenario.scenario.warmup_days) / (
            scenario.horizon_days / scenario.scenario.months
        )
        self.runs: dict[tuple[float, int], SimulationResult] = {}

    def variant(self, scale: float, reps: int) -> Scenario:
        """The scenario with its volumes scaled and `reps` reps."""
        overrides: dict[str, Any] = {"team.reps": reps}
        for i, source in enumerate(self.scenario.sources):
            overrides[f"sources.{i}.leads_per_month"] = source.leads_per_month * scale
        return self.scenario.with_overrides(overrides)

    def check(self, scale: float) -> None:
        """BudgetError when a run at this volume would pass the limits."""
        check_run([self.scenario], self.replications, workers=self.workers, scale=scale)

    def run(self, scale: float, reps: int) -> SimulationResult:
        key = (round(scale, 6), reps)
        if key not in self.runs:
            self.check(scale)
            try:
                variant = self.variant(scale, reps)
            except ScenarioError as error:
                problems = "; ".join(error.problems)
                raise ValueError(f"at {scale:g} times today's volume: {problems}") from None
            self.runs[key] = simulate(
                variant,
                self.replications,
                seed=self.seed,
                jobs=self.jobs,
                variants=False,
                progress=self.progress,
                executor=self.executor,
            )
        return self.runs[key]

    def per_month(self, scale: float, reps: int) -> dict[str, dict[str, float]]:
        result = self.run(scale, reps)
        name = result.scenario_names[0]
        out = {}
        for stage in FUNNEL_STAGES:
            v = result.metric(name, stage)
            out[stage] = {k: v[k] / self.months for k in ("mean", "ci_low", "ci_high")}
        return out

    def deals(self, scale: float, reps: int) -> float:
        return self.per_month(scale, reps)["closed_deals"]["mean"]


def plan(
    scenario: Scenario,
    *,
    deals_per_month: float | None = None,
    revenue_per_month: float | None = None,
    replications: int = 10,
    seed: int = 0,
    jobs: int | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    workers: int = 1,
) -> FunnelPlan:
    """Volumes per month that reach the target, by arithmetic and by simulation (see module doc).
    Each volume is checked against the limits of `budget` (on `workers` cores) before it runs:
    a target that needs too many leads raises BudgetError, a ValueError."""
    if (deals_per_month is None) == (revenue_per_month is None):
        raise ValueError("give a target of deals or of revenue per month, not both")
    base = scenario.expand()[0]
    search = _Search(base, replications, seed, jobs, progress, executor, workers)
    reps = base.team.reps
    today = search.per_month(1.0, reps)
    means = {stage: today[stage]["mean"] for stage in FUNNEL_STAGES}
    result = search.run(1.0, reps)
    name = result.scenario_names[0]
    revenue = result.metric(name, "revenue")["mean"]
    deal_value = revenue / (means["closed_deals"] * search.months) if means["closed_deals"] else 0.0
    if deals_per_month is None:
        if deal_value <= 0:
            raise ValueError("the scenario closes no deals, so no revenue target can be planned")
        deals_per_month = float(revenue_per_month or 0.0) / deal_value
    if means["closed_deals"] <= 0:
        raise ValueError("the scenario closes no deals, so no volume reaches the target")
    rates = {a: means[b] / means[a] for a, b in itertools.pairwise(FUNNEL_STAGES)}
    arithmetic = needed(deals_per_month, rates)
    scale_arithmetic = deals_per_month / means["closed_deals"]
    search.check(scale_arithmetic)

    scale_simulated = _find_scale(search, deals_per_month, scale_arithmetic, reps)
    reps_needed = _find_reps(search, deals_per_month, scale_arithmetic, reps)
    return FunnelPlan(
        target_deals=deals_per_month,
        months=search.months,
        rates=rates,
        arithmetic=arithmetic,
        scale_by_arithmetic=scale_arithmetic,
        scale_by_simulation=scale_simulated,
        simulated=search.per_month(scale_simulated, reps) if scale_simulated else {},
        simulated_at_arithmetic=search.per_month(scale_arithmetic, reps),
        reps=reps,
        reps_needed=reps_needed,
        mean_deal_value=deal_value,
        evaluations=len(search.runs),
    )


def _find_scale(search: _Search, target: float, start: float, reps: int) -> float | None:
    """The smallest volume scale whose simulated deals reach the target (bracket, then bisect);
    None when the deals level off below it: the reps cannot work more leads."""
    low, high = 0.0, max(start, 1e-6)
    while (deals := search.deals(high, reps)) < target:
        if low > 0 and deals < search.deals(low, reps) * (1 + PLATEAU):
            return None
        low, high = high, high * 1.5
        if high > MAX_SCALE * start:
            return None
    while high - low > PRECISION * high:
        middle = (low + high) / 2
        if search.deals(middle, reps) >= target:
            high = middle
        else:
            low = middle
    return high


def _find_reps(search: _Search, target: float, scale: float, reps: int) -> int | None:
    """The fewest reps with which the arithmetic's volume reaches the target (None: no team size
    up to MAX_TEAM times today's does; the rates themselves fall short)."""
    if search.deals(scale, reps) >= target:
        return reps
    low, high = reps, reps * 2
    while search.deals(scale, high) < target:
        low, high = high, high * 2
        if high > min(MAX_TEAM * reps, MAX_REPS):
            return None
    while high - low > 1:
        middle = (low + high) // 2
        if search.deals(scale, middle) >= target:
            high = middle
        else:
            low = middle
    return high
