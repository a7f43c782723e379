"""Distributions of the scenario file: a plain number, or a table with `dist` and its parameters.

Each distribution samples in bulk from a numpy Generator (`sample`) or turns uniforms into draws by its
inverse CDF (`ppf`), and states its theoretical `mean` and `variance` (used by tests and by the
capacity check).
"""

from __future__ import annotations

import math
import typing
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import special

from sla_sim.scenario.values import LARGEST, Number, Parameter, finite

FloatArray = np.ndarray
# Limits that keep every accepted distribution samplable with a finite mean and variance.
SIGMA_MAX = 5.0
CV_MIN, CV_MAX = 0.01, 10.0
SHAPE_MIN, SHAPE_MAX = 0.01, 10_000.0
VALUES_MAX = 100_000


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def variance(self) -> float:
        raise NotImplementedError

    @property
    def low(self) -> float:
        """Smallest value the distribution can take."""
        return 0.0

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        raise NotImplementedError

    def ppf(self, u: FloatArray) -> FloatArray:
        raise NotImplementedError


class Fixed(_Dist):
    """A constant (written in the file as a plain number)."""

    dist: Literal["fixed"] = "fixed"
    value: Parameter

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    @property
    def low(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:  # noqa: ARG002
        return np.full(n, self.value)

    def ppf(self, u: FloatArray) -> FloatArray:
        return np.full(np.shape(u), self.value)


class Exponential(_Dist):
    dist: Literal["exponential"]
    mean_: Number = Field(alias="mean", gt=0, le=LARGEST)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_**2

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.exponential(self.mean_, n)

    def ppf(self, u: FloatArray) -> FloatArray:
        return -self.mean_ * np.log1p(-np.asarray(u))


class Lognormal(_Dist):
    dist: Literal["lognormal"]
    median: Number = Field(gt=0, le=LARGEST)
    sigma: Number = Field(ge=0, le=SIGMA_MAX)

    @property
    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)

    @property
    def variance(self) -> float:
        s2 = self.sigma**2
        return (math.exp(s2) - 1) * self.median**2 * math.exp(s2)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.lognormal(math.log(self.median), self.sigma, n)

    def ppf(self, u: FloatArray) -> FloatArray:
        return self.median * np.exp(self.sigma * special.ndtri(u))


class Gamma(_Dist):
    """Gamma by mean and coefficient of variation (cv = std / mean)."""

    dist: Literal["gamma"]
    mean_: Number = Field(alias="mean", gt=0, le=LARGEST)
    cv: Number = Field(ge=CV_MIN, le=CV_MAX)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def shape(self) -> float:
        return 1.0 / self.cv**2

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return (self.cv * self.mean_) ** 2

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.gamma(self.shape, self.mean_ / self.shape, n)

    def ppf(self, u: FloatArray) -> FloatArray:
        return special.gammaincinv(self.shape, u) * (self.mean_ / self.shape)


class Beta(_Dist):
    dist: Literal["beta"]
    a: Number = Field(ge=SHAPE_MIN, le=SHAPE_MAX)
    b: Number = Field(ge=SHAPE_MIN, le=SHAPE_MAX)

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)

    @property
    def variance(self) -> float:
        s = self.a + self.b
        return self.a * self.b / (s * s * (s + 1))

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.beta(self.a, self.b, n)

    def ppf(self, u: FloatArray) -> FloatArray:
        return special.betaincinv(self.a, self.b, u)


class Uniform(_Dist):
    dist: Literal["uniform"]
    low_: Parameter = Field(alias="low")
    high: Parameter

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low_ < self.high:
            raise ValueError(f"needs low < high, got low = {self.low_}, high = {self.high}")
        return self

    @property
    def low(self) -> float:
        return self.low_

    @property
    def mean(self) -> float:
        return (self.low_ + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low_) ** 2 / 12

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.uniform(self.low_, self.high, n)

    def ppf(self, u: FloatArray) -> FloatArray:
        return self.low_ + (self.high - self.low_) * np.asarray(u)


class Triangular(_Dist):
    dist: Literal["triangular"]
    low_: Parameter = Field(alias="low")
    mode: Parameter
    high: Parameter

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low_ <= self.mode <= self.high and self.low_ < self.high):
            raise ValueError(
                f"needs low <= mode <= high and low < high, got {self.low_}, {self.mode}, {self.high}"
            )
        return self

    @property
    def low(self) -> float:
        return self.low_

    @property
    def mean(self) -> float:
        return (self.low_ + self.mode + self.high) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.low_, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.triangular(self.low_, self.mode, self.high, n)

    def ppf(self, u: FloatArray) -> FloatArray:
        a, c, b = self.low_, self.mode, self.high
        u = np.asarray(u)
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < split, left, right)


class Empirical(_Dist):
    """Resampling from observed values, each equally likely."""

    dist: Literal["empirical"]
    values: list[Parameter] = Field(min_length=1, max_length=VALUES_MAX)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def variance(self) -> float:
        return float(np.var(self.values))

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.choice(np.asarray(self.values, dtype=float), n)

    def ppf(self, u: FloatArray) -> FloatArray:
        v = np.asarray(self.values, dtype=float)
        idx = np.minimum((np.asarray(u) * len(v)).astype(np.int64), len(v) - 1)
        return v[idx]


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Beta | Uniform | Triangular | Empirical | Fixed,
    Field(discriminator="dist"),
]
DIST_NAMES = ("exponential", "lognormal", "gamma", "beta", "uniform", "triangular", "empirical")


def as_distribution(value: object) -> object:
    """Turn a plain number of the file into a fixed distribution; leave tables to the schema."""
    if isinstance(value, dict | _Dist):
        return value
    number = finite(value, f"a number or a table with dist = one of {', '.join(DIST_NAMES)}")
    if abs(number) > LARGEST:
        raise ValueError(f"must be from {-LARGEST:g} to {LARGEST:g}")
    return {"dist": "fixed", "value": number}


CLASSES: dict[str, type[_Dist]] = {
    typing.get_args(cls.model_fields["dist"].annotation)[0]: cls
    for cls in (Exponential, Lognormal, Gamma, Beta, Uniform, Triangular, Empirical, Fixed)
}


def by_name(dist: str) -> list[str]:
    """The keys of a distribution's table (`dist` first), as the file writes them."""
    fields = CLASSES[dist].model_fields if dist in CLASSES else {}
    return [info.alias or name for name, info in fields.items()]
