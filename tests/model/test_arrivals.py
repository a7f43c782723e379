"""The lead population: arrivals per month and per hour of the week, fits, hand-raisers, nurture.

Statistical checks use fixed seeds and tolerances from the sample's own (or the Poisson / binomial)
standard error.
"""

from __future__ import annotations

import copy
import itertools
import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from sla_sim.model.leads import arrival_times, cumulative_intensity, draw_leads, time_to_mql
from sla_sim.model.streams import Streams
from sla_sim.model.world import build_world
from sla_sim.scenario.file import parse_scenario
from sla_sim.scenario.schema import Nurture, Scenario

from conftest import SIMPLE, merged, scenario_from

REPS = 40
Z = 4.0
GROWING = {
    "sources.0.leads_per_month": 300,
    "sources.0.growth_per_month": 0.1,
    "scenario.months": 12,
}
OFFICE = {"calendar.always_open": False}  # Monday to Friday, 09:00-18:00
BETA_FIT = {"dist": "beta", "a": 2, "b": 4}


def arrivals(scenario: Scenario, replication: int, source: int = 0, seed: int = 1) -> np.ndarray:
    world = build_world(scenario)
    return arrival_times(
        scenario.sources[source], world.calendar, world.month_bounds, Streams(seed, replication)
    )


def leads_of(scenario: Scenario, replication: int = 0, seed: int = 1) -> Any:
    world = build_world(scenario)
    return draw_leads(scenario, world.calendar, world.month_bounds, Streams(seed, replication))


def open_mask(calendar: Any, t: np.ndarray) -> np.ndarray:
    return np.array([calendar.is_open(x) for x in t], dtype=bool)


def with_sources(*sources: dict[str, Any], **overrides: Any) -> Scenario:
    document = merged(SIMPLE, **overrides)
    document["sources"] = [copy.deepcopy(s) for s in sources]
    return parse_scenario(document, "test")


# --- volume per calendar month -----------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [{}, {**OFFICE, "sources.0.arrival": "business"}, {**OFFICE, "sources.0.arrival": "flat"}],
    ids=["always-open", "business", "flat-office-calendar"],
)
def test_mean_arrivals_per_month_follow_volume_and_growth(overrides: dict[str, Any]) -> None:
    scenario = scenario_from(**GROWING, **overrides)
    bounds = build_world(scenario).month_bounds
    counts = np.array([np.histogram(arrivals(scenario, r), bins=bounds)[0] for r in range(REPS)])
    expected = 300 * 1.1 ** np.arange(12)
    poisson_se = np.sqrt(expected / REPS)
    assert np.all(np.abs(counts.mean(axis=0) - expected) < Z * poisson_se)
    # Counts are Poisson: the dispersion statistic is chi-square with REPS * 12 degrees of freedom.
    dispersion = float(np.sum((counts - expected) ** 2 / expected))
    assert stats.chi2.sf(dispersion, counts.size) > 0.001
    assert stats.chi2.cdf(dispersion, counts.size) > 0.001


def test_cumulative_intensity_reaches_the_expected_total() -> None:
    for overrides in ({}, {**OFFICE, "sources.0.arrival": "business"}):
        scenario = scenario_from(**GROWING, **overrides)
        world = build_world(scenario)
        knots, counts = cumulative_intensity(
            scenario.sources[0], world.calendar, world.month_bounds
        )
        assert knots[0] == 0.0
        assert knots[-1] == pytest.approx(world.horizon)
        assert np.all(np.diff(counts) >= 0)
        month_totals = np.diff(np.interp(world.month_bounds, knots, counts))
        assert np.allclose(month_totals, 300 * 1.1 ** np.arange(12), rtol=1e-9)


# --- shape over the hours of the week ----------------------------------------------------------


@pytest.mark.parametrize("share", [None, 0.5, 0.95])
def test_business_arrivals_put_business_share_inside_open_hours(share: float | None) -> None:
    overrides: dict[str, Any] = {
        **OFFICE,
        "calendar.holidays": ["2027-01-18", "2027-02-15"],
        "sources.0.arrival": "business",
        "sources.0.leads_per_month": 1000,
    }
    if share is not None:
        overrides["sources.0.business_share"] = share
    expected = 0.8 if share is None else share
    scenario = scenario_from(**overrides)
    world = build_world(scenario)
    inside = np.zeros(3)
    total = np.zeros(3)
    for r in range(REPS):
        t = arrivals(scenario, r)
        month = np.searchsorted(world.month_bounds, t, side="right") - 1
        inside += np.bincount(month, weights=open_mask(world.calendar, t), minlength=3)
        total += np.bincount(month, minlength=3)
    observed = inside / total
    se = np.sqrt(expected * (1 - expected) / total)
    assert np.all(np.abs(observed - expected) < Z * se)


def test_flat_arrivals_put_open_hours_share_inside_open_hours() -> None:
    scenario = scenario_from(
        **OFFICE,
        **{"calendar.holidays": ["2027-01-18"], "sources.0.leads_per_month": 1000},
    )
    world = build_world(scenario)
    cal, bounds = world.calendar, world.month_bounds
    inside = np.zeros(3)
    total = np.zeros(3)
    for r in range(REPS):
        t = arrivals(scenario, r)
        month = np.searchsorted(bounds, t, side="right") - 1
        inside += np.bincount(month, weights=open_mask(cal, t), minlength=3)
        total += np.bincount(month, minlength=3)
    # Flat: each month's rate is uniform over its hours, so its open share is open / all hours.
    expected = np.array(
        [cal.open_hours_between(a, b) / (b - a) for a, b in itertools.pairwise(bounds)]
    )
    se = np.sqrt(expected * (1 - expected) / total)
    assert np.all(np.abs(inside / total - expected) < Z * se)
    overall = cal.open_hours_between(0, bounds[-1]) / bounds[-1]
    assert np.sum(inside) / np.sum(total) == pytest.approx(
        overall, abs=Z * np.sqrt(0.25 / total.sum())
    )


def test_flat_arrivals_are_uniform_within_a_month() -> None:
    scenario = scenario_from(**{"sources.0.leads_per_month": 2000, "scenario.months": 1})
    t = arrivals(scenario, 0)
    horizon = build_world(scenario).horizon
    assert stats.kstest(t / horizon, "uniform").pvalue > 0.001


# --- order and range ---------------------------------------------------------------------------


def test_arrival_times_are_sorted_per_source_and_inside_the_horizon() -> None:
    business = {
        "name": "Demo requests",
        "leads_per_month": 200,
        "hand_raiser_share": 1.0,
        "fit": BETA_FIT,
        "arrival": "business",
    }
    flat = {
        "name": "Content downloads",
        "leads_per_month": 500,
        "growth_per_month": 0.1,
        "fit": BETA_FIT,
        "arrival": "flat",
    }
    scenario = with_sources(business, flat, **OFFICE, **{"scenario.months": 6})
    horizon = build_world(scenario).horizon
    for r in range(5):
        leads = leads_of(scenario, r)
        for s in (0, 1):
            mine = leads.source == s
            t = leads.arrival[mine]
            assert len(t) > 0
            assert np.all(np.diff(t) >= 0)
            assert t.min() >= 0.0
            assert t.max() < horizon
            assert np.array_equal(leads.local_id[mine], np.arange(len(t)))
            assert np.array_equal(t, arrivals(scenario, r, source=s))
        assert np.all(leads.fit >= 0.0)
        assert np.all(leads.fit <= 1.0)


def test_a_source_with_no_volume_brings_no_lead() -> None:
    scenario = scenario_from(**{"sources.0.leads_per_month": 0})
    assert len(arrivals(scenario, 0)) == 0


# --- common random numbers ---------------------------------------------------------------------

REQUESTS = {
    "name": "Requests",
    "leads_per_month": 150,
    "growth_per_month": 0.05,
    "hand_raiser_share": 0.3,
    "fit": BETA_FIT,
    "arrival": "business",
}
WEBINARS = {
    "name": "Webinars",
    "leads_per_month": 400,
    "hand_raiser_share": 0.1,
    "fit": {"dist": "uniform", "low": 0, "high": 1},
    "arrival": "flat",
}
NURTURE = {"nurture.touches_per_week": {"dist": "gamma", "mean": 0.6, "cv": 1.0}}
FIELDS = ("arrival", "fit", "hand_raiser", "touch_rate", "mql_time", "score")


@pytest.mark.parametrize("order", ["appended", "prepended"])
def test_adding_a_source_does_not_change_the_first_sources_leads(order: str) -> None:
    alone = with_sources(REQUESTS, **OFFICE, **NURTURE)
    pair = (REQUESTS, WEBINARS) if order == "appended" else (WEBINARS, REQUESTS)
    together = with_sources(*pair, **OFFICE, **NURTURE)
    index = pair.index(REQUESTS)
    for r in range(3):
        a, b = leads_of(alone, r), leads_of(together, r)
        mine = b.source == index
        assert mine.sum() == len(a) > 0
        for field in FIELDS:
            assert np.array_equal(getattr(a, field), getattr(b, field)[mine]), field


def test_raising_volume_keeps_the_first_leads_the_same_people() -> None:
    small = with_sources(REQUESTS, **NURTURE)
    large = with_sources({**REQUESTS, "leads_per_month": 450}, **NURTURE)
    a, b = leads_of(small), leads_of(large)
    n = len(a)
    assert len(b) > n > 0
    for field in ("fit", "hand_raiser", "touch_rate"):
        assert np.array_equal(getattr(a, field), getattr(b, field)[:n]), field
    # The time from arrival to MQL belongs to the lead, not to the volume.
    delay_small, delay_large = a.mql_time - a.arrival, b.mql_time[:n] - b.arrival[:n]
    assert np.array_equal(np.isinf(delay_small), np.isinf(delay_large))
    assert np.allclose(delay_small, delay_large, rtol=1e-9, atol=1e-9)


def test_replications_and_seeds_differ() -> None:
    scenario = scenario_from(**{"sources.0.fit": BETA_FIT})
    base = leads_of(scenario, 0, seed=1)
    for other in (leads_of(scenario, 1, seed=1), leads_of(scenario, 0, seed=2)):
        n = min(len(base), len(other))
        assert not np.array_equal(base.fit[:n], other.fit[:n])
        assert not np.array_equal(base.arrival[:n], other.arrival[:n])
    again = leads_of(scenario, 0, seed=1)
    for field in FIELDS:
        assert np.array_equal(getattr(base, field), getattr(again, field))


# --- hand-raisers ------------------------------------------------------------------------------


def test_hand_raisers_become_mqls_on_arrival() -> None:
    leads = leads_of(scenario_from(**{"sources.0.fit": BETA_FIT}))
    assert len(leads) > 0
    assert np.all(leads.hand_raiser)
    assert np.array_equal(leads.mql_time, leads.arrival)


def test_hand_raiser_share_and_nurtured_leads() -> None:
    scenario = scenario_from(
        **{"sources.0.hand_raiser_share": 0.3, "sources.0.leads_per_month": 3000}, **NURTURE
    )
    leads = leads_of(scenario)
    n = len(leads)
    assert abs(leads.hand_raiser.mean() - 0.3) < Z * math.sqrt(0.3 * 0.7 / n)
    raised = leads.hand_raiser
    assert np.array_equal(leads.mql_time[raised], leads.arrival[raised])
    assert np.all(leads.mql_time[~raised] >= leads.arrival[~raised])
    # Hand-raisers rank above every nurtured score.
    assert leads.score[raised].min() > leads.score[~raised].max()


# --- nurture: time to MQL ----------------------------------------------------------------------


def nurture(**kwargs: Any) -> Nurture:
    defaults: dict[str, Any] = {
        "fit_points": 50.0,
        "points_per_touch": 8.0,
        "points_half_life_days": 21.0,
        "max_days": 120.0,
    }
    return Nurture(**{**defaults, **kwargs})


KEY = Streams(seed=1, replication=0).key("touch", "Requests")


def test_a_lead_whose_fit_reaches_the_threshold_qualifies_at_once() -> None:
    fit = np.array([1.0, 0.6, 0.59, 0.2, 0.0])
    rate = np.zeros(5)
    delay, score = time_to_mql(nurture(fit_points=100.0), 60.0, fit, rate, KEY, np.arange(5))
    assert list(delay[:2]) == [0.0, 0.0]
    assert np.all(np.isinf(delay[2:]))
    assert score[:2] == pytest.approx([100.0, 60.0])


def test_without_touches_a_lead_below_the_threshold_never_qualifies() -> None:
    n = 1_000
    fit = np.random.default_rng(4).uniform(0, 1, n)
    delay, _ = time_to_mql(nurture(fit_points=50.0), 60.0, fit, np.zeros(n), KEY, np.arange(n))
    assert np.all(np.isinf(delay))


def test_one_big_touch_qualifies_at_the_first_touch() -> None:
    n = 100_000
    rate = 2.0  # touches per week
    fit = np.zeros(n)
    delay, score = time_to_mql(
        nurture(points_per_touch=60.0, max_days=1e5), 60.0, fit, np.full(n, rate), KEY, np.arange(n)
    )
    assert np.all(np.isfinite(delay))
    assert np.all(delay > 0)
    assert np.allclose(score, 60.0)
    mean = 168.0 / rate
    assert abs(delay.mean() - mean) < Z * mean / math.sqrt(n)
    assert abs(delay.mean() - mean) < Z * delay.std(ddof=1) / math.sqrt(n)
    assert stats.kstest(delay, "expon", args=(0, mean)).pvalue > 0.001


def test_first_touch_time_scales_with_each_leads_own_rate() -> None:
    n = 100_000
    rate = np.random.default_rng(8).gamma(1.0, 0.6, n) + 0.05
    delay, _ = time_to_mql(
        nurture(points_per_touch=100.0, max_days=1e6), 60.0, np.zeros(n), rate, KEY, np.arange(n)
    )
    scaled = delay * rate / 168.0  # Exp(1) for every lead
    assert abs(scaled.mean() - 1.0) < Z / math.sqrt(n)
    assert stats.kstest(scaled, "expon").pvalue > 0.001


def test_no_lead_qualifies_after_max_days() -> None:
    n = 20_000
    rng = np.random.default_rng(12)
    fit = rng.beta(2, 4, n)
    rate = rng.gamma(1.0, 0.6, n)
    ids = np.arange(n)
    short, _ = time_to_mql(nurture(max_days=30.0), 60.0, fit, rate, KEY, ids)
    long, _ = time_to_mql(nurture(max_days=3650.0), 60.0, fit, rate, KEY, ids)
    window = 30.0 * 24.0
    finite = np.isfinite(short)
    assert finite.any()
    assert np.all(short[finite] <= window)
    assert np.any(np.isfinite(long) & (long > window))  # the window matters for these leads
    # The window cuts leads off; it does not change the path of those who qualify in time.
    assert np.array_equal(short, np.where(long <= window, long, np.inf))


def test_need_touch_never_qualifies_at_zero() -> None:
    n = 50_000
    rate = 1.5
    fit = np.ones(n)  # fit alone is above the threshold
    ids = np.arange(n)
    nur = nurture(fit_points=100.0, max_days=1e5)
    delay, _ = time_to_mql(nur, 60.0, fit, np.full(n, rate), KEY, ids, need_touch=True)
    assert np.all(delay > 0)
    # Any touch lifts the score over the threshold: the delay is the first touch.
    mean = 168.0 / rate
    assert abs(delay.mean() - mean) < Z * mean / math.sqrt(n)
    still, _ = time_to_mql(nur, 60.0, fit, np.zeros(n), KEY, ids, need_touch=True)
    assert np.all(np.isinf(still))


def _reference_time_to_mql(
    rng: np.random.Generator, fit: np.ndarray, rate: float, nur: Nurture, threshold: float
) -> np.ndarray:
    """An independent walk of the score: Poisson touches, points halving every half-life."""
    n = len(fit)
    delay = np.full(n, np.inf)
    base = fit * nur.fit_points
    delay[base >= threshold] = 0.0
    clock, points = np.zeros(n), np.zeros(n)
    active = np.isinf(delay)
    half_life, window = nur.points_half_life_days * 24.0, nur.max_days * 24.0
    while active.any():
        gap = rng.exponential(168.0 / rate, n)
        clock = np.where(active, clock + gap, clock)
        points = np.where(active, points * 0.5 ** (gap / half_life) + nur.points_per_touch, points)
        hit = active & (clock <= window) & (base + points >= threshold)
        delay[hit] = clock[hit]
        active &= ~hit & (clock <= window)
    return delay


def test_score_with_fading_points_matches_an_independent_walk() -> None:
    n = 40_000
    nur = nurture(fit_points=50.0, points_per_touch=8.0, points_half_life_days=7.0, max_days=120.0)
    fit = np.random.default_rng(21).beta(2, 4, n)
    rate = 1.0
    model, _ = time_to_mql(nur, 60.0, fit, np.full(n, rate), KEY, np.arange(n))
    reference = _reference_time_to_mql(np.random.default_rng(22), fit, rate, nur, 60.0)
    p_model, p_ref = np.isfinite(model).mean(), np.isfinite(reference).mean()
    pooled = (p_model + p_ref) / 2
    assert 0.05 < pooled < 0.95  # the threshold binds: fading matters
    assert abs(p_model - p_ref) < Z * math.sqrt(2 * pooled * (1 - pooled) / n)
    assert (
        stats.ks_2samp(model[np.isfinite(model)], reference[np.isfinite(reference)]).pvalue > 0.001
    )
