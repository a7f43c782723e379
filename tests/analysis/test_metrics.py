"""Metric definitions (SPEC §4) on a hand-written event log whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from sla_sim.analysis.metrics import BY_KEY, METRIC_KEYS, METRICS, compute_metrics
from sla_sim.model.events import Event, EventLog
from sla_sim.model.leads import Leads
from sla_sim.model.replication import Replication, run_replication
from sla_sim.model.world import build_world
from sla_sim.scenario.file import parse_scenario
from sla_sim.scenario.schema import Scenario

from conftest import SIMPLE, SPEC_METRICS, merged, scenario_from


def _replication(n_leads: int, log: EventLog, **overrides: object) -> Replication:
    scenario = scenario_from(
        **{"scenario.months": 1, "sla.sales.min_attempts": 2, "team.reps": 2}, **overrides
    )
    world = build_world(scenario)
    leads = Leads(
        source=np.zeros(n_leads, dtype=int),
        local_id=np.arange(n_leads),
        arrival=np.arange(n_leads, dtype=float),
        fit=np.ones(n_leads),
        hand_raiser=np.ones(n_leads, dtype=bool),
        touch_rate=np.zeros(n_leads),
        mql_time=np.arange(n_leads, dtype=float),
        score=np.zeros(n_leads),
    )
    return Replication(world, 0, leads, log)


@pytest.fixture
def book() -> tuple[Replication, float]:
    """Five handed-off leads over a 744-hour month, SLA 1 hour on the calendar clock."""
    horizon = 31 * 24.0
    log = EventLog()
    # Lead 0: answered in 30 minutes, connects, wins a 500 deal.
    log.add(10.0, 0, Event.HANDOFF)
    log.add(10.5, 0, Event.CONNECT, rep=0, number=0, value=6.0)
    log.add(10.5, 0, Event.OPPORTUNITY)
    log.add(50.0, 0, Event.WON, value=500.0)
    # Lead 1: answered after 2 hours (a breach), two attempts, no contact, disqualified.
    log.add(20.0, 1, Event.HANDOFF)
    log.add(22.0, 1, Event.ATTEMPT, rep=1, number=0, value=6.0)
    log.add(26.0, 1, Event.ATTEMPT, rep=1, number=1, value=6.0)
    log.add(26.1, 1, Event.NO_CONTACT, number=2)
    log.add(26.1, 1, Event.DISQUALIFIED)
    # Lead 2: never attempted; its deadline passed long before the horizon (a breach).
    log.add(30.0, 2, Event.HANDOFF)
    # Lead 3: handed off half an hour before the horizon: censored, not a breach yet.
    log.add(horizon - 0.5, 3, Event.HANDOFF)
    # Lead 4: went cold after 18 minutes, before its deadline passed unanswered (a breach).
    log.add(40.0, 4, Event.HANDOFF)
    log.add(40.3, 4, Event.COLD)
    return _replication(5, log), horizon


def test_response_shares_count_never_attempted_leads_and_leave_out_censored_ones(
    book: tuple[Replication, float],
) -> None:
    m = compute_metrics(book[0])
    assert m["response_within_sla"] == pytest.approx(1 / 4)
    assert m["response_breach_rate"] == pytest.approx(3 / 4)
    assert m["response_hours_mean"] == pytest.approx((0.5 + 2.0) / 2)
    assert m["response_hours_median"] == pytest.approx(1.25)


def test_counts_and_conversions(book: tuple[Replication, float]) -> None:
    m = compute_metrics(book[0])
    assert m["leads"] == m["mqls"] == m["handed_off"] == 5
    assert m["contacted"] == 1
    assert m["opportunities"] == 1
    assert m["closed_deals"] == 1
    assert m["revenue"] == 500.0
    assert m["lead_to_deal_rate"] == pytest.approx(1 / 5)
    assert m["leads_never_contacted"] == 4
    assert m["leads_lost_cold"] == 1
    assert m["attempt_breach_rate"] == 0.0  # lead 1 got its two attempts


def test_backlog_is_the_time_average_of_leads_waiting_for_a_first_attempt(
    book: tuple[Replication, float],
) -> None:
    replication, horizon = book
    waited = 0.5 + 2.0 + (horizon - 30.0) + 0.5 + 0.3
    assert compute_metrics(replication)["backlog_mean"] == pytest.approx(waited / horizon)
    assert compute_metrics(replication)["backlog_end"] == 2  # leads 2 and 3


def test_rep_utilization_is_attempt_time_over_prospecting_time(
    book: tuple[Replication, float],
) -> None:
    replication, horizon = book
    busy_hours = 3 * 6.0 / 60
    expected = busy_hours / (2 * 1.0 * horizon)
    assert compute_metrics(replication)["rep_utilization"] == pytest.approx(expected)


def test_business_clock_measures_response_in_open_hours() -> None:
    log = EventLog()
    friday_1730 = 4 * 24 + 17.5
    monday_0930 = 7 * 24 + 9.5
    log.add(friday_1730, 0, Event.HANDOFF)
    log.add(monday_0930, 0, Event.CONNECT, number=0, value=6.0)
    replication = _replication(
        1,
        log,
        **{
            "calendar.always_open": False,
            "sla.sales.clock": "business",
            "sla.sales.first_response_hours": 1,
        },
    )
    m = compute_metrics(replication)
    assert m["response_hours_mean"] == pytest.approx(1.0)
    assert m["response_within_sla"] == 1.0


def test_attempt_breach_counts_leads_closed_with_too_few_attempts() -> None:
    log = EventLog()
    for lead, attempts in enumerate([2, 1, 0, 2]):
        log.add(1.0 + lead, lead, Event.HANDOFF)
        log.add(400.0 + lead, lead, Event.NO_CONTACT, number=attempts)
    m = compute_metrics(_replication(4, log))
    assert m["attempt_breach_rate"] == pytest.approx(2 / 4)


def test_every_spec_metric_is_defined_once_with_a_label_and_a_direction() -> None:
    assert set(SPEC_METRICS) <= set(METRIC_KEYS)
    assert len(METRIC_KEYS) == len(set(METRIC_KEYS))
    for metric in METRICS:
        assert metric.label
        assert metric.description
        assert metric.better in ("higher", "lower", "neither")
    assert BY_KEY["response_breach_rate"].better == "lower"
    assert BY_KEY["closed_deals"].better == "higher"


# -- costs ------------------------------------------------------------------------------------


def _costed(**overrides: object) -> Scenario:
    """Two sources of leads with their own costs, and reps with a monthly cost."""
    second = {"name": "Downloads", "leads_per_month": 40, "fit": 1.0, "cost_per_lead": 2.5}
    document = merged(SIMPLE, **{"scenario.months": 3, "team.reps": 4})
    document["sources"][0]["cost_per_lead"] = 45.0
    document["sources"].append(second)
    document["costs"] = {"rep_cost_per_month": 8_500.0, "currency": "EUR"}
    return parse_scenario(merged(document, **overrides), "test")


@pytest.mark.parametrize(("warmup_days", "months_measured"), [(0, 3), (31, 2)])
def test_costs_are_reps_times_cost_times_months_and_leads_times_their_cost(
    warmup_days: float, months_measured: int
) -> None:
    """The horizon starts on 2027-01-04, so a 31-day warm-up is exactly its first month."""
    scenario = _costed(**{"scenario.warmup_days": warmup_days})
    world = build_world(scenario)
    for replication in range(3):
        run = run_replication(world, 7, replication)
        m = compute_metrics(run)
        counted = run.leads.arrival >= warmup_days * 24.0
        per_source = [int((counted & (run.leads.source == i)).sum()) for i in range(2)]
        assert m["sales_cost"] == 4 * 8_500.0 * months_measured
        assert m["marketing_cost"] == per_source[0] * 45.0 + per_source[1] * 2.5
        assert sum(per_source) == m["leads"]
        assert m["net_revenue"] == m["revenue"] - m["sales_cost"] - m["marketing_cost"]
        assert m["closed_deals"] > 0
        assert m["cost_per_deal"] == (m["sales_cost"] + m["marketing_cost"]) / m["closed_deals"]


def test_costs_default_to_nothing_and_net_revenue_to_revenue(
    book: tuple[Replication, float],
) -> None:
    m = compute_metrics(book[0])
    assert m["sales_cost"] == m["marketing_cost"] == m["cost_per_deal"] == 0.0
    assert m["net_revenue"] == m["revenue"]


def test_cost_per_deal_is_missing_without_deals() -> None:
    log = EventLog()
    log.add(1.0, 0, Event.HANDOFF)
    replication = _replication(1, log, **{"costs.rep_cost_per_month": 1000.0})
    m = compute_metrics(replication)
    assert m["closed_deals"] == 0
    assert m["sales_cost"] == 2 * 1000.0 * 1
    assert np.isnan(m["cost_per_deal"])
    assert m["net_revenue"] == -m["sales_cost"]


def test_costs_are_money_and_lower_is_better_but_net_revenue_higher() -> None:
    for key in ("sales_cost", "marketing_cost", "cost_per_deal", "net_revenue"):
        assert BY_KEY[key].unit == "money"
    assert [BY_KEY[k].better for k in ("sales_cost", "marketing_cost", "cost_per_deal")] == [
        "lower"
    ] * 3
    assert BY_KEY["net_revenue"].better == "higher"
    at = METRIC_KEYS.index("pipeline_value")
    assert METRIC_KEYS[at + 1 : at + 5] == [
        "sales_cost",
        "marketing_cost",
        "cost_per_deal",
        "net_revenue",
    ]


# -- the account executives (SPEC §10) ---------------------------------------------------------

AES = {"reps": 1, "max_open_opportunities": 2, "accept_within_hours": 10}


def test_ae_metrics_of_a_hand_made_log() -> None:
    """Two opportunities accepted (after 4 h, within 10; after 20 h, a breach), one still waiting
    past its deadline (a breach), one waiting whose deadline is past the horizon (censored)."""
    horizon = 31 * 24.0
    log = EventLog()
    for lead, at in enumerate([10.0, 20.0, 50.0, horizon - 5.0]):
        log.add(at, lead, Event.OPPORTUNITY)
    log.add(14.0, 0, Event.AE_ACCEPTED, rep=0, value=4.0)
    log.add(100.0, 0, Event.WON, value=500.0)
    log.add(40.0, 1, Event.AE_ACCEPTED, rep=0, value=20.0)
    log.add(horizon, 1, Event.PIPELINE, value=800.0)
    log.add(horizon, 2, Event.AE_WAITING, value=horizon - 50.0)
    log.add(horizon, 3, Event.AE_WAITING, value=5.0)
    m = compute_metrics(_replication(4, log, ae=AES, **{"costs.ae_cost_per_month": 9_000.0}))
    assert m["ae_wait_hours_mean"] == pytest.approx(12.0)
    assert m["ae_breach_rate"] == pytest.approx(2 / 3)
    assert m["ae_utilization"] == pytest.approx((86.0 + horizon - 40.0) / (2 * horizon))
    assert m["sales_cost"] == 9_000.0
    assert m["opportunities"] == 4
    assert m["closed_deals"] == 1
    assert m["pipeline_value"] == 800.0


def test_ae_metrics_do_not_apply_without_aes(book: tuple[Replication, float]) -> None:
    m = compute_metrics(book[0])
    assert all(np.isnan(m[k]) for k in ("ae_wait_hours_mean", "ae_breach_rate", "ae_utilization"))
    assert [BY_KEY[k].better for k in ("ae_wait_hours_mean", "ae_breach_rate")] == ["lower"] * 2


@pytest.mark.parametrize(
    ("clock", "hours", "wait", "breach"),
    [
        ("business", 4, 2.0, 0.0),
        ("business", 1, 2.0, 1.0),
        ("calendar", 64, 65.0, 1.0),
        ("calendar", 65, 65.0, 0.0),
    ],
)
def test_the_ae_target_is_held_on_the_sla_clock(
    clock: str, hours: float, wait: float, breach: float
) -> None:
    """Qualified on Friday 17:00, accepted on Monday 10:00: 65 wall-clock hours, 2 business."""
    friday, monday = 4 * 24 + 17.0, 7 * 24 + 10.0
    log = EventLog()
    log.add(friday, 0, Event.OPPORTUNITY)
    log.add(monday, 0, Event.AE_ACCEPTED, rep=0, value=monday - friday)
    log.add(monday + 24.0, 0, Event.WON, value=1000.0)
    scenario = {"calendar.always_open": False, "sla.sales.clock": clock}
    m = compute_metrics(_replication(1, log, ae={**AES, "accept_within_hours": hours}, **scenario))
    assert m["ae_wait_hours_mean"] == pytest.approx(wait)
    assert m["ae_breach_rate"] == breach
