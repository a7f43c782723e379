"""The SLA terms as a person types them: labels with units, the help beside an input, lists of
hours, a ramp in percent, hires and leavers as a table of months and reps, and the values of a
swept term read from text (shares typed in percent)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from sla_sim.experiments.sweep import parse_values
from sla_sim.model.world import reads_target
from sla_sim.present.numbers import month_name
from sla_sim.present.terms import FULL_SPEED, Term, ramping_months
from sla_sim.scenario.schema import Scenario


def term_label(term: Term) -> str:
    """The term's label with its unit, "First response within (hours)"; a unit the label already
    names is not repeated ("Reps", not "Reps (reps)")."""
    if not term.unit or term.unit.lower() in term.label.lower():
        return term.label
    return f"{term.label} ({term.unit})"


def term_help(term: Term, default: Any, note: str | None) -> str:
    """What the term means, then the baseline's value and where that value comes from."""
    shown = "not used" if default is None and term.unset is None else term.show(default)
    origin = f"Baseline: {shown}" + (f". Source: {note}." if note else ".")
    return f"{term.help}\n\n{origin}"


def hours_text(hours: list[float]) -> str:
    """A list of hours as typed: "4, 24, 48"."""
    return ", ".join(f"{v:g}" for v in hours)


def read_hours(term: Term, text: str) -> list[float]:
    """Hours typed as "4, 24, 48" (or with semicolons); ValueError naming the term if not."""
    try:
        gaps = [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise ValueError(
            f"{term.label}: give hours as numbers separated by commas, e.g. 4, 24, 48"
        ) from None
    if not gaps or min(gaps) <= 0:
        raise ValueError(f"{term.label}: give at least one gap, every one more than 0 hours")
    return gaps


def blocks_text(blocks: list[list[float]] | None) -> str:
    """Blocks of the day as typed: "10–11.5, 15–16"."""
    return ", ".join(f"{a:g}–{b:g}" for a, b in blocks or [])


BLOCKS_EXAMPLE = "10–11.5, 15–16"


def read_blocks(term: Term, text: str) -> list[list[float]]:
    """Blocks typed as "10–11.5, 15–16" (start and end hour of each, a hyphen or a dash between
    them); ValueError naming the term if not. Whether they fit the day and do not overlap is the
    scenario's own check."""
    blocks = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        ends = part.replace("–", "-").replace("—", "-").split("-")
        try:
            start, end = (float(v) for v in ends)
        except ValueError:
            raise ValueError(
                f"{term.label}: give each block as its start and end hour, e.g. "
                f"{BLOCKS_EXAMPLE} (found {part.strip()!r})"
            ) from None
        if not 0 <= start < end <= 24:
            raise ValueError(
                f"{term.label}: a block starts before it ends, within the 24 hours of a day "
                f"(found {part.strip()!r})"
            )
        blocks.append([start, end])
    if not blocks:
        raise ValueError(f"{term.label}: give at least one block, e.g. {BLOCKS_EXAMPLE}")
    return sorted(blocks)


RAMP_EXAMPLE = "25, 50, 75, 100"


def ramp_text(ramp: list[float] | None) -> str:
    """A ramp as typed, in percent: "25, 50, 75, 100"."""
    return ", ".join(f"{v * 100:g}" for v in ramp or FULL_SPEED)


def read_ramp(term: Term, text: str) -> list[float]:
    """A ramp typed in percent of full speed, month by month ("25, 50, 75, 100", a % sign
    allowed); empty is full speed from day one. ValueError naming the term if not."""
    parts = [p.strip().rstrip("%").strip() for p in text.replace(";", ",").split(",")]
    try:
        values = [float(p) for p in parts if p]
    except ValueError:
        raise ValueError(
            f"{term.label}: give each month's speed in percent, separated by commas, e.g. "
            f"{RAMP_EXAMPLE}"
        ) from None
    if not values:
        return list(FULL_SPEED)
    outside = [v for v in values if not (math.isfinite(v) and 0 < v <= 100)]
    if outside:
        raise ValueError(
            f"{term.label}: each month's speed is more than 0% and at most 100% "
            f"(found {outside[0]:g}), e.g. {RAMP_EXAMPLE}"
        )
    if values[-1] != 100:
        raise ValueError(
            f"{term.label}: the last month is at full speed, 100 (found {values[-1]:g}), e.g. "
            f"{RAMP_EXAMPLE}"
        )
    return [round(v / 100, 4) for v in values]


def ramp_note(ramp: list[float] | None) -> str:
    """How long a new rep takes to reach full speed, as a sentence."""
    months = ramping_months(ramp)
    if months == 0:
        return "New reps are at full speed from their first day."
    return f"New reps reach full speed after {months} month{'s' * (months != 1)}."


CHANGE_COLUMNS = ("Month", "Reps")


def month_names(start: dt.date, months: int) -> list[str]:
    """The months of a horizon by name, the first first: "Jan 2027", "Feb 2027", ..."""
    return [month_name(start, m) for m in range(1, months + 1)]


def changes_table(changes: list[dict[str, int]], start: dt.date) -> pd.DataFrame:
    """Hires and leavers as a table to edit: the month by name, and the reps (negative:
    leaving)."""
    return pd.DataFrame(
        {
            "Month": pd.Series([month_name(start, c["month"]) for c in changes], dtype="object"),
            "Reps": pd.Series([c["reps"] for c in changes], dtype="Int64"),
        }
    )


def read_changes(
    table: pd.DataFrame, start: dt.date, months: int
) -> tuple[list[dict[str, Any]], list[int]]:
    """The changes of an edited table, in its order, and the numbers (from 1) of the rows left
    out because a cell is still empty. Whether the team stays above zero is the scenario's own
    check."""
    by_name = {name: m for m, name in enumerate(month_names(start, months), start=1)}
    changes: list[dict[str, Any]] = []
    waiting = []
    for row, (month, reps) in enumerate(table[list(CHANGE_COLUMNS)].itertuples(index=False), 1):
        if month is None or pd.isna(month) or reps is None or pd.isna(reps):
            if not (month is None or pd.isna(month)) or not (reps is None or pd.isna(reps)):
                waiting.append(row)
            continue
        reps = float(reps)
        changes.append(
            {
                "month": by_name.get(str(month), month),
                "reps": int(reps) if reps.is_integer() else reps,
            }
        )
    return changes, waiting


TARGET_SWEEP = (0.5, 1, 4, 24)
"""Response targets to sweep: half an hour to a business day, and the candidate's own."""


def sweep_default(term: Term, value: Any) -> str:
    """Values to offer for sweeping a term around its current value, as text to edit."""
    if term.key == "team.reps":
        return ", ".join(str(v) for v in range(max(1, int(value) - 2), int(value) + 3))
    if term.key == "sla.sales.first_response_hours":
        return ", ".join(f"{v:g}" for v in sorted({*TARGET_SWEEP, float(value)}))
    if term.key == "team.ignore_share":
        return ", ".join(f"{v:g}" for v in (0, 10, 20, 30))
    if term.key == "sla.sales.alert_at":
        return ", ".join(f"{v:g}" for v in (25, 50, 75, 100))
    if term.key == "team.attrition_per_month":
        return ", ".join(f"{v:g}" for v in (0, 1, 2, 3, 5))
    if term.key == "team.time_off_days_per_year":
        return ", ".join(f"{v:g}" for v in (0, 10, 20, 30))
    if term.key == "team.backfill_days":
        return ", ".join(f"{v:g}" for v in (15, 30, 60, 90))
    if term.kind == "share":
        return ", ".join(f"{v:g}" for v in (30, 50, 70, 90))
    if term.kind == "int":
        return ", ".join(str(v) for v in range(max(1, int(value) - 2), int(value) + 3))
    return ", ".join(f"{float(value) * f:g}" for f in (0.5, 0.75, 1, 1.25, 1.5))


def sweep_values(term: Term, text: str) -> list[Any]:
    """The values typed for a swept term, as `sla-sim sweep --set` reads them (`4, 6, 8` or
    `LO:HI[:STEP]`); shares are typed in percent."""
    values = parse_values(text)
    if not values or not all(isinstance(v, int | float) for v in values):
        raise ValueError(f"{text!r}: give numbers separated by commas, or LO:HI[:STEP]")
    if term.kind == "share":
        return [round(v / 100, 4) for v in values]
    return [int(v) for v in values] if term.kind == "int" else [float(v) for v in values]


def sweep_start(scenarios: list[Scenario]) -> int:
    """The candidate a trade-off sweep starts from: the first whose simulation reads its
    response target (one that enforces it), else the first."""
    return next((i for i, s in enumerate(scenarios) if reads_target(s)), 0)


def sweep_terms(scenario: Scenario) -> tuple[str, str]:
    """Two terms to sweep that both change what happens in this scenario: reps and the response
    target when the simulation reads it, else reps and the handoffs nobody picks up."""
    second = "sla.sales.first_response_hours" if reads_target(scenario) else "team.ignore_share"
    return "team.reps", second
