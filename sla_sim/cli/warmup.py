"""`sla-sim warmup`: a warmup_days suggestion from the backlog series, by the MSER-5 rule."""

from __future__ import annotations

import json

import click

from sla_sim.cli.common import load_one, running, say, within_budget
from sla_sim.cli.options import Common, common_options
from sla_sim.experiments.budget import MIN_STEP_HOURS
from sla_sim.experiments.warmup import samples_per_replication, study_warmup
from sla_sim.present.numbers import format_number


@click.command()
@click.argument("file")
@click.option(
    "--step-hours",
    default=None,
    type=click.FloatRange(min=MIN_STEP_HOURS),
    help="How often the backlog is sampled, at least every "
    f"{MIN_STEP_HOURS} hours [default: a week with business hours, else a day].",
)
@common_options(10)
def warmup(file: str, step_hours: float | None, common: Common) -> None:
    """Suggest warmup_days from the backlog series, by the MSER-5 rule."""
    scenario = load_one(file)
    base = scenario.expand()[:1]
    samples = samples_per_replication(base[0], step_hours)
    within_budget(base, common.replications, common, samples=samples)
    with running(common) as (pool, update):
        study = study_warmup(
            scenario, common.replications, common.seed, step_hours, executor=pool, progress=update
        )
    if common.as_json:
        click.echo(json.dumps(study.document(), indent=2))
        return
    advice = study.advice
    click.echo(
        f"{study.scenario.name}: set warmup_days = {format_number(advice.warmup_days)} "
        f"(MSER-5 cuts the first {format_number(advice.truncation_hours)} hours of the mean "
        f"backlog of {study.replications} replications)"
    )
    if study.growing:
        say(
            "warning",
            "the lead volume grows, so there is no steady state: the cut only removes the "
            "start-up transient",
        )
    if advice.at_limit:
        say(
            "warning",
            "the backlog had not settled within the first half of the horizon: the "
            "horizon may be too short to judge, or the team cannot keep up",
        )
