"""Queueing theory the simulator is validated against: Erlang B, Erlang C (M/M/c), Erlang A (M/M/c+M).

Written here rather than taken from a library so that every formula is visible and tested. Units:
rates are per hour, times are in hours; `load = arrival_rate / service_rate` is the offered load in
Erlangs. Probabilities are computed by stable recursions or in log space, so hundreds of servers
neither overflow nor lose precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import linalg, special

TAIL_MASS = 1e-15
"""Erlang A truncates the number in system where the probability beyond is below this."""

MAX_STATES = 10_000_000
"""Erlang A refuses parameters whose distribution would need more states than this."""


def _check_servers(servers: int) -> None:
    if servers < 0:
        raise ValueError(f"servers must be 0 or more, got {servers}")


def _check_rates(arrival_rate: float, service_rate: float) -> None:
    if not arrival_rate >= 0:
        raise ValueError(f"arrival_rate must be 0 or more (per hour), got {arrival_rate}")
    if not service_rate > 0:
        raise ValueError(f"service_rate must be above 0 (per hour), got {service_rate}")


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/c/c (Erlang loss) with `load` Erlangs offered to `servers`.

    Uses the recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), which stays in [0, 1] and so
    never overflows, unlike the textbook ratio of a^c / c! to a partial sum.
    """
    _check_servers(servers)
    if not load >= 0:
        raise ValueError(f"load must be 0 or more Erlangs, got {load}")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits in M/M/c (Erlang C); 1.0 when the queue is unstable.

    Derived from Erlang B: C = c B / (c - a (1 - B)).
    """
    if load >= servers:
        _check_servers(servers)
        return 1.0
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1.0 - blocking))


def erlang_c_mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean time in queue over all arrivals (those served at once count 0): C / (c mu - lambda)."""
    _check_rates(arrival_rate, service_rate)
    spare_rate = servers * service_rate - arrival_rate
    if spare_rate <= 0:
        return math.inf
    return erlang_c(servers, arrival_rate / service_rate) / spare_rate


def erlang_c_service_level(
    servers: int, arrival_rate: float, service_rate: float, target: float
) -> float:
    """P(wait <= target hours) in M/M/c: 1 - C exp(-(c mu - lambda) t); 0.0 when unstable."""
    _check_rates(arrival_rate, service_rate)
    if not target >= 0:
        raise ValueError(f"target must be 0 or more hours, got {target}")
    spare_rate = servers * service_rate - arrival_rate
    if spare_rate <= 0:
        return 0.0
    waiting = erlang_c(servers, arrival_rate / service_rate)
    return 1.0 - waiting * math.exp(-spare_rate * target)


def erlang_c_queue_length(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean number waiting in M/M/c, by Little's law Lq = lambda Wq; inf when unstable."""
    mean_wait = erlang_c_mean_wait(servers, arrival_rate, service_rate)
    return arrival_rate * mean_wait if arrival_rate > 0 else 0.0


def erlang_c_staffing(arrival_rate: float, service_rate: float, target: float, level: float) -> int:
    """Fewest servers whose M/M/c service level within `target` hours is at least `level`.

    Searches upward from the smallest stable number of servers; the service level rises with c.
    """
    _check_rates(arrival_rate, service_rate)
    if not 0 <= level < 1:
        raise ValueError(f"level must be in [0, 1), got {level}")
    servers = math.floor(arrival_rate / service_rate) + 1
    while erlang_c_service_level(servers, arrival_rate, service_rate, target) < level:
        servers += 1
    return servers


@dataclass(frozen=True)
class ErlangA:
    """M/M/c+M: Poisson arrivals, c exponential servers, and exponential patience in the queue.

    A caller who is still waiting after an Exp(abandonment_rate) patience leaves unserved (the lead
    goes cold). Performance measures come from the stationary distribution of the number in system
    and, for waits of those served, from the chain of one tagged arrival.
    """

    servers: int
    arrival_rate: float
    service_rate: float
    abandonment_rate: float

    def __post_init__(self) -> None:
        if self.servers < 1:
            raise ValueError(f"servers must be 1 or more, got {self.servers}")
        if not self.arrival_rate > 0:
            raise ValueError(f"arrival_rate must be above 0 (per hour), got {self.arrival_rate}")
        if not self.service_rate > 0:
            raise ValueError(f"service_rate must be above 0 (per hour), got {self.service_rate}")
        if not (self.abandonment_rate > 0 and math.isfinite(self.abandonment_rate)):
            raise ValueError(
                f"abandonment_rate must be above 0 and finite (per hour), got {self.abandonment_rate}"
            )

    @property
    def load(self) -> float:
        """Offered load in Erlangs."""
        return self.arrival_rate / self.service_rate

    def _death_rates(self, n: np.ndarray) -> np.ndarray:
        """Rate of leaving state n: service min(n, c) mu plus abandonment max(n - c, 0) theta."""
        c = self.servers
        return np.minimum(n, c) * self.service_rate + np.maximum(n - c, 0) * self.abandonment_rate

    @cached_property
    def _pi(self) -> np.ndarray:
        """Stationary distribution of the number in system, computed in log space and truncated."""
        c, theta = self.servers, self.abandonment_rate
        excess = max(self.arrival_rate - c * self.service_rate, 0.0) / theta
        size = int(min(MAX_STATES, max(64, 2 * c, c + 2 * excess + 20 * math.sqrt(c + excess))))
        log_tail = math.log(TAIL_MASS)
        while True:
            n = np.arange(1, size + 1, dtype=float)
            log_ratio = math.log(self.arrival_rate) - np.log(self._death_rates(n))
            log_weight = np.concatenate(([0.0], np.cumsum(log_ratio)))
            log_total = float(np.logaddexp.reduce(log_weight))
            # pi_{n+k} <= pi_n r^k with r = lambda / d(n+1) < 1 (death rates grow with n), so the
            # mass beyond n is at most pi_n r / (1 - r).
            ratio = np.exp(log_ratio)
            shrinking = ratio < 1
            log_bound = np.full(size, np.inf)
            log_bound[shrinking] = (
                log_weight[:-1][shrinking] + log_ratio[shrinking] - np.log1p(-ratio[shrinking])
            )
            below = np.flatnonzero(log_bound - log_total < log_tail)
            if below.size:
                last = max(int(below[0]), c)  # keep state c, so the queue part is never empty
                pi = np.exp(log_weight[: last + 1] - log_total)
                return pi / pi.sum()
            if size >= MAX_STATES:
                raise ValueError(
                    f"Erlang A needs more than {MAX_STATES} states for {self}; "
                    "abandonment_rate is too small for this overload"
                )
            size = min(MAX_STATES, 2 * size)

    def distribution(self) -> np.ndarray:
        """Stationary probabilities pi_n of n in system, n = 0, 1, ... (tail below 1e-15 dropped)."""
        return self._pi.copy()

    @cached_property
    def _queue_pi(self) -> np.ndarray:
        """Probabilities that an arrival finds j = 0, 1, ... callers waiting and all servers busy."""
        return self._pi[self.servers :]

    @property
    def p_wait(self) -> float:
        """Probability that an arrival finds every server busy and waits (PASTA)."""
        return float(self._queue_pi.sum())

    @property
    def mean_queue_length(self) -> float:
        """Mean number waiting, E[(n - c)^+]."""
        queue = self._queue_pi
        return float(np.arange(queue.size) @ queue)

    @property
    def p_abandon(self) -> float:
        """Probability that an arrival abandons: abandonment flow theta E[queue] over arrivals."""
        return self.abandonment_rate * self.mean_queue_length / self.arrival_rate

    @property
    def mean_wait_all(self) -> float:
        """Mean time in queue of every arrival (abandoning ones until they leave), E[queue] / lambda."""
        return self.mean_queue_length / self.arrival_rate

    @cached_property
    def _tagged(self) -> tuple[np.ndarray, np.ndarray]:
        """For an arrival with i = 0, 1, ... callers ahead: P(served | i) and E[wait; served | i].

        Its chain leaves state i at rate c mu + i theta towards i - 1 (from 0: into service) and at
        rate theta by giving up. With T that chain's transient generator (lower bidiagonal) and s
        the rates into service, the two vectors are (-T)^{-1} s and (-T)^{-2} s.
        """
        size = self._queue_pi.size
        capacity = self.servers * self.service_rate
        moving_on = capacity + np.arange(size) * self.abandonment_rate
        banded = np.zeros((2, size))  # -T in the (lower = 1, upper = 0) band storage
        banded[0] = moving_on + self.abandonment_rate
        banded[1, :-1] = -moving_on[1:]
        into_service = np.zeros(size)
        into_service[0] = capacity
        served = linalg.solve_banded((1, 0), banded, into_service)
        wait_served = linalg.solve_banded((1, 0), banded, served)
        return served, wait_served

    @property
    def p_served(self) -> float:
        """Probability that an arrival is served; equals 1 - p_abandon."""
        served, _ = self._tagged
        return float(self._pi[: self.servers].sum() + self._queue_pi @ served)

    @property
    def mean_wait_served(self) -> float:
        """Mean wait of the arrivals who are served (those served at once count 0)."""
        _, wait_served = self._tagged
        return float(self._queue_pi @ wait_served) / self.p_served

    def served_within(self, target: float) -> float:
        """Probability that an arrival is served and has waited at most `target` hours.

        P(served by t | i) = ((-T)^{-1} (I - e^{Tt}) s)_i has a closed form, used here because
        e^{Tt} takes seconds when (c mu + J theta) t is large. The wait to service of an arrival
        with i ahead, had it infinite patience, is a sum of Exp(c mu + k theta), k = 0..i, which by
        Rényi's representation is the (i+1)-th smallest of b + i Exp(theta) times, b = c mu / theta:
        P(<= t) = I_p(i + 1, b) with p = 1 - exp(-theta t). Weighting its density by the chance
        exp(-theta u) that the arrival's own patience lasts gives
        b / (b + i + 1) * I_p(i + 1, b + 1). The tests check this against expm(T t).
        """
        if not target >= 0:
            raise ValueError(f"target must be 0 or more hours, got {target}")
        if math.isinf(target):
            return self.p_served
        at_once = float(self._pi[: self.servers].sum())
        ahead = np.arange(1, self._queue_pi.size + 1, dtype=float)
        b = self.servers * self.service_rate / self.abandonment_rate
        reached = -math.expm1(-self.abandonment_rate * target)
        in_time = b / (b + ahead) * special.betainc(ahead, b + 1, reached)
        return at_once + float(self._queue_pi @ in_time)
