"""Named random streams: every random quantity comes from (seed, replication, stream name, source).

Two kinds of stream, both addressed by name so that adding a stream shifts no other:

- `generator(name, source)`: a numpy Generator. Drawing n values gives lead k of the source the k-th
  value, and the first values do not depend on n, so lead #57 keeps its fit when volumes change.
- `uniform(name, source, lead, index)`: a counter-based uniform for the `index`-th draw of a lead
  (its k-th engagement touch, its j-th call attempt). It is a pure function of its arguments
  (splitmix64 mixing of a key from `SeedSequence`), so a lead gets the same draws whichever leads
  come before it, and scenarios that differ only in their terms see the same people (common random
  numbers).
"""

from __future__ import annotations

import zlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_INDEX = np.uint64(0xD1B54A32D192ED03)
_TO_UNIT = 2.0**-53


def _name_key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


class Streams:
    """The random streams of one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication

    def _sequence(self, name: str, source: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(
            self.seed, spawn_key=(self.replication, _name_key(name), _name_key(source))
        )

    def generator(self, name: str, source: str = "") -> np.random.Generator:
        return np.random.Generator(np.random.PCG64(self._sequence(name, source)))

    def key(self, name: str, source: str = "") -> np.uint64:
        return np.uint64(self._sequence(name, source).generate_state(1, np.uint64)[0])

    def uniform(
        self, name: str, source: str, lead: np.ndarray, index: np.ndarray | int = 0
    ) -> np.ndarray:
        """Uniforms in (0, 1) for draw `index` of each lead in `lead` (broadcast together)."""
        return hashed_uniform(self.key(name, source), lead, index)


def hashed_uniform(key: np.uint64, lead: np.ndarray, index: np.ndarray | int = 0) -> np.ndarray:
    with np.errstate(over="ignore"):
        lead64 = np.asarray(lead).astype(np.uint64)
        index64 = np.asarray(index).astype(np.uint64)
        z = _mix(key ^ _mix(lead64 * _GOLDEN + index64 * _INDEX + _GOLDEN))
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * _TO_UNIT
