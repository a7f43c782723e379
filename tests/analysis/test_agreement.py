"""The backtest's test of agreement: right when the observations come from the simulated
distribution, caught when they do not."""

from __future__ import annotations

import numpy as np

from sla_sim.analysis.agreement import agree_all, agreement, prediction_errors
from sla_sim.analysis.intervals import prediction_band

MONTHS = 12
RUNS = 30


def _runs(seed: int, mean: np.ndarray) -> np.ndarray:
    return np.random.default_rng(seed).poisson(mean, size=(RUNS, len(mean))).astype(float)


def test_the_band_holds_one_more_run_about_95_times_in_100() -> None:
    rng = np.random.default_rng(1)
    mean = np.full(2000, 40.0)
    simulated = rng.normal(mean, 6.0, size=(RUNS, len(mean)))
    one_more = rng.normal(mean, 6.0)
    _, low, high = prediction_band(simulated)
    inside = np.mean((one_more >= low) & (one_more <= high))
    # 2,000 cells: the share inside is within 2 standard errors of 95% (sd 0.5 pts)
    assert abs(inside - 0.95) < 2 * np.sqrt(0.95 * 0.05 / len(mean))


def test_a_month_drawn_from_the_model_agrees_and_a_doubled_one_does_not() -> None:
    mean = np.linspace(20, 60, MONTHS)  # a growing volume
    simulated = _runs(2, mean)
    same = _runs(3, mean)[0]
    assert agreement("deals", same, simulated).agrees
    doubled = _runs(4, 2 * mean)[0]
    result = agreement("deals", doubled, simulated)
    assert not result.agrees
    assert result.outside >= MONTHS // 2


def test_the_errors_are_standard_normal_when_the_model_is_right() -> None:
    rng = np.random.default_rng(5)
    mean = np.full(4000, 100.0)
    z = prediction_errors(rng.normal(mean, 10), rng.normal(mean, 10, size=(RUNS, len(mean))))
    assert abs(np.mean(z)) < 3 / np.sqrt(len(z))
    assert abs(np.std(z) - 1) < 0.05


def test_a_constant_simulation_agrees_only_with_its_constant() -> None:
    simulated = np.zeros((RUNS, 3))
    assert agreement("lost", np.zeros(3), simulated).agrees
    assert not agreement("lost", np.array([0.0, 1.0, 0.0]), simulated).agrees


def test_missing_months_are_not_tested_and_measures_share_the_level() -> None:
    mean = np.full(MONTHS, 30.0)
    observed = _runs(6, mean)[0]
    observed[:3] = np.nan
    result = agreement("leads", observed, _runs(7, mean))
    assert result.cells == MONTHS - 3
    judged = agree_all([("a", observed, _runs(7, mean)), ("b", observed, _runs(8, mean))])
    assert [a.measure for a in judged] == ["a", "b"]
    assert all(a.agrees for a in judged)
