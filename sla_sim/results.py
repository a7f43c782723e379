"""Result files: summary.json, summary.csv, replications.csv and the lead log, written atomically.

Each file is written to a temporary name in its folder and renamed into place, so a reader never sees
half a file, and an interrupted run leaves the previous results untouched.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sla_sim import __version__
from sla_sim.atomic import write_atomically
from sla_sim.metrics import METRICS
from sla_sim.runner import SimulationResult

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
            "confidence": 0.95,
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


def write_lead_log(events: pd.DataFrame, path: Path) -> None:
    if path.name.endswith(".parquet"):
        write_atomically(path, lambda p: events.to_parquet(p, index=False))
    else:
        compression: Literal["gzip"] | None = "gzip" if path.name.endswith(".gz") else None
        write_atomically(path, lambda p: events.to_csv(p, index=False, compression=compression))


def write_results(result: SimulationResult, out: Path, lead_log: Path | None = None) -> list[Path]:
    """Write the result files into folder `out`; returns their paths."""
    document = summary_document(result)
    files = {
        out / "summary.json": lambda p: p.write_text(json.dumps(document, indent=2) + "\n"),
        out / "summary.csv": lambda p: result.summary.to_csv(p, index=False),
        out / "replications.csv": lambda p: result.per_replication.to_csv(p, index=False),
    }
    for path, write in files.items():
        write_atomically(path, write)
    written = list(files)
    if lead_log is not None and result.events is not None:
        write_lead_log(result.events, lead_log)
        written.append(lead_log)
    return written
