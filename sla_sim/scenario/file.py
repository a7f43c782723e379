"""A scenario file, read and written: its text validated into a `Scenario` (every problem one line
naming the file, the dotted key, the value and what is allowed), and a scenario as TOML text again,
keeping the comments of the file it came from and the note beside each value.

A scenario read from a file remembers the file's text and the dotted keys set on top of it (a
variant, a sweep point, a change in the app). `scenario_toml` edits those keys into the original
text, so a downloaded candidate still says where each number comes from; a scenario built in code
is written from its data. `scenario_notes` reads the comment beside each value.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomlkit
from pydantic import ValidationError
from tomlkit.container import Container
from tomlkit.items import AoT, Item, Table

from sla_sim.scenario import keys
from sla_sim.scenario.messages import describe_errors
from sla_sim.scenario.schema import Scenario, ScenarioError, check_dotted_key


def parse_scenario(document: dict[str, Any], source: str = "scenario") -> Scenario:
    """Validate a scenario document (the parsed TOML), its variants included."""
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as error:
        raise ScenarioError(
            [f"{source}: {p}" for p in describe_errors(error, document, Scenario)]
        ) from None
    problems: list[str] = []
    names = {scenario.name}
    for i, variant in enumerate(scenario.variants):
        if variant.name in names:
            problems.append(
                f"{source}: variants[{i}].name = {variant.name!r}: names must be unique"
            )
        names.add(variant.name)
        try:
            scenario.model_copy(update={"variants": []}).with_overrides(variant.set)
        except ScenarioError as error:
            problems += [
                f"{source}: variants[{i}] ({variant.name}) sets {p}" for p in error.problems
            ]
    for key in scenario.sweep:
        problem = check_dotted_key(key)
        if problem:
            problems.append(f"{source}: sweep.{key}: {problem}")
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises ScenarioError with one line per problem."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise ScenarioError([f"{path}: is a directory, not a scenario file"]) from None
    except UnicodeDecodeError:
        raise ScenarioError([f"{path}: not a text file (a scenario is a TOML file)"]) from None
    except OSError as error:
        raise ScenarioError([f"{path}: cannot be read ({error.strerror})"]) from None
    return parse_scenario_text(text, str(path))


def parse_scenario_text(text: str, source: str = "scenario") -> Scenario:
    """Validate the text of a scenario file (`source` names it in messages); the scenario keeps
    the text, so it can be written back with its comments."""
    if not text.strip():
        raise ScenarioError(
            [f"{source}: the file is empty; a scenario needs [scenario] and [[sources]]"]
        )
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([f"{source}: not valid TOML: {error}"]) from None
    scenario = parse_scenario(document, source)
    scenario._file_text = text
    return scenario


# ---------------------------------------------------------------------------------------------
# Writing a scenario back


CHANGED = "changed for this candidate"


def _inline(value: Any) -> Any:
    """Tables inside a value (a distribution) are written inline, as a person would."""
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update({k: _inline(v) for k, v in value.items()})
        return table
    if isinstance(value, list):
        return [_inline(v) for v in value]
    return value


def scenario_toml(scenario: Scenario) -> str:
    """The scenario as the text of a TOML file, without variants or sweep (one candidate)."""
    text = scenario.file_text
    if text is None:
        document = tomlkit.document()
        data = scenario.to_document()
        data.pop("variants", None)
        data.pop("sweep", None)
        document.update(data)
        return tomlkit.dumps(document)
    document = tomlkit.parse(text)
    for key in ("variants", "sweep"):
        if key in document:
            del document[key]
    for key, value in scenario.overrides.items():
        table, last = keys.table_of(document, key)
        table[last] = _inline(value)
        item = table.item(last) if isinstance(table, Table) else None
        if isinstance(item, Item):
            item.comment(CHANGED)
    info = document["scenario"]
    info["name"] = scenario.name
    if scenario.overrides and "description" in info:
        info.item("description").comment("describes the scenario this candidate is based on")
    return tomlkit.dumps(document).rstrip() + "\n"


def _comments(node: Container | Table | AoT, prefix: str, out: dict[str, str]) -> None:
    if isinstance(node, AoT):
        for i, table in enumerate(node.body):
            _comments(table, f"{prefix}{i}.", out)
        return
    body = node.value.body if isinstance(node, Table) else node.body
    for key, item in body:
        if key is None:
            continue
        name = f"{prefix}{key.key}"
        if isinstance(item, Table | AoT):
            _comments(item, name + ".", out)
        elif isinstance(item, Item) and (comment := item.trivia.comment.lstrip("#").strip()):
            out[name] = comment


def scenario_notes(scenario: Scenario) -> dict[str, str]:
    """The comment beside each value of the file (`team.reps` -> "assumption: ..."), and
    "changed for this candidate" for the keys set on top of it."""
    out: dict[str, str] = {}
    if scenario.file_text is not None:
        _comments(tomlkit.parse(scenario.file_text), "", out)
    for key in scenario.overrides:
        out[key] = CHANGED
    return out
