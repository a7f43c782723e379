"""The second tier of SPEC §10: account executives take the SDRs' opportunities first come first
served, in open hours, each holding a slot from acceptance until the opportunity closes.

The queue is checked on hand-made arrays; the whole run on set-ups whose outcome is exact (fit 1,
every call connects and qualifies, fixed cycles), against the same leads without AEs (common random
numbers: an opportunity's cycle, win draw and value are its own)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sla_sim.analysis.metrics import compute_metrics
from sla_sim.experiments.compare import compare
from sla_sim.experiments.runner import simulate
from sla_sim.model.ae_tier import accept_opportunities, win_decay
from sla_sim.model.events import Event
from sla_sim.model.replication import Replication, run_replication
from sla_sim.model.world import build_world, is_measured_only, simulation_key
from sla_sim.present.headlines import headlines
from sla_sim.present.pack import AE_METRICS, key_metrics, summary_table
from sla_sim.present.tables import metric_rows
from sla_sim.scenario.calendar import Calendar
from sla_sim.scenario.schema import Scenario

from conftest import scenario_from

AE_KEYS = ("ae_wait_hours_mean", "ae_breach_rate", "ae_utilization")
INF = float("inf")
ALWAYS_OPEN = Calendar.of_intervals([0.0], [INF]).next_open


def run(scenario: Scenario, seed: int = 5, replication: int = 0) -> Replication:
    return run_replication(build_world(scenario), seed, replication)


def rows(replication: Replication, *kinds: Event) -> dict[str, np.ndarray]:
    columns = replication.log.columns()
    mask = np.isin(columns["event"], np.array(kinds, dtype=np.int8))
    return {name: values[mask] for name, values in columns.items()}


def accept(
    qualified: list[float],
    cycle: list[float],
    headcount: list[int],
    max_open: int,
    bounds: list[float],
    next_open: Any = ALWAYS_OPEN,
) -> tuple[list[float], list[int]]:
    out = accept_opportunities(
        np.array(qualified), np.array(cycle), headcount, max_open, np.array(bounds), next_open
    )
    return out.time.tolist(), out.ae.tolist()


# -- the queue on hand-made arrays ----------------------------------------------------------------


def test_one_slot_takes_opportunities_in_order_of_qualification() -> None:
    # Given out of order: the one qualified at 0 goes first, the tie at 1 keeps the order given.
    times, aes = accept([5.0, 0.0, 1.0, 1.0], [10.0] * 4, [1], 1, [0.0, 100.0])
    assert times == [30.0, 0.0, 10.0, 20.0]
    assert aes == [0, 0, 0, 0]


def test_a_freed_slot_goes_to_the_first_in_line_and_nobody_overtakes() -> None:
    # Two slots: the third waits for the first slot to free (at 5); the fourth, though its own
    # cycle is short, waits behind it for the next (at 100).
    times, aes = accept([0.0, 0.0, 0.0, 1.0], [100.0, 5.0, 100.0, 1.0], [1], 2, [0.0, 200.0])
    assert times == [0.0, 0.0, 5.0, 100.0]
    assert aes == [0, 0, 0, 0]


def test_capacity_follows_the_headcount_of_each_month() -> None:
    # 1 AE, then 3 from hour 10, then none from hour 20: two wait for month 2; the rest wait past
    # the horizon, for nobody is there.
    times, aes = accept([0.0] * 4 + [25.0], [100.0] * 5, [1, 3, 0], 1, [0.0, 10.0, 20.0, 30.0])
    assert times == [0.0, 10.0, 10.0, INF, INF]
    assert aes == [0, 1, 2, -1, -1]


def test_when_capacity_drops_open_opportunities_keep_their_slots() -> None:
    # Two AEs, then one from hour 10 (AE 1 leaves): the one still held by AE 1 counts until it
    # closes at 30, so the third waits until then although AE 0 is free from 15.
    times, aes = accept([0.0, 0.0, 12.0, 12.0], [15.0, 30.0, 5.0, 5.0], [2, 1], 1, [0, 10, 100])
    assert times == [0.0, 0.0, 30.0, 35.0]
    assert aes == [0, 1, 0, 0]


def test_an_opportunity_goes_to_the_ae_with_the_fewest_open() -> None:
    times, aes = accept([0.0, 0.0, 0.0, 2.0], [10.0, 1.0, 10.0, 10.0], [2], 2, [0.0, 100.0])
    assert times == [0.0, 0.0, 0.0, 2.0]
    assert aes == [0, 1, 0, 1]  # a tie to the lowest index; at 2, AE 1 has freed its first


def test_aes_accept_only_in_open_hours() -> None:
    calendar = Calendar.of_intervals([0.0, 24.0], [8.0, 32.0])
    # Qualified while open: at once; at 10 (closed): at the next opening; the slot freed at 12
    # (closed) is taken at 24; after the last open hour: never.
    times, _ = accept([5.0, 6.0], [7.0, 1.0], [1], 1, [0.0, 48.0], calendar.next_open)
    assert times == [5.0, 24.0]
    times, _ = accept([10.0, 40.0], [1.0, 1.0], [5], 1, [0.0, 48.0], calendar.next_open)
    assert times == [24.0, INF]


def test_nobody_is_accepted_at_or_after_the_horizon() -> None:
    times, aes = accept([0.0, 1.0, 99.0], [100.0, 1.0, 1.0], [1], 1, [0.0, 100.0])
    assert times == [0.0, INF, INF]
    assert aes == [0, -1, -1]


def test_waiting_halves_the_win_chance_every_half_life() -> None:
    np.testing.assert_allclose(win_decay(np.array([0.0, 48.0, 96.0]), 2.0), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(win_decay(np.array([0.0, 1e6]), None), [1.0, 1.0])


# -- the whole run --------------------------------------------------------------------------------

RANDOM_DEALS = {
    "scenario.months": 4,
    "sources.0.fit": {"dist": "beta", "a": 5, "b": 3},
    "response.qualify_prob": 0.8,
    "deals.cycle_days": {"dist": "lognormal", "median": 10, "sigma": 0.6},
    "deals.win_prob": 0.6,
    "deals.deal_value": {"dist": "lognormal", "median": 12000, "sigma": 0.7},
}
UNLIMITED = {"reps": 1000, "max_open_opportunities": 1000}
BOTTLENECK = {"reps": 1, "max_open_opportunities": 2}


def test_without_ae_the_log_has_no_ae_event_and_the_ae_metrics_do_not_apply() -> None:
    replication = run(scenario_from(**RANDOM_DEALS))
    assert not len(rows(replication, Event.AE_ACCEPTED, Event.AE_WAITING)["lead"])
    m = compute_metrics(replication)
    assert all(np.isnan(m[key]) for key in AE_KEYS)


@pytest.mark.parametrize("replication", [0, 1, 2])
def test_unlimited_aes_always_open_give_exactly_the_deals_without_them(replication: int) -> None:
    without = run(scenario_from(**RANDOM_DEALS), replication=replication)
    within = run(scenario_from(**RANDOM_DEALS, ae=UNLIMITED), replication=replication)
    a = without.log.columns()
    b = within.log.columns()
    accepted = b["event"] == Event.AE_ACCEPTED
    for column in a:
        np.testing.assert_array_equal(a[column], b[column][~accepted], err_msg=column)
    opportunity = a["event"] == Event.OPPORTUNITY
    np.testing.assert_array_equal(b["time"][accepted], a["time"][opportunity])
    assert (b["value"][accepted] == 0.0).all()
    m, n = compute_metrics(without), compute_metrics(within)
    for key in ("opportunities", "closed_deals", "revenue", "pipeline_value"):
        assert m[key] == n[key], key
    assert m["closed_deals"] > 50
    assert n["ae_wait_hours_mean"] == n["ae_breach_rate"] == 0.0
    assert 0.0 < n["ae_utilization"] < 0.01


def _won(replication: Replication) -> set[int]:
    return set(rows(replication, Event.WON)["lead"].tolist())


@pytest.mark.parametrize("replication", [0, 1, 2])
def test_a_bottleneck_of_aes_makes_opportunities_wait_and_lose_deals(replication: int) -> None:
    """With the same leads, waiting only delays a close (the same draws decide it) and decay
    only lowers the chance: the deals won with a bottleneck are some of those won without, and
    with decay some of those again."""
    unlimited = run(scenario_from(**RANDOM_DEALS, ae=UNLIMITED), replication=replication)
    narrow = run(scenario_from(**RANDOM_DEALS, ae=BOTTLENECK), replication=replication)
    decaying = {**BOTTLENECK, "win_half_life_days": 5}
    decayed = run(scenario_from(**RANDOM_DEALS, ae=decaying), replication=replication)
    m = compute_metrics(narrow)
    assert m["opportunities"] == compute_metrics(unlimited)["opportunities"] > 100
    assert m["ae_wait_hours_mean"] > 24.0
    assert m["ae_breach_rate"] > 0.5
    assert 0.9 < m["ae_utilization"] <= 1.0
    assert _won(narrow) < _won(unlimited)
    assert _won(decayed) < _won(narrow)
    waiting = rows(narrow, Event.AE_WAITING)
    assert len(waiting["lead"]) > 0
    np.testing.assert_array_equal(waiting["time"], narrow.world.horizon)
    for key in ("time", "rep"):  # decay changes who wins, not who waits
        np.testing.assert_array_equal(
            rows(narrow, Event.AE_ACCEPTED)[key], rows(decayed, Event.AE_ACCEPTED)[key]
        )


def test_aes_accept_in_open_hours_only_in_a_whole_run() -> None:
    scenario = scenario_from(
        **RANDOM_DEALS,
        ae=BOTTLENECK,
        **{"calendar.always_open": False, "sla.sales.clock": "business"},
    )
    replication = run(scenario)
    calendar = replication.world.calendar
    accepted = rows(replication, Event.AE_ACCEPTED)["time"]
    assert len(accepted) > 20
    assert all(calendar.is_open(t) for t in accepted)
    closes = rows(replication, Event.WON, Event.LOST)["time"]
    assert not all(calendar.is_open(t) for t in closes), "slots also free at night"
    m = compute_metrics(replication)
    assert m["ae_wait_hours_mean"] > 0


HAND_COUNTED = {
    "scenario.months": 1,
    "sources.0.leads_per_month": 40,
    "ae": {"reps": 1, "max_open_opportunities": 1, "accept_within_hours": 12},
}


@pytest.mark.parametrize("replication", [0, 1, 2, 3])
def test_ae_metrics_counted_by_hand_on_a_stream_of_certain_opportunities(
    replication: int,
) -> None:
    """Every lead qualifies at its handoff (50 idle reps, fit 1, certain connect and qualify),
    one AE holds one opportunity for exactly a day, always open: acceptance k is the later of
    its qualification and acceptance k - 1 plus 24 hours (a one-server queue's recursion)."""
    certain = run(scenario_from(**HAND_COUNTED), seed=11, replication=replication)
    horizon = certain.world.horizon
    qualified = np.sort(rows(certain, Event.OPPORTUNITY)["time"])
    accepted, previous = [], -np.inf
    for q in qualified:
        previous = max(q, previous + 24.0)
        accepted.append(previous)
    at = np.array(accepted)
    taken = at < horizon
    assert 20 < taken.sum() < len(qualified), "some wait past the horizon"
    wait = at[taken] - qualified[taken]
    known = taken | (qualified + 12.0 <= horizon)
    breached = (taken & (at - qualified > 12.0)) | (~taken & known)
    m = compute_metrics(certain)
    assert m["ae_wait_hours_mean"] == pytest.approx(wait.mean())
    assert m["ae_breach_rate"] == pytest.approx(breached.sum() / known.sum())
    held = np.minimum(at[taken] + 24.0, horizon) - at[taken]
    assert m["ae_utilization"] == pytest.approx(held.sum() / horizon)
    assert len(rows(certain, Event.AE_WAITING)["lead"]) == (~taken).sum()
    got = rows(certain, Event.AE_ACCEPTED)
    np.testing.assert_allclose(np.sort(got["time"]), at[taken])
    np.testing.assert_allclose(np.sort(got["value"]), np.sort(wait))
    assert (got["rep"] == 0).all()


@pytest.mark.parametrize("replication", [0, 1])
def test_more_aes_from_a_month_on_shorten_the_waits_after_it(replication: int) -> None:
    narrow = {**BOTTLENECK, "accept_within_hours": 24}
    hiring = {**narrow, "changes": [{"month": 3, "reps": 20}]}
    before = run(scenario_from(**RANDOM_DEALS, ae=narrow), replication=replication)
    after = run(scenario_from(**RANDOM_DEALS, ae=hiring), replication=replication)
    change = float(before.world.month_bounds[2])

    def accepted(replication: Replication) -> dict[str, np.ndarray]:
        got = rows(replication, Event.AE_ACCEPTED)
        order = np.argsort(got["time"], kind="stable")
        return {key: values[order] for key, values in got.items()}

    a, b = accepted(before), accepted(after)
    early = a["time"] < change
    for key in ("time", "lead", "rep", "value"):  # the same until the hires start
        np.testing.assert_array_equal(a[key][early], b[key][b["time"] < change])
    late_a, late_b = a["value"][~early], b["value"][b["time"] >= change]
    assert len(late_b) > len(late_a)
    assert late_b.mean() < late_a.mean()
    # A month after the hires the backlog is gone: every opportunity is taken at once.
    settled = b["time"] >= float(before.world.month_bounds[3])
    assert settled.sum() > 20
    assert (b["value"][settled] == 0.0).all()
    assert len(rows(before, Event.AE_WAITING)["lead"]) > 0
    assert len(rows(after, Event.AE_WAITING)["lead"]) == 0
    m, n = compute_metrics(before), compute_metrics(after)
    assert n["ae_wait_hours_mean"] < m["ae_wait_hours_mean"]
    assert n["ae_breach_rate"] < m["ae_breach_rate"]
    assert n["closed_deals"] > m["closed_deals"]


# -- costs, and what is measured only -------------------------------------------------------------


@pytest.mark.parametrize(("warmup_days", "rep_months"), [(0, 4), (31, 3)])
def test_sales_cost_counts_the_aes_of_each_month(warmup_days: float, rep_months: float) -> None:
    """AEs: 2 in months 1-2, 5 in month 3, 4 in month 4; a 31-day warm-up is the first month."""
    ae = {**BOTTLENECK, "reps": 2, "changes": [{"month": 3, "reps": 3}, {"month": 4, "reps": -1}]}
    scenario = scenario_from(
        **RANDOM_DEALS,
        ae=ae,
        costs={"rep_cost_per_month": 8_500.0, "ae_cost_per_month": 12_000.0},
        **{"scenario.warmup_days": warmup_days},
    )
    m = compute_metrics(run(scenario))
    ae_months = 2 + 2 + 5 + 4 - (2 if warmup_days else 0)
    assert m["sales_cost"] == pytest.approx(50 * 8_500.0 * rep_months + 12_000.0 * ae_months)


def test_the_ae_cost_is_measured_only_and_every_ae_key_is_simulated() -> None:
    base = scenario_from(**RANDOM_DEALS, ae=BOTTLENECK)
    costed = base.with_overrides({"costs.ae_cost_per_month": 12_000.0})
    assert is_measured_only("costs.ae_cost_per_month")
    assert simulation_key(costed) == simulation_key(base)
    a, b = run(base).log.columns(), run(costed).log.columns()
    for column in a:
        np.testing.assert_array_equal(a[column], b[column], err_msg=column)
    for key in (
        "ae.reps",
        "ae.max_open_opportunities",
        "ae.accept_within_hours",
        "ae.win_half_life_days",
        "ae.changes",
    ):
        assert not is_measured_only(key, base), key
    assert simulation_key(base.with_overrides({"ae.reps": 2})) != simulation_key(base)


# -- what a reader sees ---------------------------------------------------------------------------


def test_tables_show_the_ae_metrics_as_not_applicable_without_aes() -> None:
    without = scenario_from(**{"scenario.months": 1})
    within = scenario_from(**{"scenario.months": 1, "scenario.name": "With AEs"}, ae=BOTTLENECK)
    result = simulate([without, within], 2, seed=3, variants=False)
    for key in AE_KEYS:
        assert result.metric("Simple", key)["n"] == 0
        assert result.metric("With AEs", key)["n"] == 2
    # summary.csv and summary.json hold a metric only for the scenarios it applies to
    rows = result.summary[result.summary.metric.isin(AE_KEYS)]
    assert set(rows.scenario) == {"With AEs"}
    assert len(rows) == len(AE_KEYS)
    assert not set(AE_METRICS) & set(key_metrics([without]))
    assert set(AE_METRICS) <= set(key_metrics([without, within]))
    table = summary_table(result)
    assert table.loc["AE wait, mean", "Simple"] == "n/a"
    assert table.loc["AE wait, mean", "With AEs"] != "n/a"
    shown = {row[0]: row[1:] for row in metric_rows(result, ["Simple", "With AEs"])}
    assert shown["AE utilisation"][0] == "n/a"
    assert "%" in shown["AE utilisation"][1]


def test_a_headline_puts_the_deals_down_to_the_aes_and_their_cost_to_them() -> None:
    base = scenario_from(**RANDOM_DEALS, ae=BOTTLENECK, costs={"ae_cost_per_month": 10_000.0})
    more = base.with_overrides({"ae.reps": 3}, name="3 AEs")
    dearer = base.with_overrides({"costs.ae_cost_per_month": 12_000.0}, name="Dearer AEs")
    result = simulate([base, more, dearer], 3, seed=2, variants=False)
    said = dict(headlines([base, more, dearer], compare(result, baseline=base.name)))
    assert said["3 AEs"].startswith("3 account executives close "), said["3 AEs"]
    assert "what is measured" not in said["3 AEs"]
    assert "$80k more in reps and AEs" in said["3 AEs"]  # 2 more AEs × $10k × 4 months
    assert said["Dearer AEs"].startswith("Dearer AEs change what is measured"), said["Dearer AEs"]
    assert "$8k more in reps and AEs" in said["Dearer AEs"]  # 1 AE × $2k more × 4 months
