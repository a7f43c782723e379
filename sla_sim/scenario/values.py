"""The plain values of a scenario file, typed: a number is a finite TOML number (never text or
true/false), a whole number may be written 6.0, a flag is true or false, a date is a TOML date or
the same date as text (`"2027-01-04"`, as variants and the app give it).

Pydantic's lax conversions (`"2"` to 2, `true` to 1) would hide a mistake in the file, and inf or
nan would only fail once a run starts; each type here refuses them with the file's words.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, Field, Strict

LARGEST = 1e9  # the largest magnitude of a distribution's parameter or value
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def finite(value: Any, what: str = "a number") -> float:
    """`value` as a float when it is a finite number (a numpy one too, from code); ValueError
    otherwise, true and false included."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"must be {what}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _number(value: Any) -> Any:
    return finite(value)


def _whole(value: Any) -> Any:
    number = finite(value, "a whole number")
    return int(value) if isinstance(value, numbers.Integral) else number


def _day(example: str) -> Any:
    def check(value: Any) -> dt.date:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"must be a date like {example}") from None
        if isinstance(value, dt.datetime):
            raise ValueError(f"must be a date like {example}, without a time")
        if not isinstance(value, dt.date):
            raise ValueError(f"must be a date like {example}")
        if not FIRST_DAY <= value <= LAST_DAY:
            raise ValueError(f"must be a date from {FIRST_DAY} to {LAST_DAY}")
        return value

    return check


Number = Annotated[float, BeforeValidator(_number)]
Whole = Annotated[int, BeforeValidator(_whole)]
Flag = Annotated[bool, Strict()]
Text = Annotated[str, Strict()]
Day = Annotated[dt.date, BeforeValidator(_day("2027-01-04"))]
Holiday = Annotated[dt.date, BeforeValidator(_day("2027-09-07"))]
Parameter = Annotated[Number, Field(ge=-LARGEST, le=LARGEST)]
