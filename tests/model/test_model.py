"""The lifecycle of SPEC §2, step by step, in set-ups whose outcome is exact."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sla_sim.analysis.metrics import compute_metrics
from sla_sim.model.events import Event
from sla_sim.model.replication import Replication, run_replication
from sla_sim.model.world import build_world
from sla_sim.scenario.schema import Scenario

from conftest import scenario_from


def run(scenario: Scenario, seed: int = 3, replication: int = 0) -> Replication:
    return run_replication(build_world(scenario), seed, replication)


def events(replication: Replication, *kinds: Event) -> dict[str, np.ndarray]:
    columns = replication.log.columns()
    mask = np.isin(columns["event"], np.array(kinds, dtype=np.int8))
    return {name: values[mask] for name, values in columns.items()}


def test_everything_certain_every_lead_becomes_a_deal(simple: Scenario) -> None:
    replication = run(simple)
    m = compute_metrics(replication)
    assert m["leads"] > 250
    assert m["leads"] == m["mqls"] == m["handed_off"] == m["contacted"] == m["opportunities"]
    pipeline = m["pipeline_value"] / 1000
    assert m["closed_deals"] + pipeline == m["opportunities"]
    assert m["revenue"] == 1000 * m["closed_deals"]
    # Only the leads of the last day are still in their one-day cycle at the horizon.
    late = replication.leads.arrival > replication.world.horizon - 24
    assert pipeline == late.sum()
    assert m["response_hours_mean"] == 0.0
    assert m["response_within_sla"] == 1.0
    assert m["response_breach_rate"] == 0.0
    assert m["backlog_mean"] == 0.0


def test_deals_never_won_and_never_connected() -> None:
    m = compute_metrics(run(scenario_from(**{"deals.win_prob": 0.0})))
    assert m["closed_deals"] == 0
    assert m["revenue"] == 0
    never = scenario_from(**{"response.connect_prob": 0.0})
    m = compute_metrics(run(never))
    assert m["contacted"] == m["opportunities"] == 0
    assert m["leads_never_contacted"] == m["handed_off"]


def test_no_connect_gives_every_lead_its_attempts_at_the_agreed_gaps() -> None:
    gaps = [4.0, 24.0, 48.0]
    scenario = scenario_from(
        **{
            "response.connect_prob": 0.0,
            "sla.sales.min_attempts": 5,
            "sla.sales.retry_gap_hours": gaps,
            "sla.sales.follow_up_window_days": 30,
        }
    )
    replication = run(scenario)
    attempts = events(replication, Event.ATTEMPT)
    horizon = replication.world.horizon
    for lead in np.unique(attempts["lead"]):
        mine = attempts["lead"] == lead
        times = np.sort(attempts["time"][mine])
        # The last gap repeats: 4, 24, 48, 48.
        expected = np.cumsum([0.0, 4.0, 24.0, 48.0, 48.0]) + times[0]
        expected = expected[expected < horizon]
        np.testing.assert_allclose(times, expected)
        assert list(np.sort(attempts["number"][mine])) == list(range(len(expected)))
    ended = events(replication, Event.NO_CONTACT)
    assert (ended["number"] == 5).all()
    assert compute_metrics(replication)["attempt_breach_rate"] == 0.0


def test_a_short_window_cuts_the_cadence_and_counts_as_an_attempt_breach() -> None:
    scenario = scenario_from(
        **{
            "response.connect_prob": 0.0,
            "sla.sales.min_attempts": 6,
            "sla.sales.retry_gap_hours": [24.0],
            "sla.sales.follow_up_window_days": 2.5,
        }
    )
    replication = run(scenario)
    ended = events(replication, Event.NO_CONTACT)
    assert len(ended["lead"]) > 0
    assert (ended["number"] == 3).all()  # attempts at 0, 24 and 48 h fit in 60 h
    assert compute_metrics(replication)["attempt_breach_rate"] == 1.0


def test_recycled_leads_come_back_at_most_max_recycles_times() -> None:
    scenario = scenario_from(
        **{
            "sources.0.hand_raiser_share": 1.0,
            "nurture.points_per_touch": 100.0,
            "nurture.touches_per_week": 50.0,
            "response.connect_prob": 0.0,
            "sla.sales.on_no_contact": "recycle",
            "sla.sales.max_recycles": 2,
            "sla.sales.retry_gap_hours": [1.0],
            "sla.sales.min_attempts": 2,
            "sla.sales.follow_up_window_days": 1,
        }
    )
    replication = run(scenario)
    handoffs = events(replication, Event.HANDOFF)
    per_lead = np.bincount(handoffs["lead"])
    assert per_lead.max() == 3
    assert set(np.unique(handoffs["episode"])) == {0, 1, 2}
    recycled = events(replication, Event.RECYCLED)
    assert np.bincount(recycled["lead"]).max() == 2
    disqualified = events(replication, Event.DISQUALIFIED)
    assert (disqualified["episode"] == 2).all()
    # A recycled lead needs new interest: it is handed back after a new touch, not at once.
    back = {
        (lead, episode + 1): t
        for lead, episode, t in zip(
            recycled["lead"], recycled["episode"], recycled["time"], strict=True
        )
    }
    again = handoffs["episode"] > 0
    returned = zip(
        handoffs["lead"][again], handoffs["episode"][again], handoffs["time"][again], strict=True
    )
    assert all(t > back[(lead, episode)] for lead, episode, t in returned)
    assert compute_metrics(replication)["leads_recycled"] > 0


def test_disqualify_closes_the_lead_after_its_attempts() -> None:
    scenario = scenario_from(
        **{"response.connect_prob": 0.0, "sla.sales.on_no_contact": "disqualify"}
    )
    replication = run(scenario)
    assert len(events(replication, Event.RECYCLED)["lead"]) == 0
    handoffs = events(replication, Event.HANDOFF)
    assert (handoffs["episode"] == 0).all()
    assert len(events(replication, Event.DISQUALIFIED)["lead"]) == len(handoffs["lead"])


def test_sales_rejects_leads_below_the_fit_bar() -> None:
    scenario = scenario_from(
        **{
            "sources.0.fit": {"dist": "uniform", "low": 0.0, "high": 1.0},
            "handoff.accept_min_fit": 0.25,
        }
    )
    replication = run(scenario)
    rejected = events(replication, Event.REJECTED)["lead"]
    handed = events(replication, Event.HANDOFF)["lead"]
    fit = replication.leads.fit
    assert (fit[rejected] < 0.25).all()
    assert (fit[handed] >= 0.25).all()
    m = compute_metrics(replication)
    assert m["acceptance_rate"] == pytest.approx(len(handed) / (len(handed) + len(rejected)))


def test_reps_work_only_in_open_hours() -> None:
    scenario = scenario_from(
        **{
            "calendar.always_open": False,
            "sources.0.arrival": "flat",
            "team.reps": 1,
            "response.connect_prob": 0.0,
            "sla.sales.min_attempts": 3,
            "sla.sales.retry_gap_hours": [5.0],
        }
    )
    replication = run(scenario)
    calendar = replication.world.calendar
    starts = events(replication, Event.ATTEMPT)["time"]
    assert len(starts) > 100
    assert all(calendar.is_open(t) for t in starts)


def test_friday_evening_lead_is_due_monday_morning_on_the_business_clock() -> None:
    scenario = scenario_from(
        **{
            "calendar.always_open": False,
            "sla.sales.clock": "business",
            "sla.sales.first_response_hours": 1,
        }
    )
    world = build_world(scenario)
    friday_1730 = 4 * 24 + 17.5  # 2027-01-08
    assert dt.date(2027, 1, 4) + dt.timedelta(days=4) == dt.date(2027, 1, 8)
    due = float(world.calendar.add_business_hours(friday_1730, 1.0))
    assert due == 7 * 24 + 9.5  # Monday 2027-01-11 09:30


def test_patience_loses_leads_that_wait_too_long() -> None:
    scenario = scenario_from(
        **{
            "team.reps": 1,
            "team.attempt_minutes": 60,
            "response.patience_hours": 0.5,
        }
    )
    replication = run(scenario)
    m = compute_metrics(replication)
    assert m["leads_lost_cold"] > 0
    cold = events(replication, Event.COLD)
    handoffs = events(replication, Event.HANDOFF)
    start = dict(zip(handoffs["lead"], handoffs["time"], strict=True))
    # A lead goes cold exactly when its patience runs out, and is never attempted.
    assert all(
        t == pytest.approx(start[lead] + 0.5)
        for lead, t in zip(cold["lead"], cold["time"], strict=True)
    )
    attempted = set(events(replication, Event.ATTEMPT, Event.CONNECT)["lead"])
    assert not attempted & set(cold["lead"])


def test_fifo_serves_in_order_of_arrival_and_newest_first_does_not() -> None:
    busy = {
        "team.reps": 1,
        "team.attempt_minutes": {"dist": "exponential", "mean": 6.5},
        "sources.0.leads_per_month": 6000,
        "scenario.months": 1,
    }
    fifo = run(scenario_from(**busy))
    first = events(fifo, Event.CONNECT)
    handoff = dict(zip(*(events(fifo, Event.HANDOFF)[k] for k in ("lead", "time")), strict=True))
    order = np.argsort(first["time"], kind="stable")
    handed = np.array([handoff[lead] for lead in first["lead"][order]])
    assert (np.diff(handed) >= 0).all()

    newest = run(scenario_from(**busy, **{"team.priority": "newest_first"}))
    first = events(newest, Event.CONNECT)
    order = np.argsort(first["time"], kind="stable")
    handed = np.array([handoff[lead] for lead in first["lead"][order]])
    assert (np.diff(handed) < 0).any()
    # Newest first serves most leads at once and lets a few wait long: a lower median, a longer
    # worst case (the mean is the same for both orders, by Little's law).
    f, n = compute_metrics(fifo), compute_metrics(newest)
    assert n["response_hours_median"] < f["response_hours_median"]

    def longest_wait(replication: Replication) -> float:
        served = events(replication, Event.CONNECT)
        return max(
            t - handoff[lead] for lead, t in zip(served["lead"], served["time"], strict=True)
        )

    assert longest_wait(newest) > longest_wait(fifo)


def test_highest_score_serves_the_fittest_waiting_lead_first() -> None:
    scenario = scenario_from(
        **{
            "team.reps": 1,
            "team.attempt_minutes": 6.5,
            "team.priority": "highest_score",
            "sources.0.fit": {"dist": "uniform", "low": 0.0, "high": 1.0},
            "sources.0.leads_per_month": 6000,
            "scenario.months": 1,
        }
    )
    replication = run(scenario)
    handoffs = events(replication, Event.HANDOFF)
    start = dict(zip(handoffs["lead"], handoffs["time"], strict=True))
    picks = events(replication, Event.CONNECT, Event.ATTEMPT)
    fit = replication.leads.fit
    checked = 0
    for lead, t in zip(picks["lead"][:300], picks["time"][:300], strict=True):
        waiting = [
            other
            for other, s in start.items()
            if s <= t and other != lead and other not in set(picks["lead"][picks["time"] < t])
        ]
        if waiting:
            assert fit[lead] >= max(fit[w] for w in waiting)
            checked += 1
    assert checked > 50


def test_round_robin_keeps_a_lead_with_its_rep_and_spreads_leads_evenly() -> None:
    scenario = scenario_from(
        **{
            "team.reps": 4,
            "team.routing": "round_robin",
            "response.connect_prob": 0.0,
            "sla.sales.min_attempts": 3,
        }
    )
    replication = run(scenario)
    attempts = events(replication, Event.ATTEMPT)
    for lead in np.unique(attempts["lead"])[:200]:
        assert len(set(attempts["rep"][attempts["lead"] == lead])) == 1
    firsts = attempts["number"] == 0
    counts = np.bincount(attempts["rep"][firsts], minlength=4)
    assert counts.max() - counts.min() <= 1


def test_least_loaded_routing_uses_every_rep() -> None:
    scenario = scenario_from(
        **{"team.reps": 3, "team.routing": "least_loaded", "team.attempt_minutes": 30}
    )
    replication = run(scenario)
    reps = events(replication, Event.CONNECT)["rep"]
    assert set(np.unique(reps)) == {0, 1, 2}


def test_prospecting_share_slows_the_reps() -> None:
    base = {"team.reps": 1, "team.attempt_minutes": 10, "sources.0.leads_per_month": 2000}
    full = compute_metrics(run(scenario_from(**base)))
    half = compute_metrics(run(scenario_from(**base, **{"team.prospecting_share": 0.5})))
    assert half["response_hours_mean"] > full["response_hours_mean"]
    # Utilisation is measured against the prospecting time: half the time, twice the share, up
    # to the attempts cut by the ends of the measured window (at most 10 minutes at each end).
    scenario = scenario_from(**base)
    window = scenario.business_calendar().open_hours_between(
        scenario.scenario.warmup_days * 24.0, scenario.horizon_hours
    )
    edges = 2 * 10 / 60
    assert half["rep_utilization"] == pytest.approx(
        2 * full["rep_utilization"], abs=edges / (0.5 * window)
    )
    assert half["rep_utilization"] != pytest.approx(full["rep_utilization"], rel=0.5)


def test_mql_commitment_counts_short_months() -> None:
    high = compute_metrics(run(scenario_from(**{"sla.marketing.monthly_mql_commitment": 10_000})))
    low = compute_metrics(run(scenario_from(**{"sla.marketing.monthly_mql_commitment": 1})))
    assert high["mql_shortfall_months"] == 3
    assert low["mql_shortfall_months"] == 0


def test_warm_up_leads_are_left_out() -> None:
    replication = run(scenario_from(**{"scenario.warmup_days": 30}))
    m = compute_metrics(replication)
    assert m["leads"] == (replication.leads.arrival >= 30 * 24).sum()
    assert m["leads"] < len(replication.leads)


def test_nurtured_leads_become_mqls_only_above_the_threshold() -> None:
    scenario = scenario_from(
        **{
            "sources.0.hand_raiser_share": 0.0,
            "sources.0.fit": {"dist": "uniform", "low": 0.0, "high": 1.0},
            "nurture.fit_points": 100.0,
            "nurture.touches_per_week": 0.0,
            "sla.marketing.mql_threshold": 70.0,
        }
    )
    replication = run(scenario)
    leads = replication.leads
    mql = np.isfinite(leads.mql_time)
    np.testing.assert_array_equal(mql, leads.fit * 100 >= 70)
    np.testing.assert_array_equal(leads.mql_time[mql], leads.arrival[mql])


def test_sync_delay_postpones_the_handoff() -> None:
    replication = run(scenario_from(**{"handoff.sync_delay_minutes": 30}))
    handoffs = events(replication, Event.HANDOFF)
    arrival = replication.leads.arrival[handoffs["lead"]]
    np.testing.assert_allclose(handoffs["time"] - arrival, 0.5)


def test_opportunities_open_at_the_horizon_are_pipeline() -> None:
    replication = run(scenario_from(**{"deals.cycle_days": 1000}))
    m = compute_metrics(replication)
    assert m["closed_deals"] == 0
    assert m["pipeline_value"] == 1000 * m["opportunities"]


def test_connect_probability_decays_with_the_lead_s_age() -> None:
    fresh = scenario_from(
        **{
            "response.connect_prob": 0.5,
            "response.connect_floor": 0.0,
            "response.connect_half_life_hours": 1.0,
        }
    )
    stale = scenario_from(
        **{
            "response.connect_prob": 0.5,
            "response.connect_floor": 0.0,
            "response.connect_half_life_hours": 1.0,
            "handoff.sync_delay_minutes": 120,
        }
    )
    a, b = compute_metrics(run(fresh)), compute_metrics(run(stale))
    # Two half-lives of waiting divide the connect chance by four.
    assert b["contacted"] < a["contacted"] / 2


@pytest.mark.parametrize("routing", ["shared_queue", "round_robin", "least_loaded"])
def test_booking_fifo_attempts_ahead_equals_waiting_for_the_rep(
    routing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under fifo the desk books each attempt when it falls due; deciding when the rep frees up
    instead (as the other priorities must) gives exactly the same run."""
    from sla_sim.model import desk as model

    scenario = scenario_from(
        **{
            "calendar.always_open": False,
            "sources.0.fit": {"dist": "beta", "a": 2, "b": 2},
            "sources.0.leads_per_month": 1500,
            "team.reps": 3,
            "team.routing": routing,
            "team.prospecting_share": 0.6,
            "team.attempt_minutes": {"dist": "lognormal", "median": 6, "sigma": 0.5},
            "response.connect_prob": 0.4,
            "response.connect_floor": 0.1,
            "response.patience_hours": {"dist": "exponential", "mean": 20},
            "sla.sales.min_attempts": 4,
            "sla.sales.retry_gap_hours": [2, 24],
            "sla.sales.on_no_contact": "recycle",
            "sla.sales.max_recycles": 1,
            "nurture.points_per_touch": 100,
        }
    )

    def log_of() -> np.ndarray:
        columns = run(scenario).log.columns()
        table = np.column_stack([columns[k].astype(float) for k in columns])
        return table[np.lexsort(table.T[::-1])]

    booked = log_of()
    monkeypatch.setattr(model, "LOOKAHEAD_PRIORITIES", ())
    waited = log_of()
    assert len(booked) > 1000
    # The same events; times agree to the last bits (the event loop adds delays to its clock).
    np.testing.assert_allclose(booked, waited, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("probability", "floor", "half_life"),
    [(0.45, 0.1, 4.0), (1.0, 1.0, 4.0), (0.3, 0.0, 72.0), (0.0, 0.2, 1.0), (1.0, 0.0, 0.5)],
)
def test_an_attempt_succeeds_exactly_while_the_lead_is_young_enough(
    probability: float, floor: float, half_life: float
) -> None:
    from sla_sim.model.decay import HalfLife, Table

    rng = np.random.default_rng(5)
    u = rng.random(20_000)
    age = rng.exponential(3 * half_life, 20_000)
    chance = probability * (floor + (1 - floor) * 0.5 ** (age / half_life))
    curve = HalfLife(half_life, floor)
    np.testing.assert_array_equal(age < curve.latest_age(u, probability), u < chance)
    np.testing.assert_allclose(curve.multiplier(age) * probability, chance)
    if floor == 0.0 and probability > 0:
        # A table through points of the same curve, joined exponentially, is the same curve.
        knots = np.arange(0, 40) * half_life
        table = Table(tuple(knots), tuple(0.5 ** (knots / half_life)))
        inside = age < knots[-1]
        np.testing.assert_array_equal(
            (age < table.latest_age(u, probability))[inside], (u < chance)[inside]
        )
