"""Scenario documents mutated at random: each is either refused with lines that each name a dotted
key (or the file), or accepted and a one-month replication of every variant runs; nothing else.

Mutations of a small valid document: a value of a random type at a known key, an unknown key, a
value nested deep, a variant or a sweep setting a random key. Hypothesis runs derandomized, so the
same documents are tried on every run.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla_sim.model.replication import run_replication
from sla_sim.model.world import build_world
from sla_sim.scenario import keys
from sla_sim.scenario.distributions import DIST_NAMES
from sla_sim.scenario.file import parse_scenario
from sla_sim.scenario.schema import Scenario, ScenarioError, known_keys

BASE: dict[str, Any] = {
    "scenario": {"name": "Fuzz", "start_date": dt.date(2027, 1, 4), "months": 1},
    "sources": [
        {"name": "Demo", "leads_per_month": 20, "fit": {"dist": "beta", "a": 5, "b": 3}},
        {"name": "Content", "leads_per_month": 30, "arrival": "business"},
    ],
    "nurture": {"touches_per_week": {"dist": "gamma", "mean": 0.6, "cv": 1.0}},
    "handoff": {"sync_delay_minutes": {"dist": "exponential", "mean": 15}},
    "team": {"reps": 2, "attempt_minutes": {"dist": "lognormal", "median": 6, "sigma": 0.5}},
    "response": {"patience_hours": {"dist": "exponential", "mean": 72}},
    "deals": {"deal_value": {"dist": "uniform", "low": 1000, "high": 5000}},
    "sla": {"sales": {"retry_gap_hours": [4, 24]}},
}
KEYS = known_keys()
TABLES = sorted({k.rsplit(".", 1)[0] for k in KEYS if "." in k} | {""})
TOP = {k.split(".")[0] for k in KEYS} | {"variants", "sweep", "file"}
LARGEST_RUN = 5_000  # leads: larger accepted scenarios are checked without a run

numbers = st.one_of(
    st.integers(-3, 200),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-5, 200),
    st.sampled_from([0, 0.0, -0.0, 1, 1e-300, 5e-324, 1e300, 2**63, -1.0, 24.0]),
)
scalars = st.one_of(
    numbers,
    st.booleans(),
    st.text(max_size=8),
    st.sampled_from(["fifo", "business", "calendar", "mon", "2027-01-04", "1:3", "half_life"]),
    st.dates(),
    st.datetimes(),
)
dists = st.fixed_dictionaries(
    {"dist": st.sampled_from([*DIST_NAMES, "fixed", "hbr2012"])},
    optional={
        name: st.one_of(numbers, st.lists(numbers, max_size=4))
        for name in ("mean", "median", "sigma", "cv", "a", "b", "low", "mode", "high", "value")
    }
    | {"values": st.lists(numbers, max_size=5), "extra": scalars},
)
WORDS = [
    *("fifo", "newest_first", "highest_score", "shared_queue", "round_robin", "least_loaded"),
    *("business", "calendar", "flat", "recycle", "disqualify", "half_life", "lrm2007", "hbr2011"),
]
unit = st.floats(0, 1)
positive = st.floats(0.01, 100)
plausible_dists = st.one_of(
    st.builds(lambda m: {"dist": "exponential", "mean": m}, positive),
    st.builds(
        lambda m, s: {"dist": "lognormal", "median": m, "sigma": s}, positive, st.floats(0, 5)
    ),
    st.builds(lambda m, c: {"dist": "gamma", "mean": m, "cv": c}, positive, st.floats(0.01, 10)),
    st.builds(lambda a, b: {"dist": "beta", "a": a, "b": b}, positive, positive),
    st.builds(lambda lo, w: {"dist": "uniform", "low": lo, "high": lo + w}, unit, positive),
    st.builds(
        lambda lo, m, h: {"dist": "triangular", "low": lo, "mode": lo + m, "high": lo + m + h},
        unit,
        unit,
        positive,
    ),
    st.builds(lambda v: {"dist": "empirical", "values": v}, st.lists(unit, min_size=1, max_size=5)),
    st.builds(lambda v: {"dist": "fixed", "value": v}, unit),
)
decay_tables = st.integers(1, 4).flatmap(
    lambda n: st.fixed_dictionaries(
        {
            "age_hours": st.lists(st.floats(0, 500), min_size=n, max_size=n, unique=True).map(
                sorted
            ),
            "connect": st.lists(unit, min_size=n, max_size=n).map(lambda v: sorted(v)[::-1]),
            "qualify": st.lists(unit, min_size=n, max_size=n).map(lambda v: sorted(v)[::-1]),
        }
    )
)
plausible_lists = [
    st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), max_size=7),
    st.lists(st.floats(0, 24), min_size=2, max_size=2).map(sorted),
    st.lists(st.floats(0.1, 100), min_size=1, max_size=6),
    st.lists(st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)), max_size=4),
]
plausible = st.one_of(
    st.integers(0, 30),
    st.floats(0, 100),
    unit,
    st.booleans(),
    st.sampled_from(WORDS),
    st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)),
    *plausible_lists,
    plausible_dists,
    decay_tables,
)
values = st.recursive(
    st.one_of(plausible, plausible, plausible, scalars, dists),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


# The type of every key, optional tables and arrays of tables included.
DEFAULTS = Scenario.model_validate(
    {
        **BASE,
        "ae": {"changes": [{"month": 1, "reps": 1}]},
        "team": {**BASE.get("team", {}), "changes": [{"month": 1, "reps": 1}]},
    }
).model_dump(mode="python", by_alias=True)


def typed(key: str) -> st.SearchStrategy[Any]:
    """Values of the type the key holds, mostly in range: a mutation likely to be accepted."""
    default = keys.get_key(DEFAULTS, key)
    if isinstance(default, bool):
        return st.booleans()
    if isinstance(default, int):
        return st.integers(-1, 40)
    if isinstance(default, float):
        return st.one_of(unit, st.floats(-1, 200))
    if isinstance(default, str):
        return st.sampled_from([default, *WORDS])
    if isinstance(default, dt.date):
        return st.dates(dt.date(1890, 1, 1), dt.date(2210, 12, 31))
    if isinstance(default, list | tuple):
        return st.sampled_from([0, 1, 2, 3]).flatmap(lambda i: plausible_lists[i])
    return st.one_of(plausible_dists, decay_tables) if key == "response.decay" else plausible_dists


def typed_change(kind: str) -> st.SearchStrategy[tuple[str, str, Any]]:
    return st.sampled_from(KEYS).flatmap(
        lambda key: st.tuples(st.just(kind), st.just(key), typed(key))
    )


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


mutation = st.one_of(
    typed_change("set"),
    typed_change("set"),
    typed_change("set"),
    typed_change("variant"),
    st.tuples(st.just("set"), st.sampled_from(KEYS), values),
    st.tuples(st.just("set"), st.sampled_from(TABLES), values),
    st.tuples(st.just("extra"), st.sampled_from(TABLES), st.text(min_size=1, max_size=6)),
    st.tuples(st.just("deep"), st.sampled_from(KEYS), st.integers(1, 25)),
    st.tuples(st.just("variant"), st.sampled_from(KEYS), values),
    st.tuples(st.just("sweep"), st.sampled_from(KEYS), st.one_of(values, st.lists(values))),
)


def mutated(changes: list[tuple[str, str, Any]]) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    for kind, key, value in changes:
        try:
            if kind == "set" and key:
                keys.set_key(document, key, value)
            elif kind == "extra":
                keys.set_key(document, f"{key}.{value}" if key else str(value), 1)
            elif kind == "deep":
                keys.set_key(document, key, nested(value))
            elif kind == "variant":
                document.setdefault("variants", []).append({"name": key, "set": {key: value}})
            elif kind == "sweep":
                document.setdefault("sweep", {})[key] = value
        except (AttributeError, TypeError, IndexError, KeyError):
            continue  # an earlier change made this path a value; the document stays as it is
    return document


def names_a_key_or_the_file(line: str, document: dict[str, Any]) -> bool:
    """The line starts with the source and a dotted key whose first part is a table of the file
    (or the file itself); a key that is not bare is quoted as TOML quotes it."""
    if not line.startswith("fuzz: "):
        return False
    rest = line.removeprefix("fuzz: ")
    if rest.startswith('"'):
        first, _ = json.JSONDecoder().raw_decode(rest)
    else:
        match = re.match(r"[A-Za-z0-9_-]+", rest)
        first = match.group(0) if match else None
    return first in TOP or first in document


def runs(scenario: Scenario) -> None:
    for variant in scenario.expand():
        world = build_world(variant)
        if variant.expected_leads() > LARGEST_RUN or variant.team.reps > 1_000:
            for dist in (variant.team.attempt_minutes, variant.deals.deal_value):
                assert math.isfinite(dist.mean)
                assert math.isfinite(dist.variance)
                assert np.isfinite(dist.sample(np.random.default_rng(0), 100)).all()
            continue
        replication = run_replication(world, seed=1, replication=0)
        assert len(replication.log) >= 0


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(mutation, min_size=1, max_size=4))
def test_a_mutated_document_is_refused_with_keyed_lines_or_runs(
    changes: list[tuple[str, str, Any]],
) -> None:
    document = mutated(changes)
    try:
        scenario = parse_scenario(document, "fuzz")
    except ScenarioError as error:
        problems = error.problems
    else:
        runs(scenario)
        return
    assert problems
    for line in problems:
        assert "\n" not in line
        assert names_a_key_or_the_file(line, document), line
