"""Calibrate the decay presets of sla_sim/decay.py to the published speed-to-lead ratios.

    .venv/bin/python scripts/calibrate_decay.py

With reps always free, the calendar always open and the default cadence (attempts at 0, 4, 28, 76,
148 and 244 hours after the first, connect_prob 0.45, fit 1), a lead first attempted at age a0 is
contacted on attempt k with probability S_k * p * connect(a0 + offset_k) and then qualifies with
qualify(a0 + offset_k), so its chance of ending up an opportunity is a sum over the six attempts.
This script averages that chance over the first-attempt ages of each study's buckets, solves the
free parameters of each preset for the published ratios, and prints the tables to put in decay.py
and the ratios the shipped presets give. The model reproduces them by simulation in
tests/test_decay.py.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from sla_sim.model.decay import MINUTE, PRESETS, Curve, Table

CONNECT_PROB = 0.45
OFFSETS = np.cumsum([0.0, 4.0, 24.0, 48.0, 72.0, 96.0])


def opportunity_chance(connect: Curve, qualify: Curve, first_ages: np.ndarray) -> np.ndarray:
    ages = first_ages[:, None] + OFFSETS[None, :]
    contact = CONNECT_PROB * connect.multiplier(ages)
    before = np.cumprod(np.hstack([np.ones((len(first_ages), 1)), 1 - contact[:, :-1]]), axis=1)
    return (before * contact * qualify.multiplier(ages)).sum(axis=1)


def bucket(low: float, high: float, points: int = 4001) -> np.ndarray:
    return np.linspace(low, high, points)[:-1] + (high - low) / (2 * (points - 1))


def ratio(connect: Curve, qualify: Curve, a: tuple[float, float], b: tuple[float, float]) -> float:
    pa = opportunity_chance(connect, qualify, bucket(*a)).mean()
    pb = opportunity_chance(connect, qualify, bucket(*b)).mean()
    return float(pa / pb)


def contact_ratio(connect: Curve, a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(connect.multiplier(bucket(*a)).mean() / connect.multiplier(bucket(*b)).mean())


LRM_FAST, LRM_SLOW = (0.0, 5 * MINUTE), (30 * MINUTE, 35 * MINUTE)
HBR_HOUR, HBR_NEXT, HBR_DAY = (0.0, 1.0), (1.0, 2.0), (24.0, 48.0)


def calibrate_lrm() -> tuple[Table, Table]:
    connect = Table((0.0, 5 * MINUTE, 30 * MINUTE), (1.0, 1.0, 0.01))

    def gap(later: float) -> float:
        qualify = Table((0.0, 30 * MINUTE, 4.0), (1.0, 1.0, later))
        return ratio(connect, qualify, LRM_FAST, LRM_SLOW) - 21.0

    later = optimize.brentq(gap, 0.05, 1.0, xtol=1e-6)
    return connect, Table((0.0, 30 * MINUTE, 4.0), (1.0, 1.0, round(later, 4)))


def hbr_qualify(rate: float, day: float) -> Table:
    """Exponential fall at `rate` per hour for the first 1.5 h, then on to `day` at 24 h."""
    knots = (0.0, 0.5, 1.0, 1.5)
    values = tuple(float(np.exp(-rate * t)) for t in knots)
    return Table((*knots, 24.0), (*values, min(float(day), values[-1])))


def calibrate_hbr() -> tuple[Table, Table]:
    """Solve the early rate for the 7x and the 24-hour level for the 60x, alternately."""
    connect = Table((0.0,), (1.0,))
    rate, day = 1.9, 0.007

    def next_hour_gap(r: float, d: float) -> float:
        return ratio(connect, hbr_qualify(r, d), HBR_HOUR, HBR_NEXT) - 7.0

    def next_day_gap(d: float, r: float) -> float:
        return ratio(connect, hbr_qualify(r, d), HBR_HOUR, HBR_DAY) - 60.0

    for _ in range(30):
        rate = optimize.brentq(next_hour_gap, 0.1, 10.0, args=(day,))
        day = optimize.brentq(next_day_gap, 1e-5, 0.05, args=(rate,))
    qualify = hbr_qualify(rate, day)
    rounded = Table(qualify.age_hours, tuple(round(float(v), 4) for v in qualify.multipliers))
    return connect, rounded


def main() -> None:
    for name, (connect, qualify) in (("lrm2007", calibrate_lrm()), ("hbr2011", calibrate_hbr())):
        print(f"{name}: connect {connect}\n         qualify {qualify}")
        if name == "hbr2011":
            print(
                f"  gives {ratio(connect, qualify, HBR_HOUR, HBR_NEXT):.2f}x and "
                f"{ratio(connect, qualify, HBR_HOUR, HBR_DAY):.1f}x"
            )
    lrm_c, lrm_q = PRESETS["lrm2007"]
    hbr_c, hbr_q = PRESETS["hbr2011"]
    print("shipped presets give:")
    print(
        f"  lrm2007 contact, first 5 min vs 30-35 min: {contact_ratio(lrm_c, LRM_FAST, LRM_SLOW):.1f} (100)"
    )
    print(
        f"  lrm2007 qualified, first 5 min vs 30-35 min: {ratio(lrm_c, lrm_q, LRM_FAST, LRM_SLOW):.2f} (21)"
    )
    print(
        f"  hbr2011 qualified, [0,1) h vs [1,2) h: {ratio(hbr_c, hbr_q, HBR_HOUR, HBR_NEXT):.2f} (7)"
    )
    print(
        f"  hbr2011 qualified, [0,1) h vs [24,48) h: {ratio(hbr_c, hbr_q, HBR_HOUR, HBR_DAY):.1f} (60)"
    )


if __name__ == "__main__":
    main()
