"""The desk's `Due` event stands in for SimPy's Timeout by setting Timeout's attributes itself, and
its `Dues` hold attempts out of the event loop in the loop's own order: if SimPy changes how a
Timeout is made or how its loop orders events, these fail loudly rather than the model going
quietly wrong."""

from __future__ import annotations

import itertools

import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_sim.model.desk import Due, Dues


def test_due_sets_every_attribute_a_timeout_sets() -> None:
    env = simpy.Environment()
    timeout = env.timeout(1.5)
    due = Due(env, 1.5, row=3, number=2, callback=lambda _: None)
    assert set(vars(timeout)) - {"_delay"} <= set(vars(due))
    assert (due._value, due._ok, due.triggered) == (timeout._value, timeout._ok, timeout.triggered)


def test_due_fires_its_one_callback_at_its_time_in_order_of_scheduling() -> None:
    env = simpy.Environment()
    fired: list[tuple[float, int, int]] = []
    for row, delay in ((0, 2.0), (1, 0.5), (2, 2.0)):
        Due(env, delay, row, 1, lambda due: fired.append((env.now, due.row, due.number)))
    env.timeout(2.0).callbacks.append(lambda _: fired.append((env.now, -1, 0)))
    env.run()
    assert fired == [(0.5, 1, 1), (2.0, 0, 1), (2.0, 2, 1), (2.0, -1, 0)]


def worked(held: bool, delays: list[float], fanout: list[int]) -> list[tuple[float, str, int]]:
    """What fires when, in a loop of timeouts where every firing makes more dues (`fanout` of
    them, `delays` ahead, both drawn in turn): dues held by `Dues`, or each its own event."""
    env = simpy.Environment()
    fired: list[tuple[float, str, int]] = []
    turn, label = itertools.count(), itertools.count()

    def draw(values: list[float] | list[int]) -> float:
        return values[next(turn) % len(values)]

    def happened(kind: str, name: int) -> None:
        fired.append((env.now, kind, name))
        for _ in range(int(draw(fanout)) if len(fired) < 300 else 0):
            delay = draw(delays)
            if held:
                dues.add(delay, next(label), 0)
            else:
                Due(env, delay, next(label), 0, lambda due: happened("due", due.row))

    def timed_out(event: simpy.Event) -> None:
        happened("timeout", event.value)  # type: ignore[arg-type]
        if len(fired) < 300:
            env.timeout(draw(delays), next(label)).callbacks.append(timed_out)

    dues = Dues(env, lambda row, _: happened("due", row))
    for _ in range(2):
        env.timeout(draw(delays), next(label)).callbacks.append(timed_out)
    env.run(until=40)
    return fired


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 3.0]), min_size=1, max_size=30),
    st.lists(st.integers(0, 3), min_size=1, max_size=30),
)
def test_dues_held_out_of_the_loop_are_worked_in_the_loops_order(
    delays: list[float], fanout: list[int]
) -> None:
    assert worked(True, delays, fanout) == worked(False, delays, fanout)
