"""`sla-sim optimize FILE --hire-plan`: hires month by month, each as late as it can be, that keep
every constraint in every month, printed as a table and as `[[team.changes]]` to paste into the
file."""

from __future__ import annotations

import json

import click

from sla_sim.analysis.metrics import check_monthly
from sla_sim.cli.common import console, running, table, within_budget
from sla_sim.cli.options import Common
from sla_sim.experiments.hire_plan import HirePlan, default_max_hires, plan_hires, runs_at_most
from sla_sim.experiments.optimize import Constraint
from sla_sim.present.tables import hire_plan_columns, hire_plan_rows
from sla_sim.scenario.schema import Scenario


def flag_problems(
    varies: tuple[str, ...],
    objective: str | None,
    constraints: tuple[str, ...],
    parsed: list[Constraint],
) -> list[str]:
    """What `--hire-plan` cannot be given with, or lacks; each of its `parsed` constraints must
    be one that can be taken month by month."""
    problems = []
    for c in parsed:
        try:
            check_monthly(c.metric)
        except ValueError as error:
            problems.append(f"--constraint {c}: {error}")
    if varies:
        problems.append("--hire-plan finds the team's changes itself: leave out --vary")
    if objective:
        problems.append("--hire-plan finds its own hires: leave out --objective")
    if not constraints:
        problems.append(
            '--hire-plan needs at least one --constraint, e.g. --constraint "response_breach_rate<=0.05"'
        )
    return problems


def _plan(plan: HirePlan) -> str:
    """The hires of the plan, or the file's team when it has none."""
    if not plan.hires:
        return "the file's team"
    months = ", ".join(f"{h['reps']} in month {h['month']}" for h in plan.hires)
    return f"{_hires(plan.hired)} ({months})"


def _hires(count: int) -> str:
    return f"{count} {'hire' if count == 1 else 'hires'}"


def plan_command(
    file: str,
    scenario: Scenario,
    constraints: list[Constraint],
    max_hires: int | None,
    common: Common,
) -> None:
    """Plan the hires, then print the plan month by month and the TOML to paste (or its JSON)."""
    limit = default_max_hires(scenario) if max_hires is None else max_hires
    within_budget([scenario], common.replications, common, runs=runs_at_most(scenario, limit))
    with running(common) as (pool, update):
        plan = plan_hires(
            scenario,
            constraints,
            replications=common.replications,
            seed=common.seed,
            max_hires=limit,
            executor=pool,
            progress=update,
        )
    if common.as_json:
        click.echo(json.dumps(plan.as_dict(), indent=2, default=str))
        return
    terms = " and ".join(map(str, constraints))
    shown = table(
        f"{scenario.name}, month by month (each month's handoffs for response, its leads for "
        "conversion: mean and 95% interval)",
        hire_plan_columns(plan),
        hire_plan_rows(plan),
    )
    out = console(shown)
    if plan.stalled:
        answer = (
            f"No plan keeps {terms} in every month: month {plan.failing_month} fails with "
            f"{_plan(plan)}, and one more hire at month 1 "
            "brings it no nearer, so more reps do not help there; look at what else holds the "
            "team back (handoffs nobody picks up, its lead hours, the response target)."
        )
    elif not plan.feasible:
        answer = (
            f"No plan of at most {_hires(plan.max_hires)} keeps {terms} in every month: month "
            f"{plan.failing_month} still fails with {_plan(plan)}. Raise --max-hires to look "
            "further."
        )
    elif not plan.hires:
        answer = f"No hire needed: the team in {file} keeps {terms} in every month."
    else:
        keep = "keeps" if plan.hired == 1 else "keep"
        answer = f"Answer: {_plan(plan)} {keep} {terms} in every month."
    out.print(answer, soft_wrap=True, markup=False)
    out.print(
        f"{plan.runs} runs of {plan.replications} replications each, seed {plan.seed}.",
        soft_wrap=True,
    )
    out.print(shown)
    if plan.feasible and plan.hires:
        out.print(
            f"Paste this at the end of {file}, in place of any team.changes it has (it keeps "
            "them, merged by month):\n",
            soft_wrap=True,
            markup=False,
        )
        out.print(plan.toml(), markup=False, highlight=False, soft_wrap=True)
