"""The yardstick: an M/M/c queue written the usual SimPy way (one process per customer,
`simpy.Resource`), to compare sla_sim's speed with."""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy


def mmc_customers_per_second(
    customers: int, servers: int, arrival_rate: float, service_rate: float, seed: int = 1
) -> tuple[float, float]:
    """(customers per second, mean wait in hours) of a plain SimPy M/M/c run."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / arrival_rate, customers)
    services = rng.exponential(1 / service_rate, customers)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    waits: list[float] = []

    def customer(service: float) -> Generator[simpy.Event, Any, None]:
        arrived = env.now
        with desk.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(service)

    def source() -> Generator[simpy.Event, Any, None]:
        for gap, service in zip(gaps, services, strict=True):
            yield env.timeout(gap)
            env.process(customer(service))

    env.process(source())
    start = time.perf_counter()
    env.run()
    elapsed = time.perf_counter() - start
    return customers / elapsed, float(np.mean(waits))
