"""Numbers rounded for people, by the unit of the metric (14 deals, 31%, $1.2M, 4.5 h)."""

from __future__ import annotations

import math

from sla_sim.analysis.metrics import BY_KEY


def _money(value: float) -> str:
    size = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"${value / limit:.3g}{suffix}"
    return f"${value:,.0f}"


def _hours(value: float) -> str:
    if 0 < abs(value) < 1 / 60:
        return f"{value * 3600:.0f} s"
    if abs(value) < 1:
        return f"{value * 60:.0f} min"
    return f"{value:.3g} h" if abs(value) < 100 else f"{value:,.0f} h"


def _count(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.2g}"


def format_value(key: str, value: float) -> str:
    """One value of metric `key`, rounded for a reader."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    unit = BY_KEY[key].unit if key in BY_KEY else "count"
    if unit == "share":
        return f"{value:.2%}" if abs(value) < 0.01 and value != 0 else f"{value:.1%}"
    if unit == "money":
        return _money(value)
    if unit == "hours":
        return _hours(value)
    if unit == "months":
        return f"{value:.1f}"
    return _count(value)


def format_interval(key: str, mean: float, low: float, high: float) -> str:
    """`mean ± half-width` of a symmetric interval, or the mean alone when it has no width."""
    shown = format_value(key, mean)
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)) or low == high:
        return shown
    half = (high - low) / 2
    unit = BY_KEY[key].unit if key in BY_KEY else "count"
    if unit == "share":
        return (
            f"{shown} ± {half * 100:.2g} pts" if half < 0.1 else f"{shown} ± {half * 100:.0f} pts"
        )
    return f"{shown} ± {format_value(key, half)}"


# --- used by the CLI


def format_signed(key: str, value: float) -> str:
    """A difference of metric `key` with its sign: "+3.2", "-1.5 pts", "±0"."""
    text = format_value(key, abs(value))
    if key in BY_KEY and BY_KEY[key].unit == "share":
        text = f"{abs(value) * 100:.1f} pts"
    return ("+" if value > 0 else "-" if value < 0 else "±") + text


def format_percent(share: float, decimals: int = 1) -> str:
    """A share as a percentage with a fixed number of decimals: "5.0%"."""
    return f"{share:.{decimals}%}"


def format_number(value: float, significant: int = 6) -> str:
    """A plain number to a number of significant digits, without trailing zeros: "14", "3.5"."""
    return f"{value:.{significant}g}"
