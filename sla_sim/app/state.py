"""The planner behind the app: candidates as changes to a base scenario, their runs cached by
scenario content and seed, and the whole set written into a link.

A candidate is a name and the dotted keys it sets on the base scenario (the same thing as a
`[[variants]]` entry), so any candidate can be downloaded as a scenario file and run by the CLI.
Runs are cached per candidate: going back to a candidate, or adding one, runs only what is new.
Nothing here draws: the Streamlit modules beside it read uploads and links through these functions.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sla_sim.experiments.executors import Executor
from sla_sim.experiments.runner import SimulationResult, result_from, simulate
from sla_sim.scenario.file import load_scenario, parse_scenario_text
from sla_sim.scenario.schema import Scenario, ScenarioError

MAX_CANDIDATES = 8
CACHE_SIZE = 256
MAX_UPLOAD_BYTES = 256 * 1024
MAX_EXPORT_MB = 20
MAX_EXPORT_BYTES = MAX_EXPORT_MB * 1_000_000
"""Each file of a CRM export (leads, deals, activities) is read in memory, at most this large;
the server's own limit (`server.maxUploadSize`, .streamlit/config.toml) is set to match."""
MAX_LINK_CHARS = 200_000
"""A link's state text longer than this is refused unread (an uploaded file travels in it)."""
MAX_LINK_BYTES = 2 * MAX_UPLOAD_BYTES + 64 * 1024
"""At most this much JSON is decompressed from a link: the uploaded file, escaped, and the rest."""
DEFAULT_REPLICATIONS = 20
DEFAULT_SEED = 7
SEEDS = (0, 2**31 - 1)
REPLICATIONS = (2, 500)


@dataclass
class Candidate:
    name: str
    overrides: dict[str, Any] = field(default_factory=dict)

    def scenario(self, base: Scenario) -> Scenario:
        """The base scenario (without its variants) with this candidate's changes."""
        return base.expand()[0].with_overrides(self.overrides, name=self.name)


def candidates_of(base: Scenario) -> list[Candidate]:
    """The base scenario and each of its variants, as candidates."""
    return [Candidate(base.name)] + [Candidate(v.name, dict(v.set)) for v in base.variants]


def free_name(names: list[str]) -> str:
    """A name for a new candidate that none of `names` has: "Candidate 4"."""
    n = len(names)
    while f"Candidate {n}" in names:
        n += 1
    return f"Candidate {n}"


def _key(scenario: Scenario, seed: int, replications: int) -> str:
    text = f"{scenario.canonical_json()}|{seed}|{replications}"
    return hashlib.sha256(text.encode()).hexdigest()


class RunCache:
    """Results of single scenarios by (content, seed, replications), least recently used out."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._results: OrderedDict[str, SimulationResult] = OrderedDict()

    def get(self, scenario: Scenario, seed: int, replications: int) -> SimulationResult | None:
        key = _key(scenario, seed, replications)
        if key in self._results:
            self._results.move_to_end(key)
            return self._results[key]
        return None

    def put(
        self, scenario: Scenario, seed: int, replications: int, result: SimulationResult
    ) -> None:
        self._results[_key(scenario, seed, replications)] = result
        while len(self._results) > self.size:
            self._results.popitem(last=False)


def run_candidates(
    scenarios: list[Scenario],
    replications: int,
    seed: int,
    cache: RunCache,
    executor: Executor,
    *,
    progress: Callable[[int, int], None] | None = None,
    on_ready: Callable[[SimulationResult], None] | None = None,
) -> SimulationResult:
    """Every scenario's result, running only those not in the cache (all at once, on the
    executor). `on_ready(result_so_far)` is called as soon as the cached ones and then each new
    one are in, so the first figures can be shown before the last candidate finishes."""
    ready: dict[int, SimulationResult] = {}
    for i, scenario in enumerate(scenarios):
        cached = cache.get(scenario, seed, replications)
        if cached is not None:
            ready[i] = cached
    todo = [i for i in range(len(scenarios)) if i not in ready]
    if ready and on_ready:
        on_ready(SimulationResult.side_by_side([ready[i] for i in sorted(ready)]))

    if todo:

        def finished(position: int, rows: pd.DataFrame) -> None:
            i = todo[position]
            ready[i] = result_from([scenarios[i]], seed, rows)  # metrics now, series below
            if on_ready:
                on_ready(SimulationResult.side_by_side([ready[j] for j in sorted(ready)]))

        result = simulate(
            [scenarios[i] for i in todo],
            replications,
            seed,
            variants=False,
            executor=executor,
            progress=progress,
            on_scenario_done=finished,
        )
        for i in todo:
            ready[i] = result.only([scenarios[i].name])
            cache.put(scenarios[i], seed, replications, ready[i])
    return SimulationResult.side_by_side([ready[i] for i in range(len(scenarios))])


def cached_result(
    scenarios: list[Scenario], replications: int, seed: int, cache: RunCache
) -> SimulationResult | None:
    """The scenarios' result if every one of them is in the cache, else None (nothing runs)."""
    results = []
    for scenario in scenarios:
        cached = cache.get(scenario, seed, replications)
        if cached is None:
            return None
        results.append(cached)
    return SimulationResult.side_by_side(results)


def run_key(scenario: Scenario, *settings: Any) -> str:
    """A key for the result of a run of `scenario` with these settings (JSON values)."""
    return json.dumps([scenario.canonical_json(), *settings])


# -- where a session starts ------------------------------------------------------------------


def bundled_scenarios(folder: Path) -> dict[str, Path]:
    """The scenario files of a folder by their scenario name, the baseline first."""
    files = sorted(folder.glob("*.toml"), key=lambda p: (p.stem != "baseline", p.stem))
    return {load_scenario(p).name: p for p in files}


@dataclass
class Upload:
    """An uploaded scenario file: its text and scenario, or the problems that stop its use."""

    name: str
    text: str = ""
    scenario: Scenario | None = None
    problems: list[str] = field(default_factory=list)


def read_upload(name: str, data: bytes) -> Upload:
    """An uploaded file read as a scenario: at most MAX_UPLOAD_BYTES of UTF-8 TOML."""
    if len(data) > MAX_UPLOAD_BYTES:
        return Upload(
            name, problems=[f"{name}: {len(data) // 1024} KB is too large (at most 256 KB)"]
        )
    try:
        text = data.decode("utf-8")
        return Upload(name, text, parse_scenario_text(text, name))
    except UnicodeDecodeError:
        return Upload(name, problems=[f"{name}: not a text file (a scenario is a TOML file)"])
    except ScenarioError as error:
        return Upload(name, problems=error.problems)


@dataclass
class Setup:
    """What a session plans with: the base scenario (a bundled one by name, or "upload"), the
    candidates, and the seed and replications of their runs; a link carries all of it. `notes`
    says what of a link was not usable as it was, and what was done instead."""

    base_id: str
    base: Scenario
    candidates: list[Candidate]
    seed: int = DEFAULT_SEED
    replications: int = DEFAULT_REPLICATIONS
    upload_text: str | None = None
    upload_name: str | None = None
    notes: list[str] = field(default_factory=list)


def whole_in(value: Any, bounds: tuple[int, int]) -> int | None:
    """`value` as a whole number within `bounds`, or None if it is not one (1e400, "x", 2.5)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value != int(value):
        return None
    low, high = bounds
    return int(value) if low <= value <= high else None


def distinct_names(candidates: list[Candidate]) -> list[str]:
    """Renames the candidates whose name is empty or taken by an earlier one; says which."""
    notes: list[str] = []
    seen: set[str] = set()
    for c in candidates:
        name = c.name.strip()
        if not name or name in seen:
            c.name = free_name(sorted(seen))
            was = f"Two candidates were called {name!r}" if name else "A candidate had no name"
            notes.append(f"{was}: it is now {c.name!r}.")
        else:
            c.name = name
        seen.add(c.name)
    return notes


def setup_from_link(link: dict[str, Any], files: dict[str, Path]) -> Setup:
    """The set-up a link's state holds, every candidate checked against its base; KeyError,
    ValueError, TypeError or ScenarioError if its base or candidates are not usable. A seed or
    a number of replications out of range is replaced by the default, with a note."""
    upload_text = upload_name = None
    if link.get("upload"):
        upload_text, upload_name = str(link["upload"]), str(link.get("file") or "uploaded file")
        if len(upload_text.encode()) > MAX_UPLOAD_BYTES:
            raise ValueError(f"its file {upload_name} is larger than 256 KB")
        base = parse_scenario_text(upload_text, upload_name)
        base_id = "upload"
    else:
        base_id = str(link.get("base"))
        if base_id not in files:
            raise KeyError(f"no bundled scenario is called {base_id!r}")
        base = load_scenario(files[base_id])
    candidates = candidates_from_state(link.get("candidates"))
    notes = distinct_names(candidates or [])
    for c in candidates or []:
        c.scenario(base)  # every candidate must still be valid
    seed = whole_in(link.get("seed", DEFAULT_SEED), SEEDS)
    if seed is None:
        notes.append(
            f"The link's seed is not a whole number from 0 to {SEEDS[1]}: using {DEFAULT_SEED}."
        )
    replications = whole_in(link.get("replications", DEFAULT_REPLICATIONS), REPLICATIONS)
    if replications is None:
        notes.append(
            f"The link's replications are not a whole number from {REPLICATIONS[0]} to "
            f"{REPLICATIONS[1]}: using {DEFAULT_REPLICATIONS}."
        )
    return Setup(
        base_id,
        base,
        candidates or candidates_of(base),
        DEFAULT_SEED if seed is None else seed,
        DEFAULT_REPLICATIONS if replications is None else replications,
        upload_text,
        upload_name,
        notes,
    )


def link_of(setup: Setup) -> dict[str, Any]:
    """The state a link carries for this set-up (an uploaded base travels inside it)."""
    link: dict[str, Any] = {
        "base": setup.base_id,
        "candidates": [[c.name, c.overrides] for c in setup.candidates],
        "seed": setup.seed,
        "replications": setup.replications,
    }
    if setup.base_id == "upload":
        link["upload"], link["file"] = setup.upload_text, setup.upload_name
    return link


def share_url(page_url: str | None, state: str) -> str:
    """The page's address with the link's state in it."""
    return f"{(page_url or '').split('?')[0]}?s={state}"


# -- the link ----------------------------------------------------------------------------------


def encode_state(state: dict[str, Any]) -> str:
    """A compact, URL-safe text for the app's state (base scenario, candidates, seed, ...)."""
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def decode_state(text: str) -> dict[str, Any] | None:
    """The state from `encode_state`, or None if the text is not one (a mangled link, or one too
    large: the text is refused over MAX_LINK_CHARS and decompression stops at MAX_LINK_BYTES)."""
    if len(text) > MAX_LINK_CHARS:
        return None
    try:
        padded = text + "=" * (-len(text) % 4)
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.urlsafe_b64decode(padded), MAX_LINK_BYTES)
        if inflate.unconsumed_tail or not inflate.eof:
            return None
        state = json.loads(raw)
    except (ValueError, zlib.error, RecursionError):
        return None
    return state if isinstance(state, dict) else None


def candidates_from_state(items: Any) -> list[Candidate] | None:
    """Candidates from the link's list of [name, overrides], or None if it is not that."""
    if not isinstance(items, list) or not items or len(items) > MAX_CANDIDATES:
        return None
    out = []
    for item in items:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and isinstance(item[0], str)
            and isinstance(item[1], dict)
        ):
            return None
        out.append(Candidate(item[0], item[1]))
    return out
