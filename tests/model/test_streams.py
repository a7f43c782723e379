"""Named random streams: uniform, reproducible, independent, and stable when other draws change."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter
from scipy import stats

from sla_sim.model.streams import Streams
from sla_sim.scenario.distributions import Distribution

N = 100_000
LEADS = np.arange(N)
CORR_LIMIT = 5 / math.sqrt(N)  # |corr| of two independent samples of size N: ~ 1 / sqrt(N)


def corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


# --- counter-based uniforms --------------------------------------------------------------------


def test_uniforms_lie_strictly_inside_the_unit_interval() -> None:
    u = Streams(seed=1, replication=0).uniform("attempt", "Requests", LEADS)
    assert u.shape == (N,)
    assert np.all(u > 0)
    assert np.all(u < 1)
    # Safe for -log(u) and log1p(-u): no zero or one even at the extremes.
    assert np.all(np.isfinite(-np.log(u)))
    assert np.all(np.isfinite(np.log1p(-u)))


@pytest.mark.parametrize(
    ("seed", "replication", "name", "source", "index"),
    [
        (1, 0, "attempt", "Requests", 0),
        (2027, 39, "touch", "Content downloads", 7),
        (0, 3, "hand_raiser", "", 1_000_000),
    ],
)
def test_uniforms_are_uniform(
    seed: int, replication: int, name: str, source: str, index: int
) -> None:
    u = Streams(seed, replication).uniform(name, source, LEADS, index)
    assert stats.kstest(u, "uniform").pvalue > 0.001
    assert abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / N)


def test_uniforms_are_reproducible() -> None:
    a = Streams(seed=7, replication=3).uniform("connect", "Requests", LEADS, 2)
    b = Streams(seed=7, replication=3).uniform("connect", "Requests", LEADS, 2)
    assert np.array_equal(a, b)


def test_a_lead_gets_the_same_value_whichever_other_leads_are_asked_for() -> None:
    streams = Streams(seed=1, replication=0)
    everyone = streams.uniform("connect", "Requests", np.arange(1000))
    some = streams.uniform("connect", "Requests", np.array([500, 3, 999]))
    assert np.array_equal(some, everyone[[500, 3, 999]])
    one = streams.uniform("connect", "Requests", np.array([42]))
    assert one[0] == everyone[42]


def test_lead_and_index_broadcast_together() -> None:
    streams = Streams(seed=1, replication=0)
    leads = np.arange(50)
    index = np.arange(6)
    grid = streams.uniform("attempt", "Requests", leads[:, None], index)
    assert grid.shape == (50, 6)
    for j in index:
        assert np.array_equal(grid[:, j], streams.uniform("attempt", "Requests", leads, j))


@pytest.mark.parametrize(
    "other",
    [
        {"name": "qualify"},  # another stream name
        {"source": "Content downloads"},  # another source
        {"replication": 1},  # another replication
        {"seed": 2},  # another seed
        {"index": 1},  # the lead's next draw of the same stream
        {"name": "Requests", "source": "connect"},  # name and source swapped
    ],
    ids=lambda d: ",".join(d),
)
def test_different_addresses_give_uncorrelated_streams(other: dict[str, Any]) -> None:
    base: dict[str, Any] = {
        "seed": 1,
        "replication": 0,
        "name": "connect",
        "source": "Requests",
        "index": 0,
    }
    changed = {**base, **other}

    def draw(a: dict[str, Any]) -> np.ndarray:
        return Streams(a["seed"], a["replication"]).uniform(
            a["name"], a["source"], LEADS, a["index"]
        )

    u, v = draw(base), draw(changed)
    assert not np.any(u == v)
    assert abs(corr(u, v)) < CORR_LIMIT
    # Not only linearly: the pairs fill the unit square evenly (chi-square on a 10 x 10 grid).
    table, _, _ = np.histogram2d(u, v, bins=10, range=[[0, 1], [0, 1]])
    assert stats.chisquare(table.ravel()).pvalue > 0.001


def test_consecutive_leads_are_uncorrelated() -> None:
    # Arrival gaps use consecutive lead numbers of one stream: neighbours must be independent.
    u = Streams(seed=1, replication=0).uniform("arrival", "Requests", LEADS)
    for lag in (1, 2, 7):
        assert abs(corr(u[:-lag], u[lag:])) < CORR_LIMIT


def test_consecutive_indexes_of_a_lead_are_uncorrelated() -> None:
    streams = Streams(seed=1, replication=0)
    leads = np.arange(2_000)
    grid = streams.uniform("touch", "Requests", leads[:, None], np.arange(50))
    assert stats.kstest(grid.ravel(), "uniform").pvalue > 0.001
    n = grid[:, :-1].size
    assert abs(corr(grid[:, :-1].ravel(), grid[:, 1:].ravel())) < 5 / math.sqrt(n)


# --- keys --------------------------------------------------------------------------------------


def test_key_is_stable_across_calls_and_objects() -> None:
    a = Streams(seed=5, replication=2)
    assert a.key("arrival", "Requests") == a.key("arrival", "Requests")
    assert a.key("arrival", "Requests") == Streams(5, 2).key("arrival", "Requests")
    assert a.key("arrival") == a.key("arrival", "")
    assert isinstance(a.key("arrival", "Requests"), np.uint64)


def test_keys_differ_by_address() -> None:
    keys = {
        Streams(seed, rep).key(name, source)
        for seed in (1, 2)
        for rep in (0, 1, 2)
        for name in ("arrival", "fit", "touch", "connect")
        for source in ("Requests", "Content downloads")
    }
    assert len(keys) == 2 * 3 * 4 * 2


# --- generators --------------------------------------------------------------------------------

FIT_DISTS = [
    {"dist": "beta", "a": 2, "b": 4},
    {"dist": "gamma", "mean": 0.6, "cv": 1.0},
    {"dist": "uniform", "low": 0, "high": 1},
    {"dist": "triangular", "low": 0, "mode": 0.3, "high": 1},
    {"dist": "lognormal", "median": 6, "sigma": 0.5},
    {"dist": "exponential", "mean": 15},
    {"dist": "empirical", "values": [0.1, 0.4, 0.4, 0.9]},
]


def test_generator_is_prefix_stable() -> None:
    streams = Streams(seed=1, replication=0)
    many = streams.generator("fit", "Requests").random(1000)
    few = streams.generator("fit", "Requests").random(100)
    assert np.array_equal(many[:100], few)


@pytest.mark.parametrize("document", FIT_DISTS, ids=lambda d: d["dist"])
def test_distribution_samples_from_a_generator_are_prefix_stable(document: dict[str, Any]) -> None:
    # Lead #57 keeps its fit (or touch rate) when the source brings more leads.
    dist = TypeAdapter(Distribution).validate_python(document)
    streams = Streams(seed=3, replication=4)
    many = dist.sample(streams.generator("fit", "Requests"), 1000)
    few = dist.sample(streams.generator("fit", "Requests"), 100)
    assert np.array_equal(many[:100], few)


def test_generators_are_reproducible_and_differ_by_address() -> None:
    a = Streams(seed=1, replication=0).generator("fit", "Requests").random(N)
    again = Streams(seed=1, replication=0).generator("fit", "Requests").random(N)
    assert np.array_equal(a, again)
    others = [
        Streams(1, 0).generator("touches", "Requests").random(N),
        Streams(1, 0).generator("fit", "Content downloads").random(N),
        Streams(1, 1).generator("fit", "Requests").random(N),
        Streams(2, 0).generator("fit", "Requests").random(N),
    ]
    for b in others:
        assert abs(corr(a, b)) < CORR_LIMIT


def test_generator_and_uniform_of_the_same_address_are_uncorrelated() -> None:
    streams = Streams(seed=1, replication=0)
    g = streams.generator("fit", "Requests").random(N)
    u = streams.uniform("fit", "Requests", LEADS)
    assert abs(corr(g, u)) < CORR_LIMIT
