"""The routing structures against brute force: the least-loaded present rep as a scan of every rep
finds it, and the next present rep in turn as a walk round the team finds it."""

from __future__ import annotations

from collections import Counter, deque
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_sim.model.desk import SalesDesk
from sla_sim.model.replication import run_replication
from sla_sim.model.routing import LoadBoard, RoundRobin
from sla_sim.model.team_desk import TeamDesk, needs_team_desk
from sla_sim.model.world import build_world

from conftest import scenario_from

# (rep drawn modulo the team, change of load or None, presence or None)
operation = st.tuples(
    st.integers(0, 10_000),
    st.one_of(st.none(), st.integers(-3, 3)),
    st.one_of(st.none(), st.booleans()),
)


def least_by_scan(loads: list[int], present: list[bool]) -> int:
    """What the desk chose before the board: `loads.index(min(loads))` among present reps."""
    candidates = [(load, rep) for rep, load in enumerate(loads) if present[rep]]
    return min(candidates)[1] if candidates else -1


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40), st.lists(operation, max_size=200))
def test_load_board_finds_the_rep_a_scan_finds(
    reps: int, operations: list[tuple[int, int | None, bool | None]]
) -> None:
    board = LoadBoard(reps)
    loads, present = [0] * reps, [True] * reps
    assert board.least() == 0
    for index, delta, presence in operations:
        rep = index % reps
        if delta is not None:
            board.add(rep, delta)
            loads[rep] += delta
        if presence is not None:
            board.set_present(rep, presence)
            present[rep] = presence
        assert board.least() == least_by_scan(loads, present)
        assert [board.load(r) for r in range(reps)] == loads


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40), st.lists(st.tuples(st.integers(0, 10_000), st.booleans()), max_size=200))
def test_round_robin_gives_the_next_present_rep_in_turn(
    reps: int, operations: list[tuple[int, bool]]
) -> None:
    turns = RoundRobin(reps)
    present, turn = [True] * reps, 0
    for index, presence in operations:
        rep = index % reps
        if index % 3 == 0:  # a third of the steps change who is present
            turns.set_present(rep, presence)
            present[rep] = presence
        order = [(turn + k) % reps for k in range(reps)]
        expected = next((r for r in order if present[r]), -1)
        assert turns.next() == expected
        if expected >= 0:
            turn = (expected + 1) % reps


@given(st.integers(1, 30))
def test_round_robin_with_everyone_present_cycles_as_the_desk_did(reps: int) -> None:
    turns, next_rep = RoundRobin(reps), 0
    for _ in range(3 * reps + 1):
        assert turns.next() == next_rep
        next_rep = (next_rep + 1) % reps


def test_ties_go_to_the_lowest_rep_and_loads_are_kept_while_away() -> None:
    board = LoadBoard(5)
    for rep, load in enumerate([2, 1, 3, 1, 1]):
        board.add(rep, load)
    assert board.least() == 1
    board.set_present(1, False)
    assert board.least() == 3
    board.add(3, 1)
    assert board.least() == 4
    board.set_present(1, True)
    assert (board.least(), board.load(1)) == (1, 1)


def test_nobody_present() -> None:
    board, turns = LoadBoard(3), RoundRobin(3)
    for rep in range(3):
        board.set_present(rep, False)
        turns.set_present(rep, False)
    assert board.least() == turns.next() == -1
    board.set_present(2, True)
    turns.set_present(2, True)
    assert board.least() == 2
    assert [turns.next() for _ in range(3)] == [2, 2, 2]


def test_round_robin_skips_absent_reps_and_takes_back_returning_ones_in_turn() -> None:
    turns = RoundRobin(4)
    assert [turns.next(), turns.next()] == [0, 1]
    turns.set_present(2, False)
    assert [turns.next(), turns.next(), turns.next()] == [3, 0, 1]
    turns.set_present(2, True)
    assert [turns.next(), turns.next()] == [2, 3]


def test_one_rep_and_a_team_not_a_power_of_two() -> None:
    one = LoadBoard(1)
    one.add(0, 5)
    assert one.least() == 0
    board = LoadBoard(6)
    for rep in range(6):
        board.add(rep, 10 - rep)
    assert board.least() == 5
    board.add(5, 3)
    assert board.least() == 4


# -- the desk's least_loaded routing on the board, against a scan of every rep -----------------


class ScanningDesk(SalesDesk):
    """The ideal desk choosing as it did before the board: at each handoff, every rep's load from
    their queue and the (start, busy until) of their bookings; the board is checked against it."""

    tally: ClassVar[Counter[str]] = Counter()  # handoffs routed, leads found gone

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.booked: list[deque[tuple[float, float]]] = [deque() for _ in range(self.reps)]

    def _serve(self, rep: int, row: int, number: int, start: float) -> None:
        gone = start > self.window_end[row] or (number == 0 and start > self.cold_at[row])
        self.tally["gone"] += gone
        super()._serve(rep, row, number, start)
        self.booked[rep].append((start, start if gone else self.free_at[rep]))

    def _load(self, rep: int, now: float) -> int:
        booked = self.booked[rep]
        while len(booked) > 1 and booked[1][0] <= now:
            booked.popleft()
        if booked and booked[0][0] <= now and booked[0][1] <= now:
            booked.popleft()
        waiting = sum(1 for start, _ in booked if start > now)
        return len(self.queues[rep]) + waiting + (len(booked) > waiting)

    def _least_loaded(self, now: float) -> int:
        loads = [self._load(rep, now) for rep in range(self.reps)]
        return scanned(self, loads, now, self.tally)


class ScanningTeamDesk(TeamDesk):
    """The team desk choosing from the entries each rep holds and the attempt they are in."""

    tally: ClassVar[Counter[str]] = Counter()

    def _least_loaded(self, now: float) -> int:
        loads = [self.held[rep] + (self.attempt_end[rep] > now) for rep in range(self.reps)]
        return scanned(self, loads, now, self.tally)


def scanned(desk: SalesDesk, loads: list[int], now: float, tally: Counter[str]) -> int:
    """`loads.index(min(loads))`, the board's loads and choice having been checked against it."""
    chosen = SalesDesk._least_loaded(desk, now)
    assert [desk.board.load(rep) for rep in range(desk.reps)] == loads, now
    assert chosen == loads.index(min(loads))
    tally["handoffs"] += 1
    return chosen


BUSY = {
    "calendar.always_open": False,
    "sources.0.fit": {"dist": "beta", "a": 2, "b": 2},
    "sources.0.leads_per_month": 9000,
    "team.reps": 60,
    "team.routing": "least_loaded",
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


@pytest.mark.parametrize(
    ("desk", "terms"),
    [
        (ScanningDesk, {}),
        (ScanningDesk, {"team.priority": "newest_first", "team.ignore_share": 0.2}),
        (ScanningDesk, {"response.patience_hours": 1.0, "sla.sales.follow_up_window_days": 1}),
        (
            # A lead found past its window is recycled, and handed back at once when its time to
            # come back has passed: a handoff at the end of a booking (start, start) made now.
            ScanningDesk,
            {
                "team.priority": "newest_first",
                "sla.sales.follow_up_window_days": 0.5,
                "nurture.touches_per_week": 50,
            },
        ),
        (
            ScanningTeamDesk,
            {
                "team.lead_work": "checks",
                "team.check_every_hours": 2,
                "team.ignore_share": 0.2,
                "sla.sales.enforcement": "reassign",
                "sla.sales.reassign_after_minutes": 60,
                "sla.sales.first_response_hours": 4,
            },
        ),
    ],
    ids=["fifo", "newest_first, ignored", "impatient", "handed back at once", "team desk"],
)
def test_least_loaded_on_60_reps_gives_the_events_of_a_scan_of_every_rep(
    desk: type[ScanningDesk | ScanningTeamDesk], terms: dict[str, Any]
) -> None:
    world = build_world(scenario_from(**(BUSY | terms)))
    assert needs_team_desk(world) == (desk is ScanningTeamDesk)
    desk.tally.clear()
    reference = run_replication(world, 4, 0, desk=desk)
    board = run_replication(world, 4, 0)
    expected, actual = reference.log.columns(), board.log.columns()
    assert desk.tally["handoffs"] > 5000
    if desk is ScanningDesk:
        assert desk.tally["gone"] > 500  # booked from their start to their start
    for column, values in expected.items():
        np.testing.assert_array_equal(actual[column], values, err_msg=column)
    assert len(np.unique(expected["rep"][expected["rep"] >= 0])) == 60
