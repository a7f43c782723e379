"""The planning-meeting report of a results folder (`sla-sim run --out DIR`), for `sla-sim report`."""

from __future__ import annotations

from pathlib import Path

from sla_sim.experiments.compare import compare
from sla_sim.experiments.result_files import read_results
from sla_sim.present.html import ReportContent
from sla_sim.present.pack import content


class UnknownScenarioError(ValueError):
    """The baseline asked for is not among the folder's scenarios."""


def report_of_folder(folder: Path, baseline: str | None = None) -> ReportContent:
    """The report comparing every scenario of the folder with `baseline` (default: the first);
    raises UnknownScenarioError for an unknown baseline and ValueError for a folder that cannot be read."""
    result = read_results(folder)
    names = result.scenario_names
    if baseline is not None and baseline not in names:
        raise UnknownScenarioError(
            f"{baseline!r}: no such scenario; the scenarios are: {', '.join(names)}"
        )
    return content(result, compare(result, baseline or names[0]))
