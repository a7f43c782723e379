"""The studies behind the commands, one call each: run scenarios (to a fixed count or a precision),
compare them with a baseline, read a file's sweep table; each result knows
its JSON document and the files it writes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sla_sim.atomic import Staged
from sla_sim.experiments.compare import Comparison, compare
from sla_sim.experiments.executors import Executor
from sla_sim.experiments.optimize import OptimizeResult
from sla_sim.experiments.precision import simulate_to_precision
from sla_sim.experiments.result_files import summary_document, write_lead_log, write_results
from sla_sim.experiments.runner import Progress, SimulationResult, simulate
from sla_sim.experiments.sweep import parse_values
from sla_sim.scenario.schema import Scenario

COMPARISON_SET = ("comparison.csv", "best.csv", "comparison.json")


@dataclass(frozen=True)
class RunOutcome:
    """A run, and with a precision asked for, the worst half-width it reached."""

    result: SimulationResult
    precision: float | None = None
    reached: float | None = None

    def document(self) -> dict[str, Any]:
        document = summary_document(self.result)
        if self.reached is not None:
            document["precision"] = {"asked": self.precision, "reached": self.reached}
        return document

    def write(self, out: Path | None, lead_log: Path | None) -> list[Path]:
        """The result files in `out` and the lead log, wherever each was asked for."""
        written = write_results(self.result, out, lead_log) if out else []
        if out is None and lead_log is not None and self.result.events is not None:
            write_lead_log(self.result.events, lead_log)
            written.append(lead_log)
        return written


def run_scenarios(
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    *,
    precision: float | None = None,
    max_replications: int = 500,
    event_log: bool = False,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> RunOutcome:
    """Each scenario as given (no variants added): `replications` of each, or with `precision`,
    at least that many and more until every half-width is within it or `max_replications` ran."""
    if precision is None:
        result = simulate(
            scenarios,
            replications=replications,
            seed=seed,
            variants=False,
            event_log=event_log,
            executor=executor,
            progress=progress,
        )
        return RunOutcome(result)
    result, reached = simulate_to_precision(
        scenarios,
        precision,
        min_replications=replications,
        max_replications=max_replications,
        seed=seed,
        variants=False,
        executor=executor,
        progress=progress,
    )
    return RunOutcome(result, precision, reached)


@dataclass(frozen=True)
class BaselineComparison:
    """A comparison with the seed it ran with, as the command shows and writes it."""

    comparison: Comparison
    seed: int

    def document(self) -> dict[str, Any]:
        return {
            "baseline": self.comparison.baseline,
            "replications": self.comparison.replications,
            "seed": self.seed,
            "differences": json.loads(self.comparison.differences.to_json(orient="records")),
            "best": json.loads(self.comparison.best.to_json(orient="records")),
            "multiple_comparisons": "Bonferroni-adjusted paired comparisons with the best",
        }

    def write(self, folder: Path) -> None:
        """comparison.csv, best.csv and comparison.json in `folder`, moved into place as one set."""
        differences, best = self.comparison.differences, self.comparison.best
        document = json.dumps(self.document(), indent=2)

        def fill(staging: Path) -> None:
            differences.to_csv(staging / "comparison.csv", index=False)
            best.to_csv(staging / "best.csv", index=False)
            (staging / "comparison.json").write_text(document)

        with Staged() as staged:
            staged.folder(folder, fill, COMPARISON_SET)


def compare_with_baseline(
    scenarios: Sequence[Scenario],
    baseline: str,
    metrics: list[str] | None,
    replications: int,
    seed: int,
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> BaselineComparison:
    """Run the scenarios with common random numbers and compare each with `baseline`."""
    result = simulate(
        scenarios, replications, seed, variants=False, executor=executor, progress=progress
    )
    return BaselineComparison(compare(result, baseline, metrics or None), seed)


def sweep_table_axes(scenario: Scenario) -> tuple[dict[str, list[Any]], list[str]]:
    """The axes of the scenario's own [sweep] table, and a line per value that cannot be read."""
    axes: dict[str, list[Any]] = {}
    problems: list[str] = []
    for key, given in scenario.sweep.items():
        try:
            axes[key] = parse_values(given) if isinstance(given, str) else list(given)
        except ValueError as error:
            problems.append(f"sweep.{key}: {error}")
    return axes, problems


def optimize_document(result: OptimizeResult) -> dict[str, Any]:
    """The result as JSON; with one varied key, also its value alone (`value`) and the `point`."""
    document = result.as_dict()
    if result.value is not None and len(result.value) == 1:
        document["point"] = result.value
        document["value"] = next(iter(result.value.values()))
    return document
