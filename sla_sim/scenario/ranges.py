"""The values of a swept key as written: `4,6,8`, or a range `LO:HI` / `LO:HI:STEP` (the file's
`[sweep]` table, `--set` and `--vary` of the command line, the app's trade-off tab)."""

from __future__ import annotations

import tomllib
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_POINTS = 10_000


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _value(text: str) -> Any:
    """One value as TOML reads it (`6`, `0.5`, `"fifo"`, `true`), or bare text."""
    try:
        return tomllib.loads(f"v = {text.strip()}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text.strip()


def parse_values(text: str) -> list[Any]:
    """`4,6,8`, `LO:HI` (whole numbers from LO to HI) or `LO:HI:STEP` (HI included when hit)."""
    if ":" in text and "," not in text and not text.strip().startswith(("[", "{", '"')):
        found = [_number(p) for p in text.split(":")]
        parts = [p for p in found if p is not None]
        if len(found) not in (2, 3) or len(parts) != len(found):
            raise ValueError(f"{text!r}: a range is LO:HI or LO:HI:STEP with numbers")
        low, high = parts[0], parts[1]
        step = parts[2] if len(parts) == 3 else Decimal(1)
        if len(parts) == 2 and (low != low.to_integral() or high != high.to_integral()):
            raise ValueError(f"{text!r}: LO:HI counts whole numbers; give a step, LO:HI:STEP")
        if step <= 0 or high < low:
            raise ValueError(f"{text!r}: needs LO <= HI and a positive STEP")
        count = int((high - low) / step) + 1
        if count > MAX_POINTS:
            raise ValueError(f"{text!r}: {count} values, more than {MAX_POINTS}")
        values = [low + step * i for i in range(count)]
        whole = all(v == v.to_integral() for v in values) and step == step.to_integral()
        return [int(v) if whole else float(v) for v in values]
    return [_value(item) for item in text.split(",") if item.strip()]
