"""`sla-sim compare`: paired differences of every scenario and variant against a baseline."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sla_sim.analysis.metrics import BY_KEY, METRIC_KEYS
from sla_sim.cli.common import (
    check_writable,
    console,
    fail,
    load_all,
    running,
    table,
    within_budget,
)
from sla_sim.cli.options import Common, common_options, out_folder
from sla_sim.experiments.studies import compare_with_baseline
from sla_sim.present.tables import best_lines, difference_rows


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--baseline", required=True, help="Name of the scenario (or variant) to compare against."
)
@click.option("--metric", "metrics", multiple=True, help="Compare only these metrics (repeat).")
@out_folder("comparison.csv, best.csv and comparison.json")
@common_options(30)
def compare(
    files: tuple[str, ...],
    baseline: str,
    metrics: tuple[str, ...],
    out: Path | None,
    common: Common,
) -> None:
    """Paired differences of every scenario and variant against the --baseline one."""
    unknown = [m for m in metrics if m not in BY_KEY]
    if unknown:
        fail([f"--metric {m}: unknown metric; allowed: {', '.join(METRIC_KEYS)}" for m in unknown])
    loaded = load_all(files)
    scenarios = [s for _, group in loaded for s in group]
    names = [s.name for s in scenarios]
    if baseline not in names:
        fail([f"--baseline {baseline!r}: no such scenario; the scenarios are: {', '.join(names)}"])
    check_writable("--out", out, folder=True)
    within_budget(scenarios, common.replications, common)
    with running(common) as (pool, update):
        outcome = compare_with_baseline(
            scenarios,
            baseline,
            list(metrics),
            common.replications,
            common.seed,
            executor=pool,
            progress=update,
        )
    if out:
        outcome.write(out)
    if common.as_json:
        click.echo(json.dumps(outcome.document(), indent=2))
        return
    others = [n for n in names if n != baseline]
    title = (
        f"Against {baseline!r}: paired difference (95% interval) and chance it is better; "
        f"{common.replications} replications, seed {common.seed}"
    )
    currency = next(s.costs.currency for s in scenarios if s.name == baseline)
    rows = difference_rows(outcome.comparison, others, list(metrics), currency)
    differences = table(title, ["Metric", baseline, *others], rows)
    shown = console(differences)
    shown.print(differences)
    if len(names) > 2 and len(outcome.comparison.best):
        shown.print("Distinguishable from the best (Bonferroni-adjusted paired comparisons):")
        for line in best_lines(outcome.comparison):
            shown.print(line)
