"""How a lead cools: the multiplier on the connect and qualify chances as it ages.

`age` is hours since the lead became an MQL. A curve is either the SPEC §2 form,
`floor + (1 - floor) * 0.5 ** (age / half_life)`, or a table of (age, multiplier) points joined
exponentially (the logarithm of the multiplier is interpolated linearly; flat beyond the last point).
Every curve is non-increasing, so a draw `u` succeeds against `probability * multiplier(age)` exactly
while the lead is younger than `latest_age(u, probability)`: the model turns each draw into that age
once, in bulk.

Presets reproduce published speed-to-lead results (see `PRESETS`); they are averages over the firms
studied, not a law for any one team.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sla_sim.scenario.schema import Response

INF = np.inf
TINY = 1e-300  # stands for a multiplier of 0 in log space


@dataclass(frozen=True)
class HalfLife:
    """`floor + (1 - floor) * 0.5 ** (age / half_life_hours)`."""

    half_life_hours: float
    floor: float = 0.0

    def multiplier(self, age: np.ndarray) -> np.ndarray:
        age = np.asarray(age, dtype=float)
        return self.floor + (1.0 - self.floor) * np.exp2(-age / self.half_life_hours)

    def latest_age(self, u: np.ndarray, probability: float) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            needed = (np.asarray(u) / probability - self.floor) / (1.0 - self.floor)
            age = -self.half_life_hours * np.log2(needed)
        age = np.where(u < probability * self.floor, INF, age)
        return np.where(u >= probability, -INF, age)


@dataclass(frozen=True)
class Table:
    """Multipliers at given ages, joined exponentially, flat past the last age."""

    age_hours: tuple[float, ...]
    multipliers: tuple[float, ...]

    def __post_init__(self) -> None:
        ages, values = np.asarray(self.age_hours), np.asarray(self.multipliers)
        if len(ages) != len(values) or len(ages) < 1:
            raise ValueError("age_hours and multipliers need the same, non-zero length")
        if np.any(np.diff(ages) <= 0) or np.any(np.diff(values) > 0):
            raise ValueError("ages must increase and multipliers must not increase")

    def _logs(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.age_hours, float), np.log(np.maximum(self.multipliers, TINY))

    def multiplier(self, age: np.ndarray) -> np.ndarray:
        ages, logs = self._logs()
        value = np.exp(np.interp(np.asarray(age, dtype=float), ages, logs))
        return np.where(value <= TINY * 10, 0.0, value)

    def latest_age(self, u: np.ndarray, probability: float) -> np.ndarray:
        ages, logs = self._logs()
        u = np.asarray(u, dtype=float)
        with np.errstate(divide="ignore"):
            level = np.log(u / probability) if probability > 0 else np.full(u.shape, INF)
        # The multiplier falls with age: the draw succeeds until the curve drops to its level.
        crossing = np.interp(level, logs[::-1], ages[::-1])
        crossing = np.where(level >= logs[0], -INF, crossing)
        return np.where(level < logs[-1], INF, crossing)


Curve = HalfLife | Table

MINUTE = 1 / 60

# Lead Response Management study (Oldroyd, MIT/InsideSales, 2007; 15,000 leads, 100,000 calls): the
# odds of contacting a lead are 100 times higher when it is called within 5 minutes than at 30
# minutes, and the odds of qualifying it 21 times higher. Read here as: a first call made in its
# first 5 minutes connects 100 times as often as one made at 30-35 minutes, and a lead first called
# within 5 minutes ends up qualified 21 times as often, with the default cadence of six attempts at
# 4, 24, 48, 72 and 96 hours and connect_prob 0.45 (later attempts rescue some slow starts, which is
# why 21 is less than 100). Calibrated with scripts/calibrate_decay.py.
LRM2007_CONNECT = Table((0.0, 5 * MINUTE, 30 * MINUTE), (1.0, 1.0, 0.01))
LRM2007_QUALIFY = Table((0.0, 30 * MINUTE, 4.0), (1.0, 1.0, 0.7838))

# Oldroyd, McElheran & Elkington, "The Short Life of Online Sales Leads", HBR (March 2011; 1.25M
# leads, 42 firms): firms that tried to contact a lead within an hour were nearly 7 times as likely to
# qualify it as those that tried an hour later, and more than 60 times as likely as those that waited
# 24 hours or longer. Read here as: leads first attempted in [0, 1) h end up qualified 7 times as
# often as leads first attempted in [1, 2) h, and 60 times as often as those first attempted in
# [24, 48) h, with the default cadence and connect_prob 0.45. The study says nothing about contact,
# so contact does not decay. Calibrated with scripts/calibrate_decay.py.
HBR2011_CONNECT = Table((0.0,), (1.0,))
HBR2011_QUALIFY = Table((0.0, 0.5, 1.0, 1.5, 24.0), (1.0, 0.3144, 0.0989, 0.0311, 0.0031))

PRESETS: dict[str, tuple[Curve, Curve]] = {
    "lrm2007": (LRM2007_CONNECT, LRM2007_QUALIFY),
    "hbr2011": (HBR2011_CONNECT, HBR2011_QUALIFY),
}


def decay_curves(response: Response) -> tuple[Curve, Curve]:
    """The connect and qualify decay of a scenario: the half-life form, a preset or a table."""
    decay = response.decay
    if decay == "half_life":
        return (
            HalfLife(response.connect_half_life_hours, response.connect_floor),
            HalfLife(response.qualify_half_life_hours, response.qualify_floor),
        )
    if isinstance(decay, str):
        return PRESETS[decay]
    ages = tuple(decay.age_hours)
    return Table(ages, tuple(decay.connect)), Table(ages, tuple(decay.qualify))
