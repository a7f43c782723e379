"""SPEC §9 as a leader relies on it: reps who work new leads in blocks or at checks, handoffs
nobody picks up, and the response target enforced by alerts and reassignment.

Deterministic checks run a quiet desk (few leads, idle reps, no sync delay) and follow every lead;
theory checks compare with what a queue must give; directional checks compare scenarios that see
the same leads (common random numbers)."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sla_sim.analysis.metrics import compute_metrics
from sla_sim.experiments.runner import simulate
from sla_sim.model.events import Event
from sla_sim.model.replication import Replication, run_replication
from sla_sim.model.team_desk import TeamDesk, needs_team_desk
from sla_sim.model.world import build_world, simulation_key
from sla_sim.scenario.file import parse_scenario_text
from sla_sim.scenario.schema import Scenario, Variant
from sla_sim.scenario.warnings import scenario_warnings
from sla_sim.verification import theory
from sla_sim.verification.setups import ERLANG_C

QUIET = """\
[scenario]
name = "Quiet desk"
start_date = 2027-01-04
months = 2

[calendar]
always_open = {always_open}
open_hours = [9, 18]

[[sources]]
name = "Demo requests"
leads_per_month = {leads}
hand_raiser_share = 1.0
fit = 1.0
arrival = "flat"

[team]
reps = {reps}
attempt_minutes = 6
prospecting_share = 1.0
routing = "{routing}"
{team}

[response]
connect_prob = 0.0
connect_floor = 0.0

[sla.sales]
first_response_hours = {target}
clock = "{clock}"
min_attempts = 1
on_no_contact = "disqualify"
{sales}
"""


def quiet(
    team: str = "",
    sales: str = "",
    *,
    reps: int = 20,
    leads: int = 60,
    always_open: bool = False,
    routing: str = "shared_queue",
    target: float = 24,
    clock: str = "business",
) -> Scenario:
    text = QUIET.format(
        team=team,
        sales=sales,
        reps=reps,
        leads=leads,
        always_open=str(always_open).lower(),
        routing=routing,
        target=target,
        clock=clock,
    )
    return parse_scenario_text(text, "quiet.toml")


def run(scenario: Scenario, replication: int = 0) -> Replication:
    return run_replication(build_world(scenario), seed=5, replication=replication)


def episodes(
    replication: Replication,
) -> dict[tuple[int, int], list[tuple[float, Event, int, int]]]:
    """Each handoff's events in order: (time, event, rep, number)."""
    columns = replication.log.columns()
    out: dict[tuple[int, int], list[tuple[float, Event, int, int]]] = defaultdict(list)
    for time, lead, event, episode, rep, number in zip(
        *(columns[k] for k in ("time", "lead", "event", "episode", "rep", "number")), strict=True
    ):
        out[(int(lead), int(episode))].append((float(time), Event(event), int(rep), int(number)))
    return out


def handoff_and_first_attempt(replication: Replication) -> list[tuple[float, float, int]]:
    """(handoff, first attempt, its rep) of every attempted handoff."""
    pairs = []
    for events in episodes(replication).values():
        handoff = next(t for t, e, _, _ in events if e == Event.HANDOFF)
        first = [(t, rep) for t, e, rep, n in events if e in (Event.ATTEMPT, Event.CONNECT)]
        if first:
            pairs.append((handoff, first[0][0], first[0][1]))
    return pairs


def next_open_day_at(hour: float, moment: float, calendar: Any) -> float:
    """`hour` o'clock on the first open day whose `hour` is at or after `moment`."""
    day = math.floor(moment / 24.0) * 24.0
    while True:
        candidate = day + hour
        if candidate >= moment - 1e-9 and calendar.is_open(candidate):
            return candidate
        day += 24.0


# -- deterministic: lead hours -------------------------------------------------------------------


def test_a_lead_handed_off_after_the_block_is_first_attempted_at_the_next_open_days_block() -> None:
    scenario = quiet('lead_work = "blocks"\nlead_blocks = [[10, 11]]')
    replication = run(scenario)
    calendar = replication.world.calendar
    pairs = handoff_and_first_attempt(replication)
    assert len(pairs) > 30
    noon_cases = 0
    for handoff, first, _ in pairs:
        local = handoff % 24.0
        in_block = calendar.is_open(handoff) and 10 <= local < 11
        expected = handoff if in_block else next_open_day_at(10.0, handoff, calendar)
        assert first == pytest.approx(expected, abs=1e-9), (handoff, first)
        noon_cases += 12 <= local < 13
    # The case a leader asks about: handed off at noon, called at 10:00 the next open day.
    assert noon_cases > 0


def test_with_checks_every_two_hours_a_lead_waits_for_the_next_check() -> None:
    scenario = quiet('lead_work = "checks"\ncheck_every_hours = 2')
    replication = run(scenario)
    calendar = replication.world.calendar
    for handoff, first, _ in handoff_and_first_attempt(replication):
        opening = calendar.next_open(handoff)
        if opening > handoff:
            expected = opening  # closed: the day's first check is at the opening
        else:
            start, _ = calendar.current_interval(handoff)
            expected = start + 2.0 * math.ceil((handoff - start) / 2.0)
            if not calendar.is_open(expected):
                expected = calendar.next_open(expected)
        assert first == pytest.approx(expected, abs=1e-9), (handoff, first)


def test_blocks_that_cover_the_whole_day_give_the_interleaved_desks_events() -> None:
    setup = ERLANG_C[1]
    base = parse_scenario_text(setup.toml(), "erlang.toml")
    blocks = base.with_overrides({"team.lead_work": "blocks", "team.lead_blocks": [[0, 24]]})
    ideal, by_blocks = (in_order(run(s)) for s in (base, blocks))
    pd.testing.assert_frame_equal(ideal, by_blocks)


@pytest.mark.parametrize("routing", ["shared_queue", "round_robin"])
def test_blocks_and_ignored_leads_give_the_same_events_on_either_desk(routing: str) -> None:
    # Without enforcement, blocks and ignored leads run on the ideal desk (booked ahead, in the
    # blocks); the team desk, which gives attempts to reps as they free up, must agree.
    scenario = quiet(
        'lead_work = "blocks"\nlead_blocks = [[10, 11.5], [15, 16]]\nignore_share = 0.3',
        leads=900,
        reps=2,
        routing=routing,
    ).with_overrides(
        {
            "response.connect_prob": 0.3,
            "sla.sales.min_attempts": 3,
            # Attempts of varied length, so no two reps come free at the same moment: which of
            # two reps free at once takes a lead is each desk's own tie-break.
            "team.attempt_minutes": {"dist": "lognormal", "median": 6, "sigma": 0.5},
        }
    )
    world = build_world(scenario)
    assert not needs_team_desk(world)
    ideal = in_order(run_replication(world, 5, 0))
    team = in_order(run_replication(world, 5, 0, desk=TeamDesk))
    assert (ideal.event == Event.IGNORED).sum() > 50
    pd.testing.assert_frame_equal(ideal, team)


def in_order(replication: Replication) -> pd.DataFrame:
    """The log in order of time (the ideal desk writes an attempt when it books it)."""
    frame = pd.DataFrame(replication.log.columns())
    return frame.sort_values(["time", "lead", "event", "number"]).reset_index(drop=True)


# -- deterministic: ignored handoffs and enforcement ---------------------------------------------


def test_leads_nobody_picks_up_are_never_attempted_and_all_breach() -> None:
    replication = run(quiet("ignore_share = 1.0"))
    metrics = compute_metrics(replication)
    events = replication.log.columns()["event"]
    assert not np.isin(events, [Event.ATTEMPT, Event.CONNECT]).any()
    assert metrics["response_breach_rate"] == 1.0
    assert metrics["leads_ignored"] == metrics["handed_off"] > 0


def test_an_alert_at_half_a_two_hour_target_has_every_ignored_lead_called_at_one_hour() -> None:
    scenario = quiet(
        "ignore_share = 1.0",
        'enforcement = "alert"\nalert_at = 0.5',
        always_open=True,
        target=2,
        clock="calendar",
    )
    replication = run(scenario)
    pairs = handoff_and_first_attempt(replication)
    assert len(pairs) == compute_metrics(replication)["handed_off"] > 30
    for handoff, first, _ in pairs:
        assert first - handoff == pytest.approx(1.0, abs=1e-9)
    metrics = compute_metrics(replication)
    assert metrics["alerts"] == metrics["handed_off"]
    assert metrics["leads_ignored"] == 0


def test_reassignment_after_30_minutes_has_another_rep_call_the_lead_at_30_minutes() -> None:
    # Two reps in turn, each leaving alone every lead they are given.
    scenario = quiet(
        "ignore_share = 1.0",
        'enforcement = "reassign"\nreassign_after_minutes = 30',
        reps=2,
        leads=20,
        always_open=True,
        routing="round_robin",
        target=2,
        clock="calendar",
    )
    replication = run(scenario)
    checked = 0
    for events in episodes(replication).values():
        handoff = next(t for t, e, _, _ in events if e == Event.HANDOFF)
        owner = next(rep for _, e, rep, _ in events if e == Event.IGNORED)
        moved = [(t, rep, was) for t, e, rep, was in events if e == Event.REASSIGNED]
        first = next((t, rep) for t, e, rep, _ in events if e in (Event.ATTEMPT, Event.CONNECT))
        assert moved == [(pytest.approx(handoff + 0.5, abs=1e-9), 1 - owner, owner)]
        assert first == (pytest.approx(handoff + 0.5, abs=1e-9), 1 - owner)
        checked += 1
    assert checked > 15
    assert compute_metrics(replication)["reassignments"] == checked


def test_an_alert_interrupts_other_work_outside_the_blocks_and_says_how_long() -> None:
    scenario = quiet(
        'lead_work = "blocks"\nlead_blocks = [[10, 11]]',
        'enforcement = "alert"\nalert_at = 0.5',
        target=2,
    )
    replication = run(scenario)
    calendar = replication.world.calendar
    displaced_minutes = 0.0
    for events in episodes(replication).values():
        handoff = next(t for t, e, _, _ in events if e == Event.HANDOFF)
        attempts = [t for t, e, _, _ in events if e in (Event.ATTEMPT, Event.CONNECT)]
        alert = float(calendar.add_business_hours(handoff, 1.0))
        in_block = calendar.is_open(handoff) and 10 <= handoff % 24 < 11
        # Idle reps: in a block at once, otherwise at the alert or at the block, whichever first.
        block = next_open_day_at(10.0, handoff, calendar)
        expected = handoff if in_block else min(alert, block)
        if not attempts:
            assert expected >= replication.world.horizon
            continue
        first = attempts[0]
        assert first == pytest.approx(expected, abs=1e-9), (handoff, first)
        displaced = [n for t, e, _, n in events if e == Event.DISPLACED]
        assert bool(displaced) == (expected == pytest.approx(alert) and alert < block)
        displaced_minutes += 6.0 * len(displaced)
    metrics = compute_metrics(replication)
    assert metrics["other_work_displaced_hours"] == pytest.approx(displaced_minutes / 60.0)
    assert metrics["other_work_displaced_hours"] > 0


# -- the response target is read by the simulation only under enforcement ------------------------


def test_the_target_changes_events_only_when_it_is_enforced() -> None:
    def logs(scenario: Scenario) -> dict[str, pd.DataFrame]:
        result = simulate(scenario, 2, seed=3, jobs=1, event_log=True)
        assert result.events is not None
        return {str(name): frame for name, frame in result.events.groupby("scenario", sort=False)}

    for enforcement, same in (("", True), ('enforcement = "alert"', False)):
        base = quiet('lead_work = "blocks"\nlead_blocks = [[10, 11]]', enforcement, target=4)
        tighter = base.with_overrides({"sla.sales.first_response_hours": 1}, name="1 h")
        assert (simulation_key(base) == simulation_key(tighter)) is same
        tight = Variant(name="1 h", set={"sla.sales.first_response_hours": 1})
        both = base.model_copy(update={"variants": [tight]})
        frames = logs(both)
        first, second = (frames[name].drop(columns="scenario") for name in ("Quiet desk", "1 h"))
        equal = first.reset_index(drop=True).equals(second.reset_index(drop=True))
        assert equal is same


# -- theory ---------------------------------------------------------------------------------------


def test_checks_every_h_hours_on_an_idle_always_open_desk_wait_h_over_two() -> None:
    every = 3.0
    scenario = quiet(
        f'lead_work = "checks"\ncheck_every_hours = {every}',
        always_open=True,
        leads=400,
        reps=20,
        clock="calendar",
    )
    waits = np.array(
        [
            first - handoff
            for r in range(4)
            for handoff, first, _ in handoff_and_first_attempt(run(scenario, r))
        ]
    )
    # Uniform arrivals between checks: the wait is uniform on [0, h), mean h/2, sd h/sqrt(12).
    half_band = 4 * every / math.sqrt(12) / math.sqrt(len(waits))
    assert abs(waits.mean() - every / 2) < half_band
    assert waits.max() < every


def test_blocks_covering_the_day_keep_erlang_c() -> None:
    setup = ERLANG_C[1]
    base = parse_scenario_text(setup.toml(), "erlang.toml")
    blocks = base.with_overrides({"team.lead_work": "blocks", "team.lead_blocks": [[0, 24]]})
    result = simulate(blocks, 12, seed=1, jobs=1, variants=False)
    waits = result.per_replication["response_hours_mean"].to_numpy()
    expected = theory.erlang_c_mean_wait(setup.reps, setup.leads_per_hour, setup.service_rate)
    band = 4 * waits.std(ddof=1) / math.sqrt(len(waits))
    assert abs(waits.mean() - expected) < band


# -- directional ----------------------------------------------------------------------------------

BUSY_TEAM = {
    "team.lead_work": "blocks",
    "team.lead_blocks": [[9.5, 11], [14, 15.5]],
    "team.routing": "round_robin",
    "team.ignore_share": 0.2,
    "sla.sales.first_response_hours": 2,
}


@pytest.fixture(scope="module")
def busy_team() -> dict[str, dict[str, float]]:
    """The same leads under no enforcement, alerts and reassignment, and more ignoring."""
    base = quiet(leads=900, reps=3, target=2)
    base = base.with_overrides({"response.connect_prob": 0.5, "response.connect_floor": 0.2})
    variants = {
        "none": BUSY_TEAM,
        "alert": {**BUSY_TEAM, "sla.sales.enforcement": "alert"},
        "reassign": {
            **BUSY_TEAM,
            "sla.sales.enforcement": "reassign",
            "sla.sales.reassign_after_minutes": 30,
        },
        "ignoring more": {**BUSY_TEAM, "team.ignore_share": 0.5},
    }
    out = {}
    for name, overrides in variants.items():
        result = simulate(base.with_overrides(overrides), 6, seed=2, jobs=1, variants=False)
        out[name] = result.per_replication.mean(numeric_only=True).to_dict()
    return out


def test_more_enforcement_fewer_breaches_more_other_work_displaced(
    busy_team: dict[str, dict[str, float]],
) -> None:
    none, alert, reassign = busy_team["none"], busy_team["alert"], busy_team["reassign"]
    assert none["response_breach_rate"] > alert["response_breach_rate"]
    assert none["response_breach_rate"] > reassign["response_breach_rate"]
    assert none["other_work_displaced_hours"] == 0
    assert alert["other_work_displaced_hours"] > 0
    assert reassign["other_work_displaced_hours"] > 0


def test_a_higher_ignore_share_gives_fewer_contacts_and_deals(
    busy_team: dict[str, dict[str, float]],
) -> None:
    some, more = busy_team["none"], busy_team["ignoring more"]
    assert more["contacted"] < some["contacted"]
    assert more["opportunities"] < some["opportunities"]
    assert more["leads_ignored"] > some["leads_ignored"]


def test_reassignment_rescues_ignored_leads(busy_team: dict[str, dict[str, float]]) -> None:
    none, reassign = busy_team["none"], busy_team["reassign"]
    assert none["leads_ignored"] > 0
    assert reassign["leads_ignored"] < none["leads_ignored"] / 10
    assert reassign["reassignments"] > 0
    assert reassign["contacted"] > none["contacted"]


def test_new_first_answers_new_leads_sooner_than_fifo_on_a_busy_desk() -> None:
    base = quiet(leads=900, reps=2, target=2).with_overrides(
        {"response.connect_prob": 0.2, "sla.sales.min_attempts": 4, "sla.sales.retry_gap_hours": 2}
    )
    fifo = simulate(base, 4, seed=2, jobs=1, variants=False).per_replication
    new_first = simulate(
        base.with_overrides({"team.priority": "new_first"}), 4, seed=2, jobs=1, variants=False
    ).per_replication
    assert new_first["response_hours_mean"].mean() < fifo["response_hours_mean"].mean()


def test_a_share_of_time_set_beside_blocks_is_reported_as_ignored() -> None:
    interleaved = quiet().with_overrides({"team.prospecting_share": 0.5})
    assert not scenario_warnings(interleaved)
    blocks = interleaved.with_overrides(
        {"team.lead_work": "blocks", "team.lead_blocks": [[10, 11]]}
    )
    assert any("team.prospecting_share = 0.5 is ignored" in w for w in scenario_warnings(blocks))


def test_lead_blocks_past_the_horizon_leave_the_events_before_it_alone() -> None:
    """A lead whose next attempt falls due after the horizon, inside its window, is not closed
    early: the blocks go on past the horizon as the open hours do, so two horizons give the same
    events up to the shorter one's end."""
    from pathlib import Path

    from sla_sim.scenario.file import load_scenario

    base = load_scenario(Path(__file__).parents[2] / "scenarios" / "baseline.toml").expand()[0]

    def events(months: int) -> tuple[float, set[tuple[float, ...]]]:
        world = build_world(base.with_overrides({"scenario.months": months}))
        run = run_replication(world, 7, 0)
        c = run.log.columns()
        lead = run.leads.source[c["lead"]] * 10**7 + run.leads.local_id[c["lead"]]
        kept = c["time"] < build_world(base.with_overrides({"scenario.months": 2})).horizon
        fields = (c["time"], lead, c["event"], c["episode"], c["rep"], c["number"])
        return world.horizon, set(zip(*(f[kept].tolist() for f in fields), strict=True))

    _, short = events(2)
    _, longer = events(3)
    assert len(short) > 1000
    assert short == longer
