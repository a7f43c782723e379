"""Several scenario files at once: loaded together with names kept distinct, or checked one by one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sla_sim.scenario.file import load_scenario
from sla_sim.scenario.schema import Scenario, ScenarioError
from sla_sim.scenario.warnings import scenario_warnings


def load_files(files: tuple[str, ...] | list[str]) -> list[tuple[str, list[Scenario]]]:
    """Each file with its scenarios (base and variants); raises ScenarioError with every problem of
    every file, so nothing runs while one of them is wrong."""
    loaded, problems = [], []
    for file in files:
        try:
            loaded.append((file, load_scenario(file).expand()))
        except ScenarioError as error:
            problems += error.problems
    if problems:
        raise ScenarioError(problems)
    return unique_names(loaded)


def unique_names(loaded: list[tuple[str, list[Scenario]]]) -> list[tuple[str, list[Scenario]]]:
    """Names that clash across files ('8 reps' in two files) are qualified by their file."""
    names = [s.name for _, group in loaded for s in group]
    clashes = {n for n in names if names.count(n) > 1}
    if not clashes:
        return loaded
    renamed = []
    for file, group in loaded:
        base = group[0].name
        qualified = [
            s.with_overrides({}, name=_qualified(file, i, s.name, base)) if s.name in clashes else s
            for i, s in enumerate(group)
        ]
        renamed.append((file, qualified))
    return renamed


def _qualified(file: str, index: int, name: str, base: str) -> str:
    return f"{name} ({Path(file).stem})" if index == 0 else f"{base} / {name}"


def check_file(file: str) -> dict[str, Any]:
    """The verdict on one file: ok or not, its scenarios, its problems and its warnings."""
    try:
        scenarios = load_scenario(file).expand()
    except ScenarioError as error:
        return {"file": file, "ok": False, "problems": error.problems, "warnings": []}
    return {
        "file": file,
        "ok": True,
        "scenarios": [s.name for s in scenarios],
        "problems": [],
        "warnings": [w for s in scenarios for w in scenario_warnings(s)],
    }
