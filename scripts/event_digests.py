"""Digests of the event logs of the bundled scenarios and the validation set-ups.

Times and values are rounded to a millionth before hashing: builds of numpy and scipy may differ in
the last bit of a logarithm or a quantile, which is not a change of the model.

A change that must not change the model (a restructuring, a new optional behaviour at its default)
keeps every digest: `python scripts/event_digests.py --write` records them in
tests/data/event_digests.json, and tests/model/test_event_digests.py compares a fresh run with it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from sla_sim import load_scenario, simulate

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "tests" / "data" / "event_digests.json"
# The bundled scenarios as they were before the behaviours of SPEC §9 (whose keys they leave at
# their defaults): the files in scenarios/ have since been re-based on them.
BUNDLED = ROOT / "tests" / "data" / "scenarios_0.6"
SEED = 3
REPLICATIONS = 2
DECIMALS = 6  # of an hour (a few milliseconds) and of a deal's value


def cases() -> dict[str, str]:
    """Name -> scenario text: the bundled files (variants expand when run) and the set-ups."""
    from sla_sim.verification.setups import ERLANG_A, ERLANG_C, decay_study_toml, funnel_toml

    texts = {p.stem: p.read_text() for p in sorted(BUNDLED.glob("*.toml"))}
    texts |= {f"erlang_c_{i}": s.toml() for i, s in enumerate(ERLANG_C[:3])}
    texts |= {f"erlang_a_{i}": s.toml() for i, s in enumerate(ERLANG_A[:2])}
    texts["funnel"] = funnel_toml()
    texts["lrm2007"] = decay_study_toml("lrm2007", [1.0, 30.0, 120.0], 300)
    return texts


def digests() -> dict[str, str]:
    """sha256 of every scenario's event log (all events, every column) at a fixed seed."""
    import tempfile

    out = {}
    for name, text in cases().items():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{name}.toml"
            path.write_text(text)
            scenario = load_scenario(path)
        result = simulate(scenario, REPLICATIONS, seed=SEED, jobs=1, event_log=True)
        assert result.events is not None
        for scenario_name, events in result.events.groupby("scenario", sort=False):
            digest = hashlib.sha256()
            for column in ("replication", "time_hours", "lead", "event", "rep", "attempt", "value"):
                values = events[column].to_numpy()
                if values.dtype.kind == "f":
                    values = np.round(values, DECIMALS)
                digest.update(
                    values.astype(str).tobytes()
                    if values.dtype == object
                    else np.ascontiguousarray(values).tobytes()
                )
            out[f"{name}/{scenario_name}"] = f"{len(events)}:{digest.hexdigest()[:24]}"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the digests")
    args = parser.parse_args()
    now = digests()
    if args.write:
        RECORD.parent.mkdir(parents=True, exist_ok=True)
        RECORD.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        print(f"{len(now)} digests written to {RECORD.relative_to(ROOT)}")
        return 0
    recorded = json.loads(RECORD.read_text())
    changed = sorted(k for k in recorded.keys() | now.keys() if recorded.get(k) != now.get(k))
    for key in changed:
        print(f"changed: {key}: {recorded.get(key)} -> {now.get(key)}")
    print(f"{len(now) - len(changed)} of {len(now)} event logs as recorded")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
