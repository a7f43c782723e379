"""`sla-sim optimize`: the smallest setting that meets every constraint, or the best for an
objective; with `--hire-plan`, hires month by month, each as late as it can be
(`cli.hire_plan`)."""

from __future__ import annotations

import json

import click

from sla_sim.cli.common import axes, console, fail, load_one, running, table, within_budget
from sla_sim.cli.hire_plan import flag_problems, plan_command
from sla_sim.cli.options import Common, common_options
from sla_sim.experiments.optimize import Constraint, parse_constraint, parse_objective, runs_at_most
from sla_sim.experiments.optimize import optimize as find_setting
from sla_sim.experiments.studies import optimize_document
from sla_sim.experiments.sweep import grid
from sla_sim.present.tables import evidence_rows
from sla_sim.scenario.schema import ScenarioError


def _point(point: dict[str, object]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in point.items())


@click.command()
@click.argument("file")
@click.option(
    "--vary",
    "varies",
    multiple=True,
    help="KEY=LO:HI (whole numbers), KEY=LO:HI:STEP or KEY=V1,V2,... (repeat for a grid).",
)
@click.option(
    "--constraint",
    "constraints",
    multiple=True,
    help="METRIC<=X, METRIC>=X, METRIC<X or METRIC>X (repeat; all must hold).",
)
@click.option(
    "--objective",
    default=None,
    help="A metric to optimise (its better way), or max:METRIC / min:METRIC.",
)
@click.option(
    "--hire-plan",
    is_flag=True,
    help="Instead of --vary: hires month by month, each as late as it can be, that keep every "
    "--constraint in every month (the file's ramp and attrition included), as team.changes to "
    "paste.",
)
@click.option(
    "--max-hires",
    type=click.IntRange(min=0),
    default=None,
    help="With --hire-plan: the most hires to try [default: 3 times team.reps].",
)
@common_options(20)
def optimize(
    file: str,
    varies: tuple[str, ...],
    constraints: tuple[str, ...],
    objective: str | None,
    hire_plan: bool,
    max_hires: int | None,
    common: Common,
) -> None:
    """The smallest setting that meets every constraint, or the best one for an objective; or
    with --hire-plan, hires month by month, each as late as it can be, that keep the constraints
    all year."""
    problems: list[str] = []
    parsed: list[Constraint] = []
    for text in constraints:
        try:
            parsed.append(parse_constraint(text))
        except ValueError as error:
            problems.append(f"--constraint {error}")
    if hire_plan:
        problems += flag_problems(varies, objective, constraints, parsed)
        if problems:
            fail(problems)
        plan_command(file, load_one(file), parsed, max_hires, common)
        return
    if max_hires is not None:
        problems.append("--max-hires applies only with --hire-plan")
    if not varies:
        problems.append("give --vary KEY=LO:HI (or --hire-plan for hires month by month)")
    scenario = load_one(file)
    vary = axes(varies, "--vary", problems)
    goal = None
    if objective:
        try:
            goal = parse_objective(objective)
        except ValueError as error:
            problems.append(f"--objective {error}")
    if not constraints and not objective:
        problems.append("give at least one --constraint or an --objective")
    if problems:
        fail(problems)
    try:
        points = grid(scenario, vary)
    except ScenarioError as error:
        fail([f"{file}: {p}" for p in error.problems])
    within_budget(runs_at_most(points, goal), common.replications, common)
    with running(common) as (pool, update):
        result = find_setting(
            scenario,
            vary,
            parsed,
            goal,
            replications=common.replications,
            seed=common.seed,
            executor=pool,
            progress=update,
        )
    if common.as_json:
        click.echo(json.dumps(optimize_document(result), indent=2, default=str))
        return
    evidence = [
        table(
            f"{item['role']}: {_point(item['point'])}",
            ["Metric", "Mean (95% interval)"],
            evidence_rows(item, scenario.costs.currency),
        )
        for item in result.evidence
    ]
    shown = console(*evidence)
    if result.value is None:
        shown.print(f"No value in the range meets {' and '.join(map(str, parsed))}.")
    else:
        shown.print(f"Answer: {_point(result.value)}")
    for each in evidence:
        shown.print(each)
