"""The desk's `Due` event stands in for SimPy's Timeout by setting Timeout's attributes itself: if
SimPy changes how a Timeout is made, these fail loudly rather than the model going quietly wrong."""

from __future__ import annotations

import simpy

from sla_sim.model.desk import Due


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
