"""Every number a person reads, worded in one place: by the unit of its metric (14 deals, 31%,
$1.2M, 4.5 h), with intervals, signed differences, shares, hours, money and counts. Money is in
the scenario's currency (`costs.currency`, an ISO 4217 code), its symbol as English writes it
(Babel's data): $1.2M, €1.2M, R$1.2M, CHF 1.2M.

Negative numbers carry one minus sign, U+2212 ("−"), the sign the charts' d3-format uses too; the
chart formats are here as well, so a table and a chart word a number alike.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from babel.numbers import get_currency_precision, get_currency_symbol

from sla_sim.analysis.metrics import BY_KEY
from sla_sim.scenario.calendar import add_months

MINUS = "\u2212"
MISSING = "n/a"
LOCALE = "en"  # the language of every word and symbol shown
DOLLARS = "USD"  # the currency when a scenario names none


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


def _sign(value: float) -> str:
    return "+" if value > 0 else MINUS if value < 0 else "±"


def is_missing(value: Any) -> bool:
    """None or NaN: a value no replication produced."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def unit_of(key: str) -> str:
    """The unit of metric `key`; a key that is no metric counts."""
    return BY_KEY[key].unit if key in BY_KEY else "count"


def number(value: float) -> str:
    """A plain number: whole with thousands separators, else to four significant digits."""
    value = float(value)
    if value.is_integer() or abs(value) >= 1000:
        return _minus(f"{value:,.0f}")
    return _minus(f"{value:.4g}")


def count(value: float, whole: bool | None = None) -> str:
    """A count: whole from ten up, else two significant digits; `whole` forces whole numbers
    (True) or one decimal, trailing zeros dropped (False)."""
    if whole is None:
        whole = abs(value) >= 10
        if not whole:
            return _minus(f"{value:.2g}")
    if whole:
        return _minus(f"{value:,.0f}")
    return _minus(f"{value:,.1f}".rstrip("0").rstrip("."))


def tenths(value: float) -> str:
    """A mean count to one decimal ("1,234.5")."""
    return _minus(f"{value:,.1f}")


def share(value: float, decimals: int = 1) -> str:
    """A share as a percentage; one more decimal below 1%, so a small share does not read 0%."""
    places = decimals + (0 < abs(value) < 0.01)
    return _minus(f"{value:.{places}%}")


def share_as_set(value: float) -> str:
    """A share as a person sets it, its decimals only if it has them (up to two): "3%", "3.5%"."""
    return _minus(f"{round(value * 100, 2):g}%")


def signed_share(value: float) -> str:
    """A relative change as a whole percentage with its sign ("+12%", "−5%")."""
    return _sign(value) + share(abs(value), 0)


def points(value: float, decimals: int = 1) -> str:
    """A difference of two shares in percentage points, unsigned ("2.7 pts")."""
    return _minus(f"{value * 100:.{decimals}f} pts")


def currency_symbol(currency: str = DOLLARS) -> str:
    """The symbol written before an amount: "$", "€", "R$"; a symbol of letters is spaced from
    the figure ("CHF 12")."""
    symbol = get_currency_symbol(currency, locale=LOCALE)
    return symbol + ("\u00a0" if symbol[-1:].isalpha() else "")


def money(value: float, currency: str = DOLLARS, exact: bool = False) -> str:
    """Money rounded to three significant digits with k, M or B ("$1.2M", "−€850"); `exact`:
    whole amounts with thousands separators, others to the currency's cents ("$8,500", "$12.50")."""
    sign = "" if value >= 0 else MINUS
    size = abs(value)
    symbol = currency_symbol(currency)
    if exact:
        places = 0 if float(size).is_integer() else get_currency_precision(currency)
        return f"{sign}{symbol}{size:,.{places}f}"
    rounded = float(f"{size:.3g}")  # first, so $999.5k is $1M, not $1e+03k
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if rounded >= limit:
            return f"{sign}{symbol}{rounded / limit:.3g}{suffix}"
    return f"{sign}{symbol}{size:,.0f}"


def money_title(title: str, currency: str = DOLLARS) -> str:
    """A heading of amounts with their symbol: "Revenue ($)"."""
    return f"{title} ({currency_symbol(currency).strip()})"


def hours(value: float) -> str:
    """A duration given in hours, in the unit that reads best ("4.5 h", "30 min", "20 s")."""
    if 0 < abs(value) < 1 / 60:
        return _minus(f"{value * 3600:.0f} s")
    if abs(value) < 1:
        return _minus(f"{value * 60:.0f} min")
    return _minus(f"{value:.3g} h" if abs(value) < 100 else f"{value:,.0f} h")


def hours_adjective(value: float) -> str:
    """A duration before a noun: "a 1-hour response", "a 30-minute response"."""
    value = float(value)
    if value < 1:
        return f"{number(round(value * 60))}-minute"
    return f"{number(value)}-hour"


def hours_list(values: Iterable[float]) -> str:
    """Several durations in hours: "4, 24, 48 h"."""
    return ", ".join(number(v) for v in values) + " h"


def clock_time(hour: float) -> str:
    """An hour of the day as a clock reads it: 9.5 is "9:30"."""
    whole, minutes = divmod(round(float(hour) * 60), 60)
    return f"{whole}:{minutes:02d}"


def hour_blocks(blocks: Iterable[Iterable[float]]) -> str:
    """Blocks of the day, [start, end] hours: "10:00–11:30 and 15:00–16:00"."""
    spans = [f"{clock_time(a)}–{clock_time(b)}" for a, b in blocks]
    return ", ".join(spans[:-1]) + " and " + spans[-1] if len(spans) > 1 else "".join(spans)


def month_name(start: dt.date, month: int) -> str:
    """Month `month` of a horizon that starts on `start` (1 is the first), as "Mar 2027"."""
    return f"{add_months(start, month - 1):%b %Y}"


def period_name(start: dt.date, by: str) -> str:
    """A calendar month ("Mar 2027") or a week by its Monday ("1 Mar 2027"), as a review's
    period reads."""
    if by == "week":
        return f"{start.day} {start:%b %Y}"
    return f"{start:%b %Y}"


def multiple(value: float) -> str:
    """How many times a base value ("2.35 times")."""
    return _minus(f"{value:.2f} times")


def format_value(key: str, value: float, currency: str = DOLLARS) -> str:
    """One value of metric `key`, rounded for a reader (money in `currency`)."""
    if is_missing(value):
        return MISSING
    unit = unit_of(key)
    if unit == "share":
        return share(value)
    if unit == "money":
        return money(value, currency)
    if unit == "hours":
        return hours(value)
    if unit == "months":
        return _minus(f"{value:.1f}")
    if unit == "leads":
        return f"{count(value)} leads"
    return count(value)


def format_interval(key: str, mean: float, low: float, high: float, currency: str = DOLLARS) -> str:
    """`mean ± half-width` of a symmetric interval, or the mean alone when it has no width."""
    shown = format_value(key, mean, currency)
    if is_missing(low) or is_missing(high) or low == high:
        return shown
    half = (high - low) / 2
    if unit_of(key) == "share":
        return (
            f"{shown} ± {half * 100:.2g} pts" if half < 0.1 else f"{shown} ± {half * 100:.0f} pts"
        )
    return f"{shown} ± {format_value(key, half, currency)}"


SAME_EVERY_TIME = "every replication"
NEVER_NEGATIVE = ("count", "share", "hours", "leads", "months")  # units no replication goes below 0
NO_DIFFERENCE = "no difference"


def format_range(key: str, mean: float, low: float, high: float, currency: str = DOLLARS) -> str:
    """'14 (9–19)': the mean and its 95% interval; '0 min (every replication)' when every
    replication gave the same value, so that no interval reads as a missing one."""
    shown = format_value(key, mean, currency)
    if is_missing(low) or is_missing(high):
        return shown
    if low == high:
        return f"{shown} ({SAME_EVERY_TIME})"
    unit = unit_of(key)
    if unit in NEVER_NEGATIVE:  # a t-interval of a near-zero count may reach below zero
        low = max(low, 0.0)
    if unit == "share":
        high = min(high, 1.0)
    return f"{shown} ({format_value(key, low, currency)}–{format_value(key, high, currency)})"


def _unsigned(key: str, value: float, currency: str) -> str:
    if unit_of(key) == "share":
        return points(abs(value))
    return format_value(key, abs(value), currency)


def format_signed(key: str, value: float, currency: str = DOLLARS) -> str:
    """A difference of metric `key`, signed: "+14", "−2.7 pts", "+$1.2M"; one that rounds to
    nothing has no sign ("0", "0.0 pts", "$0")."""
    if is_missing(value):
        return MISSING
    text = _unsigned(key, value, currency)
    if text == _unsigned(key, 0.0, currency):
        return text
    return _sign(value) + text


def format_difference(
    key: str, value: float, low: float, high: float, currency: str = DOLLARS
) -> str:
    """A paired difference with its 95% interval: "+14 (+9 to +19)"; "no difference" when the
    difference and both ends of its interval round to nothing."""
    shown = format_signed(key, value, currency)
    if is_missing(low) or is_missing(high):
        return shown
    zero = _unsigned(key, 0.0, currency)
    if all(format_signed(key, v, currency) == zero for v in (value, low, high)):
        return NO_DIFFERENCE
    if low == high:
        return shown
    return f"{shown} ({format_signed(key, low, currency)} to {format_signed(key, high, currency)})"


def signed_count(value: float, whole: bool | None = None) -> str:
    """A count with its sign ("+3.8", "−12"); see `count` for `whole`."""
    return _sign(value) + count(abs(value), whole)


# d3-format strings for Vega-Lite, which words the numbers of a chart itself (with U+2212 too).
_CHART_FORMATS = {
    "share": ".1%",
    "money": "$,.3s",
    "count": ",.0f",
    "tenths": ",.1f",
    "leads": ",.1f",
    "hours": ",.2~f",
    "months": ",.1f",
    "number": ",.4~g",
}


def chart_format(unit: str, axis: bool = False, currency: str = DOLLARS) -> str:
    """How a chart words a number of this unit; on an axis the ticks set the decimals. d3-format
    writes only the dollar sign, so money in another currency is a plain figure under a heading
    that names its symbol (`money_title`)."""
    fmt = _CHART_FORMATS.get(unit, _CHART_FORMATS["number"])
    if axis:
        fmt = {"share": "%", "money": _CHART_FORMATS["money"]}.get(unit, ",f")
    return fmt.replace("$", "") if unit == "money" and currency != DOLLARS else fmt


def metric_chart_format(key: str, axis: bool = False, currency: str = DOLLARS) -> str:
    """`chart_format` of the unit of metric `key`."""
    return chart_format(unit_of(key), axis, currency)


def format_percent(share: float, decimals: int = 1) -> str:
    """A share as a percentage with a fixed number of decimals: "5.0%"."""
    return _minus(f"{share:.{decimals}%}")


def format_number(value: float, significant: int = 6) -> str:
    """A plain number to a number of significant digits, without trailing zeros: "14", "3.5"."""
    return _minus(f"{value:.{significant}g}")
