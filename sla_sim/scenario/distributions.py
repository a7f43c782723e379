"""Distributions of the scenario file: a plain number, or a table with `dist` and its parameters.

Each distribution samples in bulk from a numpy Generator (`sample`) or turns uniforms into draws by its
inverse CDF (`ppf`), and states its theoretical `mean` and `variance` (used by tests and by the
capacity check).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import special

FloatArray = np.ndarray


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
    value: float

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
    mean_: float = Field(alias="mean", gt=0)

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
    median: float = Field(gt=0)
    sigma: float = Field(ge=0)

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
    mean_: float = Field(alias="mean", gt=0)
    cv: float = Field(gt=0)

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
    a: float = Field(gt=0)
    b: float = Field(gt=0)

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
    low_: float = Field(alias="low")
    high: float

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
    low_: float = Field(alias="low")
    mode: float
    high: float

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
    values: list[float] = Field(min_length=1)

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
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return {"dist": "fixed", "value": float(value)}
    return value
