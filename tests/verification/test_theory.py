"""Queueing formulas of sla_sim.verification.theory against closed forms, published tables and simulation."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy import integrate, linalg, stats

from sla_sim.verification.theory import (
    ErlangA,
    erlang_b,
    erlang_c,
    erlang_c_mean_wait,
    erlang_c_queue_length,
    erlang_c_service_level,
    erlang_c_staffing,
)

# ---------------------------------------------------------------------------------------------
# Erlang B and C: closed forms, tables, and an independent computation in log space


@pytest.mark.parametrize("rho", [0.0, 0.1, 0.5, 0.9, 0.99])
def test_mm1_waiting_probability_and_mean_wait(rho: float) -> None:
    # M/M/1 (Kleinrock, Queueing Systems Vol. 1, 1975, §3.2): P(wait) = rho, Wq = rho / (mu - lambda).
    service_rate = 2.0
    arrival_rate = rho * service_rate
    assert erlang_c(1, rho) == pytest.approx(rho, abs=1e-15)
    expected_wait = rho / (service_rate - arrival_rate)
    assert erlang_c_mean_wait(1, arrival_rate, service_rate) == pytest.approx(expected_wait)


@pytest.mark.parametrize("load", [0.2, 1.0, 1.5, 1.9])
def test_mm2_waiting_probability(load: float) -> None:
    # M/M/2 (Kleinrock 1975, §3.5 with c = 2): C(2, a) = 2 rho^2 / (1 + rho), rho = a / 2.
    rho = load / 2
    assert erlang_c(2, load) == pytest.approx(2 * rho**2 / (1 + rho), rel=1e-13)


@pytest.mark.parametrize("load", [0.0, 0.3, 1.0, 7.5])
def test_erlang_b_one_server(load: float) -> None:
    # Erlang's loss formula with one server (Kleinrock 1975, §3.7, M/M/m/m): B(1, a) = a / (1 + a).
    assert erlang_b(1, load) == pytest.approx(load / (1 + load), abs=1e-15)


@pytest.mark.parametrize(
    ("servers", "load"), [(5, 1.36), (10, 4.46), (20, 12.03), (50, 37.90), (100, 84.06)]
)
def test_erlang_b_table_one_percent(servers: int, load: float) -> None:
    # Standard Erlang B tables (as printed in teletraffic engineering handbooks, e.g. the ITU-D
    # Teletraffic Engineering Handbook): the offered load giving 1% blocking, to 2 decimals.
    assert 0.0098 <= erlang_b(servers, load) <= 0.0102


def test_call_centre_worked_example() -> None:
    # The common Erlang C worked example: 100 calls in 30 minutes of 180 s each (10 Erlangs) answered
    # by 11 agents: probability of waiting 0.6821.
    assert round(erlang_c(11, 10.0), 4) == 0.6821


def _log_term(k: int, load: float) -> float:
    """log(a^k / k!)."""
    return k * math.log(load) - math.lgamma(k + 1)


def _log_sum(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def _erlang_b_direct(servers: int, load: float) -> float:
    """Erlang's loss formula (a^c / c!) / sum_{k<=c} a^k / k!, in log space."""
    terms = [_log_term(k, load) for k in range(servers + 1)]
    return math.exp(terms[-1] - _log_sum(terms))


def _erlang_c_direct(servers: int, load: float) -> float:
    """Erlang C as the textbook sum (Kleinrock 1975, §3.5), in log space."""
    last = _log_term(servers, load) + math.log(servers / (servers - load))
    terms = [_log_term(k, load) for k in range(servers)] + [last]
    return math.exp(last - _log_sum(terms))


@pytest.mark.parametrize("servers", [1, 5, 50, 300])
@pytest.mark.parametrize("utilisation", [0.05, 0.5, 0.8, 0.95, 0.999])
def test_erlang_c_matches_direct_sum(servers: int, utilisation: float) -> None:
    load = utilisation * servers
    assert erlang_c(servers, load) == pytest.approx(_erlang_c_direct(servers, load), rel=1e-11)


@pytest.mark.parametrize(("servers", "load"), [(1, 0.5), (30, 25.0), (300, 280.0), (1000, 950.0)])
def test_erlang_b_matches_direct_sum(servers: int, load: float) -> None:
    assert erlang_b(servers, load) == pytest.approx(_erlang_b_direct(servers, load), rel=1e-11)


def test_erlang_b_without_overflow_for_many_servers() -> None:
    for servers in (1000, 5000):
        blocking = erlang_b(servers, 1.2 * servers)  # a^c / c! alone would overflow
        assert 0 < blocking < 1
        assert math.isfinite(erlang_c(servers, 0.99 * servers))


def test_erlang_c_measures_agree() -> None:
    servers, arrival_rate, service_rate = 7, 30.0, 5.0
    waiting = erlang_c(servers, arrival_rate / service_rate)
    mean_wait = erlang_c_mean_wait(servers, arrival_rate, service_rate)
    # Little's law (Kleinrock 1975, ch. 2): Lq = lambda Wq.
    assert erlang_c_queue_length(servers, arrival_rate, service_rate) == pytest.approx(
        arrival_rate * mean_wait
    )
    assert erlang_c_service_level(servers, arrival_rate, service_rate, 0.0) == pytest.approx(
        1 - waiting
    )
    # The mean wait is the integral of P(wait > t) = C exp(-(c mu - lambda) t).
    tail, _ = integrate.quad(
        lambda t: 1 - erlang_c_service_level(servers, arrival_rate, service_rate, t), 0, np.inf
    )
    assert tail == pytest.approx(mean_wait, rel=1e-9)


def test_erlang_c_unstable() -> None:
    assert erlang_c(3, 3.0) == 1.0
    assert erlang_c(3, 4.5) == 1.0
    assert erlang_c_mean_wait(3, 6.0, 2.0) == math.inf
    assert erlang_c_queue_length(3, 7.0, 2.0) == math.inf
    assert erlang_c_service_level(3, 6.0, 2.0, 1.0) == 0.0


@pytest.mark.parametrize(
    ("arrival_rate", "service_rate", "target", "level"),
    [
        (200.0, 20.0, 20 / 3600, 0.8),  # the worked example above: 10 Erlangs, 80% in 20 s
        (3.0, 1.0, 0.0, 0.5),
        (0.4, 0.5, 1.0, 0.95),
        (95.0, 1.0, 0.25, 0.9),
        (480.0, 1.0, 0.1, 0.99),
    ],
)
def test_staffing_is_the_fewest_servers(
    arrival_rate: float, service_rate: float, target: float, level: float
) -> None:
    servers = erlang_c_staffing(arrival_rate, service_rate, target, level)
    assert erlang_c_service_level(servers, arrival_rate, service_rate, target) >= level
    assert erlang_c_service_level(servers - 1, arrival_rate, service_rate, target) < level


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang_b(-1, 1.0),
        lambda: erlang_b(2, -1.0),
        lambda: erlang_c_mean_wait(2, 1.0, 0.0),
        lambda: erlang_c_service_level(2, 1.0, 1.0, -1.0),
        lambda: erlang_c_staffing(1.0, 1.0, 0.1, 1.0),
        lambda: ErlangA(2, 1.0, 1.0, 0.0),
        lambda: ErlangA(0, 1.0, 1.0, 1.0),
        lambda: ErlangA(2, 1.0, 1.0, 1.0).served_within(-0.1),
    ],
)
def test_invalid_input_is_refused(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="must be"):
        call()


# ---------------------------------------------------------------------------------------------
# Erlang A (M/M/c+M). References: Palm (1943); Garnett, Mandelbaum & Reiman, "Designing a call
# center with impatient customers", M&SOM 4(3), 2002; Mandelbaum & Zeltyn, "The M/M/n+G queue:
# summary of performance measures", Technion note, 2009.

SMALL = [(1, 0.7, 1.0), (5, 3.0, 1.0), (50, 45.0, 2.0)]  # (servers, arrival_rate, service_rate)


@pytest.mark.parametrize(("servers", "arrival_rate", "service_rate"), SMALL)
def test_erlang_a_without_abandonment_is_erlang_c(
    servers: int, arrival_rate: float, service_rate: float
) -> None:
    queue = ErlangA(servers, arrival_rate, service_rate, abandonment_rate=1e-7)
    load = arrival_rate / service_rate
    assert queue.p_wait == pytest.approx(erlang_c(servers, load), abs=1e-6)
    mean_wait = erlang_c_mean_wait(servers, arrival_rate, service_rate)
    assert queue.mean_wait_served == pytest.approx(mean_wait, rel=1e-5)
    assert queue.mean_wait_all == pytest.approx(mean_wait, rel=1e-5)
    assert queue.p_abandon < 1e-5
    for target in (0.0, 0.05, 0.5, 2.0):
        expected = erlang_c_service_level(servers, arrival_rate, service_rate, target)
        assert queue.served_within(target) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(("servers", "load"), [(1, 0.5), (4, 6.0), (30, 25.0), (200, 230.0)])
def test_erlang_a_with_patience_like_service_is_poisson(servers: int, load: float) -> None:
    # With theta = mu the death rate is n mu in every state, as in M/M/infinity, so the number in
    # system is Poisson(a) (Kleinrock 1975, §3.4).
    service_rate = 1.5
    queue = ErlangA(servers, load * service_rate, service_rate, abandonment_rate=service_rate)
    pi = queue.distribution()
    n = np.arange(pi.size)
    np.testing.assert_allclose(pi, stats.poisson.pmf(n, load), rtol=1e-10, atol=1e-16)
    assert stats.poisson.sf(pi.size - 1, load) < 1e-14  # truncated only where the tail is tiny
    many = np.arange(servers, servers + 10 * int(load) + 100)
    excess = float(np.sum((many - servers) * stats.poisson.pmf(many, load)))
    assert queue.p_abandon == pytest.approx(excess / load, rel=1e-10)


@pytest.mark.parametrize(("servers", "load"), [(1, 0.5), (5, 4.0), (10, 9.0), (40, 45.0)])
def test_erlang_a_with_no_patience_is_erlang_b(servers: int, load: float) -> None:
    # Callers who would wait leave at once: the loss system M/M/c/c (Kleinrock 1975, §3.7).
    queue = ErlangA(servers, load, 1.0, abandonment_rate=1e6)
    assert queue.p_abandon == pytest.approx(erlang_b(servers, load), rel=1e-4)
    assert queue.p_wait == pytest.approx(erlang_b(servers, load), rel=1e-4)
    assert queue.mean_wait_served < 1e-5


CASES = [
    (1, 0.8, 1.0, 0.3),
    (3, 2.5, 1.0, 0.5),
    (10, 12.0, 1.0, 2.0),
    (25, 20.0, 0.9, 0.05),
    (100, 130.0, 1.0, 0.25),
]  # (servers, arrival_rate, service_rate, abandonment_rate), stable and overloaded


@pytest.mark.parametrize(("servers", "arrival_rate", "service_rate", "abandonment_rate"), CASES)
def test_erlang_a_flow_balance(
    servers: int, arrival_rate: float, service_rate: float, abandonment_rate: float
) -> None:
    queue = ErlangA(servers, arrival_rate, service_rate, abandonment_rate)
    pi = queue.distribution()
    assert pi.sum() == pytest.approx(1.0, abs=1e-13)
    busy = float(np.minimum(np.arange(pi.size), servers) @ pi)
    # Served flow in = completions out: lambda (1 - P(abandon)) = mu E[min(n, c)].
    assert arrival_rate * (1 - queue.p_abandon) == pytest.approx(service_rate * busy, rel=1e-12)
    # The tagged-arrival chain gives P(served) on its own; it must agree with the flow balance.
    assert queue.p_served == pytest.approx(1 - queue.p_abandon, rel=1e-12)
    assert queue.mean_queue_length == pytest.approx(arrival_rate * queue.mean_wait_all)


@pytest.mark.parametrize(("servers", "arrival_rate", "service_rate", "abandonment_rate"), CASES)
def test_erlang_a_served_within(
    servers: int, arrival_rate: float, service_rate: float, abandonment_rate: float
) -> None:
    queue = ErlangA(servers, arrival_rate, service_rate, abandonment_rate)
    targets = np.concatenate(([0.0], np.geomspace(1e-4, 200.0, 60)))
    within = np.array([queue.served_within(t) for t in targets])
    assert within[0] == pytest.approx(1 - queue.p_wait, abs=1e-14)
    assert np.all(np.diff(within) >= -1e-14)
    assert within[-1] == pytest.approx(1 - queue.p_abandon, rel=1e-12)
    assert queue.served_within(math.inf) == pytest.approx(1 - queue.p_abandon, rel=1e-12)
    # The mean wait of the served is the integral of P(served) - P(served within t), over P(served).
    late, _ = integrate.quad(lambda t: queue.p_served - queue.served_within(t), 0, np.inf)
    assert late / queue.p_served == pytest.approx(queue.mean_wait_served, rel=1e-7)


@pytest.mark.parametrize(("servers", "arrival_rate", "service_rate", "abandonment_rate"), CASES)
def test_erlang_a_served_within_matches_tagged_chain(
    servers: int, arrival_rate: float, service_rate: float, abandonment_rate: float
) -> None:
    # The closed form used by served_within against the generator form it replaces:
    # P(served by t | i) = ((-T)^{-1} (I - expm(T t)) s)_i, with a dense matrix exponential.
    queue = ErlangA(servers, arrival_rate, service_rate, abandonment_rate)
    seen = queue.distribution()
    ahead = seen[servers:]
    i = np.arange(ahead.size)
    moving_on = servers * service_rate + i * abandonment_rate
    generator = np.diag(-(moving_on + abandonment_rate)) + np.diag(moving_on[1:], -1)
    into_service = np.zeros(ahead.size)
    into_service[0] = servers * service_rate
    for target in (0.01, 0.2, 1.0):
        served = linalg.solve(
            -generator, into_service - linalg.expm(generator * target) @ into_service
        )
        expected = seen[:servers].sum() + ahead @ served
        assert queue.served_within(target) == pytest.approx(expected, abs=1e-12)


def test_erlang_a_light_load() -> None:
    queue = ErlangA(10, 0.01, 1.0, 1.0)
    assert queue.distribution().size > 10
    assert 0 < queue.p_wait < 1e-20
    assert queue.served_within(0.1) == pytest.approx(1.0)
    assert queue.mean_wait_served == pytest.approx(0.0, abs=1e-20)


@pytest.mark.parametrize("arrival_rate", [480.0, 520.0])
@pytest.mark.parametrize("abandonment_rate", [1e-3, 0.5, 5.0])
def test_erlang_a_many_servers(arrival_rate: float, abandonment_rate: float) -> None:
    queue = ErlangA(500, arrival_rate, 1.0, abandonment_rate)
    pi = queue.distribution()
    assert np.all(pi >= 0)
    assert pi.sum() == pytest.approx(1.0, abs=1e-12)
    probabilities = [queue.p_wait, queue.p_abandon, queue.p_served, queue.served_within(0.05)]
    assert all(0 <= p <= 1 for p in probabilities)
    assert queue.p_served + queue.p_abandon == pytest.approx(1.0, abs=1e-12)
    assert 0 < queue.mean_wait_served < queue.mean_wait_all * 1e3
    assert 1 - queue.p_wait <= queue.served_within(0.05) <= queue.p_served


def _simulate_mmc_abandonment(
    servers: int,
    arrival_rate: float,
    service_rate: float,
    abandonment_rate: float,
    arrivals: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """FCFS M/M/c+M, one arrival at a time: each arrival's wait and whether it was served.

    Arrivals are taken in order; the earliest time a server frees up is when this arrival would
    start, since everyone before it has started or given up. It is served if that wait is within
    its patience; one who gives up never holds a server.
    """
    rng = np.random.default_rng(seed)
    arrival = np.cumsum(rng.exponential(1 / arrival_rate, arrivals))
    service = rng.exponential(1 / service_rate, arrivals)
    patience = rng.exponential(1 / abandonment_rate, arrivals)
    free_at = [0.0] * servers
    wait = np.empty(arrivals)
    served = np.empty(arrivals, dtype=bool)
    for k in range(arrivals):
        start = max(arrival[k], free_at[0])
        wait[k] = start - arrival[k]
        served[k] = wait[k] <= patience[k]
        if served[k]:
            heapq.heapreplace(free_at, start + service[k])
    return wait, served


def _batch_means(values: np.ndarray, batches: int = 50) -> tuple[float, float]:
    """Mean and its standard error from the means of consecutive batches.

    Successive arrivals see nearly the same queue, so a binomial standard error, which treats them
    as independent, is 1.4 to 2.4 times too small here; batch means of 4,000 arrivals are close to
    independent.
    """
    means = values[: values.size // batches * batches].reshape(batches, -1).mean(axis=1)
    return float(means.mean()), float(means.std(ddof=1) / math.sqrt(batches))


def test_erlang_a_against_simulation() -> None:
    servers, arrival_rate, service_rate, abandonment_rate, target = 3, 2.5, 1.0, 0.5, 0.5
    wait, served = _simulate_mmc_abandonment(
        servers, arrival_rate, service_rate, abandonment_rate, arrivals=201_000, seed=20270104
    )
    wait, served = wait[1000:], served[1000:]  # drop the start from empty
    queue = ErlangA(servers, arrival_rate, service_rate, abandonment_rate)
    for observed, expected in [
        (~served, queue.p_abandon),
        (served & (wait <= target), queue.served_within(target)),
        (np.where(served, wait, 0.0), queue.mean_wait_served * queue.p_served),
    ]:
        mean, standard_error = _batch_means(observed.astype(float))
        assert abs(mean - expected) < 4 * standard_error
