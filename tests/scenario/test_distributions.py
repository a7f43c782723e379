"""Distributions of the scenario file: stated moments, sampling, inverse CDF and validation.

Moments are checked against the textbook formulas and against scipy.stats as an independent oracle;
sampling is checked against the stated moments with tolerances from the sample's own standard error.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from sla_sim.scenario.distributions import (
    Beta,
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Triangular,
    Uniform,
    as_distribution,
)

ADAPTER: TypeAdapter[Any] = TypeAdapter(Distribution)
N = 200_000
Z = 5.0  # standard errors allowed for a single statistical check


def build(document: object) -> Any:
    return ADAPTER.validate_python(as_distribution(document))


def _textbook(document: dict[str, Any]) -> tuple[float, float]:
    """Mean and variance written out from the parameters, independently of the classes."""
    kind = document["dist"]
    if kind == "exponential":
        m = document["mean"]
        return m, m * m
    if kind == "lognormal":
        mu, s = math.log(document["median"]), document["sigma"]
        return math.exp(mu + s * s / 2), (math.exp(s * s) - 1) * math.exp(2 * mu + s * s)
    if kind == "gamma":
        m, cv = document["mean"], document["cv"]
        k = 1 / cv**2
        theta = m / k
        return k * theta, k * theta * theta
    if kind == "beta":
        a, b = document["a"], document["b"]
        return a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))
    if kind == "uniform":
        lo, hi = document["low"], document["high"]
        return (lo + hi) / 2, (hi - lo) ** 2 / 12
    if kind == "triangular":
        a, c, b = document["low"], document["mode"], document["high"]
        return (a + b + c) / 3, (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    if kind == "empirical":
        v = document["values"]
        mean = sum(v) / len(v)
        return mean, sum((x - mean) ** 2 for x in v) / len(v)
    raise AssertionError(kind)


def _scipy(document: dict[str, Any]) -> Any:
    """The same distribution as a frozen scipy.stats object (continuous kinds only)."""
    kind = document["dist"]
    if kind == "exponential":
        return stats.expon(scale=document["mean"])
    if kind == "lognormal":
        return stats.lognorm(s=document["sigma"], scale=document["median"])
    if kind == "gamma":
        k = 1 / document["cv"] ** 2
        return stats.gamma(a=k, scale=document["mean"] / k)
    if kind == "beta":
        return stats.beta(document["a"], document["b"])
    if kind == "uniform":
        lo, hi = document["low"], document["high"]
        return stats.uniform(loc=lo, scale=hi - lo)
    if kind == "triangular":
        a, c, b = document["low"], document["mode"], document["high"]
        return stats.triang(c=(c - a) / (b - a), loc=a, scale=b - a)
    raise AssertionError(kind)


CONTINUOUS: list[dict[str, Any]] = [
    {"dist": "exponential", "mean": 6.0},
    {"dist": "exponential", "mean": 0.25},
    {"dist": "lognormal", "median": 6.0, "sigma": 0.5},
    {"dist": "lognormal", "median": 35.0, "sigma": 0.6},
    {"dist": "gamma", "mean": 0.6, "cv": 1.0},
    {"dist": "gamma", "mean": 10.0, "cv": 0.3},
    {"dist": "gamma", "mean": 2.0, "cv": 1.8},
    {"dist": "beta", "a": 4.0, "b": 2.0},
    {"dist": "beta", "a": 0.5, "b": 0.5},
    {"dist": "uniform", "low": 1.0, "high": 3.0},
    {"dist": "uniform", "low": -2.0, "high": 5.0},
    {"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 5.0},
    {"dist": "triangular", "low": 0.0, "mode": 0.0, "high": 1.0},
    {"dist": "triangular", "low": 0.0, "mode": 4.0, "high": 4.0},
]
DISCRETE: list[dict[str, Any]] = [
    {"dist": "empirical", "values": [1.0, 2.0, 2.0, 7.5, 11.0]},
    {"dist": "empirical", "values": [3.0]},
    {"dist": "empirical", "values": [0.0, 100.0]},
]
RANDOM = [d for d in CONTINUOUS + DISCRETE if _textbook(d)[1] > 0]


def _id(document: dict[str, Any]) -> str:
    return "-".join(str(v) for v in document.values())


# --- construction ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "cls"),
    [
        ({"dist": "exponential", "mean": 6}, Exponential),
        ({"dist": "lognormal", "median": 6, "sigma": 0.5}, Lognormal),
        ({"dist": "gamma", "mean": 0.6, "cv": 1.0}, Gamma),
        ({"dist": "beta", "a": 4, "b": 2}, Beta),
        ({"dist": "uniform", "low": 1, "high": 3}, Uniform),
        ({"dist": "triangular", "low": 1, "mode": 2, "high": 5}, Triangular),
        ({"dist": "empirical", "values": [1, 2, 3]}, Empirical),
        ({"dist": "fixed", "value": 5}, Fixed),
        (5, Fixed),
        (2.5, Fixed),
    ],
)
def test_documents_build_the_right_class(document: object, cls: type) -> None:
    assert isinstance(build(document), cls)


def test_a_plain_number_is_a_fixed_distribution() -> None:
    dist = build(5)
    assert dist.mean == 5.0
    assert dist.variance == 0.0
    assert dist.low == 5.0
    assert np.array_equal(dist.sample(np.random.default_rng(0), 10), np.full(10, 5.0))
    u = np.linspace(0.01, 0.99, 7)
    assert np.array_equal(dist.ppf(u), np.full(7, 5.0))
    assert dist.ppf(np.zeros((2, 3))).shape == (2, 3)


def test_lower_bounds() -> None:
    assert build({"dist": "exponential", "mean": 3}).low == 0.0
    assert build({"dist": "uniform", "low": 1, "high": 3}).low == 1.0
    assert build({"dist": "triangular", "low": -1, "mode": 0, "high": 2}).low == -1.0
    assert build({"dist": "empirical", "values": [4, 2, 9]}).low == 2.0


# --- stated moments ----------------------------------------------------------------------------


@pytest.mark.parametrize("document", CONTINUOUS + DISCRETE, ids=_id)
def test_mean_and_variance_are_the_textbook_formulas(document: dict[str, Any]) -> None:
    dist = build(document)
    mean, variance = _textbook(document)
    assert dist.mean == pytest.approx(mean, rel=1e-12, abs=1e-300)
    assert dist.variance == pytest.approx(variance, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("document", CONTINUOUS, ids=_id)
def test_moments_agree_with_scipy(document: dict[str, Any]) -> None:
    dist, reference = build(document), _scipy(document)
    assert dist.mean == pytest.approx(reference.mean(), rel=1e-9)
    assert dist.variance == pytest.approx(reference.var(), rel=1e-9, abs=1e-15)


# --- sampling ----------------------------------------------------------------------------------


@pytest.mark.parametrize("document", RANDOM, ids=_id)
def test_sample_mean_and_variance_match_within_their_standard_errors(
    document: dict[str, Any],
) -> None:
    dist = build(document)
    x = dist.sample(np.random.default_rng(20270104), N)
    assert x.shape == (N,)
    assert np.all(x >= dist.low)

    mean_se = math.sqrt(dist.variance / N)
    assert abs(x.mean() - dist.mean) < Z * mean_se

    # Var(s^2) = (mu4 - sigma^4 (n - 3) / (n - 1)) / n, with mu4 estimated from the sample.
    s2 = x.var(ddof=1)
    mu4 = np.mean((x - x.mean()) ** 4)
    var_se = math.sqrt(max(mu4 - s2 * s2 * (N - 3) / (N - 1), 0.0) / N)
    assert abs(s2 - dist.variance) < Z * var_se


def test_sampling_is_reproducible_with_a_fixed_seed() -> None:
    dist = build({"dist": "gamma", "mean": 0.6, "cv": 1.0})
    a = dist.sample(np.random.default_rng(11), 1_000)
    b = dist.sample(np.random.default_rng(11), 1_000)
    assert np.array_equal(a, b)


@pytest.mark.parametrize("document", DISCRETE, ids=_id)
def test_empirical_samples_only_its_values_equally_often(document: dict[str, Any]) -> None:
    dist = build(document)
    values = document["values"]
    x = dist.sample(np.random.default_rng(5), N)
    assert set(np.unique(x)) <= set(values)
    for value in set(values):
        p = values.count(value) / len(values)
        share = float(np.mean(x == value))
        assert abs(share - p) <= Z * math.sqrt(p * (1 - p) / N)


# --- inverse CDF -------------------------------------------------------------------------------


@pytest.mark.parametrize("document", CONTINUOUS, ids=_id)
def test_ppf_has_the_distribution_of_sample(document: dict[str, Any]) -> None:
    dist = build(document)
    drawn = dist.sample(np.random.default_rng(101), N)
    inverted = dist.ppf(np.random.default_rng(202).random(N))
    assert stats.ks_2samp(drawn, inverted).pvalue > 0.001


@pytest.mark.parametrize("document", DISCRETE, ids=_id)
def test_empirical_ppf_has_the_distribution_of_sample(document: dict[str, Any]) -> None:
    dist = build(document)
    values = sorted(set(document["values"]))
    drawn = dist.sample(np.random.default_rng(101), N)
    inverted = dist.ppf(np.random.default_rng(202).random(N))
    assert set(np.unique(inverted)) <= set(values)
    if len(values) < 2:
        assert np.all(drawn == inverted)
        return
    table = np.array(
        [[np.sum(drawn == v) for v in values], [np.sum(inverted == v) for v in values]]
    )
    assert stats.chi2_contingency(table).pvalue > 0.001


@pytest.mark.parametrize("document", CONTINUOUS, ids=_id)
def test_ppf_matches_the_scipy_quantile_function(document: dict[str, Any]) -> None:
    dist, reference = build(document), _scipy(document)
    u = np.array([1e-6, 0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999, 1 - 1e-6])
    assert np.allclose(dist.ppf(u), reference.ppf(u), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("document", CONTINUOUS + DISCRETE, ids=_id)
def test_ppf_is_monotone_in_u(document: dict[str, Any]) -> None:
    dist = build(document)
    u = np.sort(np.random.default_rng(9).random(N))
    q = dist.ppf(u)
    assert q.shape == u.shape
    assert np.all(np.diff(q) >= 0)
    assert np.all(q >= dist.low)


def test_ppf_keeps_the_shape_of_its_input() -> None:
    dist = build({"dist": "lognormal", "median": 6, "sigma": 0.5})
    u = np.random.default_rng(1).random((4, 3))
    assert dist.ppf(u).shape == (4, 3)


# --- medians -----------------------------------------------------------------------------------


def test_lognormal_median_parameter_is_the_median() -> None:
    dist = build({"dist": "lognormal", "median": 6.0, "sigma": 0.5})
    assert float(dist.ppf(np.array(0.5))) == pytest.approx(6.0, rel=1e-12)
    x = dist.sample(np.random.default_rng(77), N)
    # Standard error of a sample median: 1 / (2 sqrt(n) f(median)).
    density = 1 / (6.0 * 0.5 * math.sqrt(2 * math.pi))
    assert abs(np.median(x) - 6.0) < Z / (2 * math.sqrt(N) * density)
    assert abs(np.mean(x < 6.0) - 0.5) < Z * math.sqrt(0.25 / N)


def test_lognormal_with_sigma_zero_is_its_median() -> None:
    dist = build({"dist": "lognormal", "median": 2.0, "sigma": 0.0})
    assert dist.mean == 2.0
    assert dist.variance == 0.0
    assert np.allclose(dist.sample(np.random.default_rng(0), 100), 2.0, rtol=1e-15)
    assert np.allclose(dist.ppf(np.linspace(0.01, 0.99, 9)), 2.0, rtol=1e-15)


@pytest.mark.parametrize("document", CONTINUOUS, ids=_id)
def test_sample_median_is_the_ppf_at_one_half(document: dict[str, Any]) -> None:
    dist, reference = build(document), _scipy(document)
    median = float(dist.ppf(np.array(0.5)))
    assert median == pytest.approx(reference.median(), rel=1e-9)
    x = dist.sample(np.random.default_rng(303), N)
    assert abs(np.mean(x < median) - 0.5) < Z * math.sqrt(0.25 / N)


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        {"dist": "exponential", "mean": -1},
        {"dist": "exponential", "mean": 0},
        {"dist": "gamma", "mean": -0.6, "cv": 1.0},
        {"dist": "gamma", "mean": 0.6, "cv": 0},
        {"dist": "gamma", "mean": 0.6, "cv": -1.0},
        {"dist": "lognormal", "median": -6, "sigma": 0.5},
        {"dist": "lognormal", "median": 6, "sigma": -0.5},
        {"dist": "beta", "a": 0, "b": 2},
        {"dist": "beta", "a": 2, "b": -1},
        {"dist": "uniform", "low": 3, "high": 3},
        {"dist": "uniform", "low": 3, "high": 1},
        {"dist": "triangular", "low": 1, "mode": 6, "high": 5},
        {"dist": "triangular", "low": 1, "mode": 0.5, "high": 5},
        {"dist": "triangular", "low": 2, "mode": 2, "high": 2},
        {"dist": "empirical", "values": []},
        {"dist": "weibull", "shape": 2, "scale": 1},
        {"dist": "exponential"},
        {"dist": "exponential", "mean": 6, "rate": 2},
        {"mean": 6},
    ],
    ids=lambda d: "-".join(f"{k}={v}" for k, v in d.items()),
)
def test_invalid_documents_raise_validation_error(document: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(document)
