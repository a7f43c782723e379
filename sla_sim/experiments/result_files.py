"""Result files: summary.json, summary.csv, replications.csv, series.csv, the scenario file of
each candidate (scenarios/), and the lead log, written atomically; and reading them back.

A run's files are written into a fresh folder beside the target and moved into place as one set
(`atomic.Staged`), so a reader never sees half a set or two runs mixed, and an interrupted run
leaves the previous results untouched.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sla_sim._version import __version__
from sla_sim.analysis.intervals import CONFIDENCE
from sla_sim.analysis.metrics import METRICS
from sla_sim.atomic import Staged, write_atomically
from sla_sim.experiments.runner import SimulationResult, result_from
from sla_sim.scenario.file import parse_scenario_text, scenario_toml
from sla_sim.scenario.schema import ScenarioError

LEAD_LOG_SUFFIXES = (".csv", ".csv.gz", ".parquet")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def summary_document(result: SimulationResult) -> dict[str, Any]:
    """The run as one JSON-ready document: settings, per-scenario metrics, definitions, warnings."""
    scenarios = []
    for scenario in result.scenarios:
        rows = result.summary[result.summary.scenario == scenario.name]
        metrics = {
            str(row["metric"]): {
                "mean": float(row["mean"]),
                "std": float(row["std"]),
                "ci_low": float(row["ci_low"]),
                "ci_high": float(row["ci_high"]),
                "n": int(row["n"]),
            }
            for row in rows.to_dict("records")
        }
        scenarios.append(
            {
                "name": scenario.name,
                "description": scenario.scenario.description,
                "metrics": metrics,
            }
        )
    return _clean(
        {
            "sla_sim_version": __version__,
            "seed": result.seed,
            "replications": result.replications,
            "confidence": CONFIDENCE,
            "scenarios": scenarios,
            "metric_definitions": {
                m.key: {
                    "label": m.label,
                    "unit": m.unit,
                    "better": m.better,
                    "description": m.description,
                }
                for m in METRICS
            },
            "warnings": result.warnings,
        }
    )


def _lead_log_writer(events: pd.DataFrame, path: Path) -> Callable[[Path], object]:
    """What writes the lead log in the format `path`'s ending names, at any temporary name."""
    if path.name.endswith(".parquet"):
        return lambda p: events.to_parquet(p, index=False)
    compression: Literal["gzip"] | None = "gzip" if path.name.endswith(".gz") else None
    return lambda p: events.to_csv(p, index=False, compression=compression)


def write_lead_log(events: pd.DataFrame, path: Path) -> None:
    write_atomically(path, _lead_log_writer(events, path))


def _text_writer(text: str) -> Callable[[Path], object]:
    return lambda p: p.write_text(text)


RESULT_SET = ("summary.json", "summary.csv", "replications.csv", "series.csv", "scenarios")
"""The entries of a results folder: a new run replaces them all."""


def _inside(path: Path, folder: Path) -> Path | None:
    """`path` relative to `folder` when it lies inside it."""
    try:
        return path.absolute().relative_to(folder.absolute())
    except ValueError:
        return None


def write_results(result: SimulationResult, out: Path, lead_log: Path | None = None) -> list[Path]:
    """Write the result files into folder `out` (and the lead log, if asked for and kept) as one
    set: staged apart and moved into place together, replacing the previous set whole, so a
    reader never sees two runs mixed and an interrupted run leaves the old set untouched."""
    document = summary_document(result)
    files: dict[Path, Callable[[Path], object]] = {
        Path("summary.json"): lambda p: p.write_text(json.dumps(document, indent=2) + "\n"),
        Path("summary.csv"): lambda p: result.summary.to_csv(p, index=False),
        Path("replications.csv"): lambda p: result.per_replication.to_csv(p, index=False),
    }
    if result.series is not None:
        series = result.series
        files[Path("series.csv")] = lambda p: series.to_csv(p, index=False)
    for i, scenario in enumerate(result.scenarios):
        files[Path("scenarios") / scenario_file_name(i, scenario.name)] = _text_writer(
            scenario_toml(scenario)
        )
    events = result.events if lead_log is not None else None
    within = _inside(lead_log, out) if lead_log is not None else None
    if lead_log is not None and events is not None and within is not None:
        files[within] = _lead_log_writer(events, lead_log)

    def fill(folder: Path) -> None:
        (folder / "scenarios").mkdir()
        for name, write in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            write(folder / name)

    with Staged() as staged:
        staged.folder(out, fill, RESULT_SET)
        if lead_log is not None and events is not None and within is None:
            staged.file(lead_log, _lead_log_writer(events, lead_log))
    written = [out / name for name in files]
    if lead_log is not None and events is not None and within is None:
        written.append(lead_log)
    return written


def scenario_file_name(index: int, name: str) -> str:
    """`01-baseline.toml`: the candidate's position, then its name in lower case."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "scenario"
    return f"{index + 1:02d}-{slug}.toml"


def read_results(folder: Path) -> SimulationResult:
    """A run's result from its folder (as `write_results` left it); raises ValueError naming
    what is missing or broken."""
    needed = ["summary.json", "replications.csv"]
    missing = [name for name in needed if not (folder / name).is_file()]
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder (give the folder a run wrote with --out)")
    if missing:
        raise ValueError(
            f"{folder}: not a results folder: {', '.join(missing)} missing (sla-sim run --out "
            "writes them)"
        )
    try:
        document = json.loads((folder / "summary.json").read_text())
        per_replication = pd.read_csv(folder / "replications.csv")
        series_file = folder / "series.csv"
        series = pd.read_csv(series_file) if series_file.is_file() else None
    except (OSError, ValueError) as error:
        raise ValueError(f"{folder}: a result file cannot be read ({error})") from None
    files = sorted((folder / "scenarios").glob("*.toml"))
    try:
        scenarios = [parse_scenario_text(p.read_text(), str(p)) for p in files]
    except ScenarioError as error:
        raise ValueError("; ".join(error.problems)) from None
    names = [str(s["name"]) for s in document.get("scenarios", [])]
    if [s.name for s in scenarios] != names:
        raise ValueError(
            f"{folder / 'scenarios'}: the scenario files do not match summary.json "
            f"(expected {', '.join(names)})"
        )
    result = result_from(scenarios, int(document.get("seed", 0)), per_replication, series=series)
    result.warnings = list(document.get("warnings", []))
    return result
