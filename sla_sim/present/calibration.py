"""A calibration as people read it: each fitted key, its value, its interval and its evidence."""

from __future__ import annotations

import json
from typing import Any

from sla_sim.experiments.calibrate import Calibration
from sla_sim.present.numbers import is_missing, number


def _value(value: Any) -> str:
    """A value short enough for a table: a distribution by its parameters, a curve by its
    length (the file holds them whole)."""
    if value is None:
        return "(left out)"
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, dict) and "dist" in value:
        if value["dist"] == "empirical":
            return f"empirical, {len(value['values'])} values, mean {number(sum(value['values']) / len(value['values']))}"
        shown = ", ".join(f"{k} {_value(v)}" for k, v in value.items() if k != "dist")
        return f"{value['dist']} ({shown})"
    if isinstance(value, dict) and "age_hours" in value:
        return f"a table of {len(value['age_hours'])} ages"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"{len(value)} changes: " + ", ".join(
            f"month {v['month']} {v['reps']:+d}" for v in value if "month" in v
        )
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, list) and all(isinstance(v, int | float) for v in value):
        return ", ".join(number(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


def calibration_rows(calibration: Calibration) -> list[list[str]]:
    """Key, value, 95% interval (blank where the value is observed, not estimated); the
    scenario's own bookkeeping (name, description) and the sources' list left out. The evidence
    is in the file, beside each value, and in `--json`."""
    rows = []
    for key, setting in calibration.settings.items():
        if key in ("scenario.name", "scenario.description", "sources") or not setting.evidence:
            continue
        low, high = setting.low, setting.high
        interval = (
            ""
            if is_missing(low) or is_missing(high) or low == high
            else f"{number(float(low))} to {number(float(high))}"  # type: ignore[arg-type]
        )
        rows.append([key, _value(setting.value), interval])
    return rows
