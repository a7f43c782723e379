"""Tables as rows of text, worded by `present.numbers`: metrics with intervals, differences
against a baseline, sweep points, the evidence of an optimisation, a hiring plan month by month,
and the reverse funnel's plan with its findings (for the command line and the app alike)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sla_sim.analysis.metrics import BY_KEY, FUNNEL_STAGES, METRIC_KEYS, METRICS
from sla_sim.experiments.compare import Comparison
from sla_sim.experiments.funnel import MAX_TEAM, FunnelPlan
from sla_sim.experiments.hire_plan import HirePlan
from sla_sim.experiments.runner import SimulationResult
from sla_sim.present.numbers import (
    DOLLARS,
    format_interval,
    format_number,
    format_percent,
    format_range,
    format_signed,
    format_value,
    multiple,
    number,
    share,
    signed_share,
    tenths,
)

SWEEP_COLUMNS = [
    "closed_deals",
    "revenue",
    "response_breach_rate",
    "attempt_breach_rate",
    "rep_utilization",
]
"""The metrics a sweep's table shows for each point."""

BEST_OF = ["closed_deals", "revenue", "response_breach_rate", "attempt_breach_rate"]
"""The metrics for which a comparison of three or more scenarios names the best one."""


def metric_rows(result: SimulationResult, names: list[str]) -> list[list[str]]:
    """Every metric that applies to one of the named scenarios (the account executives' only
    with `[ae]`): its label, then mean ± half-width in each (money in the currency of each)."""
    currency = {s.name: s.costs.currency for s in result.scenarios}
    rows = []
    for metric in METRICS:
        values = [result.metric(name, metric.key) for name in names]
        if all(math.isnan(v["mean"]) for v in values):
            continue  # no scenario here has it
        cells = []
        for v, name in zip(values, names, strict=True):
            cells.append(
                format_interval(metric.key, v["mean"], v["ci_low"], v["ci_high"], currency[name])
            )
        rows.append([metric.label, *cells])
    return rows


def difference_cell(key: str, row: Mapping[Any, Any], currency: str = DOLLARS) -> str:
    """A paired difference with its 95% interval and the chance it is better, or "same"/"n/a"."""
    if math.isnan(row["difference"]):
        return "n/a"
    if row["difference"] == 0 and row["ci_low"] == row["ci_high"]:
        return "same"
    text = format_signed(key, row["difference"], currency)
    if not math.isnan(row["ci_low"]) and row["ci_low"] != row["ci_high"]:
        low, high = (format_signed(key, row[end], currency) for end in ("ci_low", "ci_high"))
        text += f" ({low} to {high})"
    if not math.isnan(row["p_better"]):
        text += f" · {format_percent(row['p_better'], 0)}"
    return text


def difference_rows(
    comparison: Comparison,
    others: list[str],
    metrics: list[str] | None = None,
    currency: str = DOLLARS,
) -> list[list[str]]:
    """Per metric: its label, the baseline's mean, then the difference of each of `others`
    (money in the baseline's `currency`)."""
    rows = comparison.differences
    table = []
    for key in metrics or METRIC_KEYS:
        cells = [
            difference_cell(
                key, rows[(rows.scenario == n) & (rows.metric == key)].iloc[0].to_dict(), currency
            )
            for n in others
        ]
        base = rows[rows.metric == key].iloc[0]["baseline_mean"] if len(rows) else float("nan")
        table.append([BY_KEY[key].label, format_value(key, base, currency), *cells])
    return table


def best_lines(comparison: Comparison) -> list[str]:
    """For the headline metrics: the best scenario and those not distinguishable from it."""
    lines = []
    for key in BEST_OF:
        group = comparison.best[comparison.best.metric == key]
        if group.empty:
            continue
        ties = [repr(str(t)) for t in group[~group.distinguishable].scenario]
        tail = f"; not distinguishable from it: {'; '.join(ties)}" if ties else ""
        lines.append(f"  {BY_KEY[key].label}: best {group.best.iloc[0]!r}{tail}")
    return lines


def sweep_rows(
    table: pd.DataFrame,
    points: list[dict[str, Any]],
    axes: list[str],
    metrics: list[str] = SWEEP_COLUMNS,
    currency: str = DOLLARS,
) -> list[list[str]]:
    """One row per point: its value of each axis, then the mean of each of `metrics`."""
    wide = table.pivot(index="point", columns="metric", values="mean").to_dict("index")
    return [
        [
            *[str(point[k]) for k in axes],
            *[format_value(k, wide[index][k], currency) for k in metrics],
        ]
        for index, point in enumerate(points)
    ]


def evidence_rows(item: dict[str, Any], currency: str = DOLLARS) -> list[list[str]]:
    """The metrics of one optimisation point: label (key) and mean with its 95% interval."""
    return [
        [
            BY_KEY[key].label + f" ({key})",
            format_interval(key, v["mean"], v["ci_low"], v["ci_high"], currency),
        ]
        for key, v in item["metrics"].items()
    ]


def hire_plan_columns(plan: HirePlan) -> list[str]:
    """The headings of a hiring plan's table: the month, its first day, the planned team and the
    hires, the reps on the team on average when some leave, and each constraint's metric."""
    team = plan.scenario.team
    leaving = team.attrition_per_month > 0
    metrics = list(dict.fromkeys(c.metric for c in plan.constraints))
    return [
        "Month",
        "Starts",
        "Headcount",
        "Hires",
        *(["On the team (mean)"] if leaving else []),
        *(f"{BY_KEY[key].label} ({key})" for key in metrics),
        "Meets",
    ]


def hire_plan_rows(plan: HirePlan) -> list[list[str]]:
    """Per month: its number and first day, planned headcount, hires, reps on the team (mean,
    with attrition), each constraint's metric over that month's leads as mean (95% interval),
    and whether every constraint holds ("no leads" before the warm-up ends)."""
    currency = plan.scenario.costs.currency
    leaving = plan.scenario.team.attrition_per_month > 0
    rows = []
    for month in plan.months:
        cells = [
            format_range(key, v["mean"], v["ci_low"], v["ci_high"], currency)
            for key, v in month["metrics"].items()
        ]
        holds = month["holds"]
        rows.append(
            [
                str(month["month"]),
                month["starts"],
                number(month["headcount"]),
                number(month["hires"]) if month["hires"] else "",
                *([tenths(month["on_team"])] if leaving else []),
                *cells,
                "no leads" if holds is None else "yes" if holds else "no",
            ]
        )
    return rows


def funnel_title(plan: FunnelPlan, name: str) -> str:
    """The heading of a funnel plan's table."""
    return f"{name}: what it takes to close {format_number(plan.target_deals, 3)} deals a month (per month)"


def funnel_table(plan: FunnelPlan) -> list[dict[str, str]]:
    """Per stage: today's rate to the next stage, and per month the arithmetic's volume, the
    simulation at that volume and, when one does, the simulated volume that reaches the target
    (every count to one decimal)."""
    rows = []
    for stage in FUNNEL_STAGES:
        rate = plan.rates.get(stage)
        row = {
            "Stage": BY_KEY[stage].label,
            "Today's rate to the next stage": share(rate) if rate is not None else "",
            "Arithmetic, per month": tenths(plan.arithmetic.get(stage, 0)),
            f"Simulated at that volume, {plan.reps} reps, per month": tenths(
                plan.simulated_at_arithmetic[stage]["mean"]
            ),
        }
        reached = plan.simulated.get(stage)
        if plan.reachable and reached:
            row[f"Simulated volume that reaches it, {plan.reps} reps, per month"] = tenths(
                reached["mean"]
            )
        rows.append(row)
    return rows


def funnel_answer(plan: FunnelPlan) -> str:
    """The plan's answer in one sentence, before its table."""
    target = number(plan.target_deals)
    if plan.reachable and plan.scale_by_simulation is not None:
        leads = tenths(plan.simulated["leads"]["mean"]) if "leads" in plan.simulated else ""
        volume = f" ({leads} leads a month)" if leads else ""
        return (
            f"{multiple(plan.scale_by_simulation)} today's leads{volume} with today's "
            f"{plan.reps} reps close {target} deals a month."
        )
    if plan.reps_needed is not None:
        return (
            f"{plan.reps_needed} reps instead of {plan.reps}, with {multiple(plan.scale_by_arithmetic)} "
            f"today's leads, close {target} deals a month; with {plan.reps} reps no lead volume does."
        )
    return (
        f"Out of reach: no lead volume with {plan.reps} reps, and no team up to {MAX_TEAM} times "
        f"today's at the arithmetic's volume, closes {target} deals a month."
    )


def funnel_findings(plan: FunnelPlan) -> list[str]:
    """What the plan says, in sentences."""
    lines = [
        f"Arithmetic: {multiple(plan.scale_by_arithmetic)} today's leads, if every stage kept "
        "today's rate.",
    ]
    if plan.scale_by_simulation is not None:
        extra = plan.scale_by_simulation / plan.scale_by_arithmetic - 1
        lines.append(
            f"Simulation: {multiple(plan.scale_by_simulation)} today's leads with {plan.reps} "
            f"reps ({signed_share(extra)} against the arithmetic)."
        )
    if plan.reps_needed is None:
        lines.append(
            f"No team up to {MAX_TEAM} times today's closes the gap at the arithmetic's volume."
        )
    elif plan.reps_needed > plan.reps:
        deals = tenths(plan.simulated_at_arithmetic["closed_deals"]["mean"])
        lines.append(
            f"At the arithmetic's volume {plan.reps} reps close {deals} deals a month; "
            f"{plan.reps_needed} reps reach the target."
        )
    else:
        lines.append(f"The {plan.reps} reps keep up: the arithmetic holds.")
    if not plan.reachable:
        lines.append(
            f"With {plan.reps} reps no lead volume reaches {number(plan.target_deals)} deals a "
            "month: as the leads grow, the deals level off below it."
        )
    return lines
