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
from sla_sim.scenario.messages import bare_key, describe_errors, show
from sla_sim.scenario.ranges import parse_values
from sla_sim.scenario.schema import Scenario, ScenarioError, check_dotted_key

MAX_DEPTH = 20  # tables and arrays inside each other; a scenario needs about 7
MAX_SWEEP_PROBLEMS = 20


def _too_deep(document: Any) -> str | None:
    """The dotted key of the first value nested more than MAX_DEPTH levels deep, if any."""
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        node, key, depth = stack.pop()
        if depth > MAX_DEPTH:
            return key or "file"
        if isinstance(node, dict):
            stack += [(v, f"{key}.{k}" if key else str(k), depth + 1) for k, v in node.items()]
        elif isinstance(node, list):
            inner = key if key.endswith("[...]") else f"{key}[...]"
            stack += [(v, inner, depth + 1) for v in node]
    return None


def _sweep_problems(scenario: Scenario, source: str) -> list[str]:
    """Each swept value applied to the base scenario: a line per value that cannot be set."""
    base = scenario.model_copy(update={"variants": [], "sweep": {}})
    problems: list[str] = []
    for key, given in scenario.sweep.items():
        where = f"{source}: sweep.{bare_key(key)}"
        if problem := check_dotted_key(key):
            problems.append(f"{where}: {problem}")
            continue
        try:
            values = parse_values(given) if isinstance(given, str) else given
        except ValueError as error:
            problems.append(f"{where} = {show(given)}: {str(error).split(': ', 1)[-1]}")
            continue
        if not values:
            problems.append(f"{where} = {show(given)}: no values to sweep")
        found = []
        for value in values:
            try:
                base.with_overrides({key: value})
            except ScenarioError as error:
                found += [f"{where} sets {p}" for p in error.problems]
        problems += found[:MAX_SWEEP_PROBLEMS]
        if len(found) > MAX_SWEEP_PROBLEMS:
            problems.append(f"{where}: ... {len(found) - MAX_SWEEP_PROBLEMS} more values")
    return problems


def parse_scenario(document: dict[str, Any], source: str = "scenario") -> Scenario:
    """Validate a scenario document (the parsed TOML), its variants and sweep values included."""
    if key := _too_deep(document):
        raise ScenarioError(
            [f"{source}: {key}: nested more than {MAX_DEPTH} levels deep (arrays or tables)"]
        )
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
    problems += _sweep_problems(scenario, source)
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises ScenarioError with one line per problem."""
    path = Path(path)
    try:
        data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise ScenarioError([f"{path}: is a directory, not a scenario file"]) from None
    except UnicodeDecodeError as error:
        raise ScenarioError([f"{path}: {_not_utf8(data, error.start)}"]) from None
    except OSError as error:
        raise ScenarioError([f"{path}: cannot be read ({error.strerror})"]) from None
    return parse_scenario_text(text, str(path))


def _not_utf8(data: bytes, start: int) -> str:
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    return (
        f"not UTF-8 text: byte 0x{data[start]:02x} at line {line}, column {column}; "
        "a scenario is a TOML file saved as UTF-8"
    )


def parse_scenario_text(text: str, source: str = "scenario") -> Scenario:
    """Validate the text of a scenario file (`source` names it in messages); the scenario keeps
    the text, so it can be written back with its comments. A leading byte-order mark is dropped."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ScenarioError(
            [f"{source}: the file is empty; a scenario needs [scenario] and [[sources]]"]
        )
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([f"{source}: not valid TOML: {error}"]) from None
    except RecursionError:
        raise ScenarioError(
            [f"{source}: arrays or tables nested more than {MAX_DEPTH} levels deep"]
        ) from None
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


def _without_unset(value: Any) -> Any:
    """The data with every key whose value is None left out (TOML has no null: a key a
    candidate unsets is a key its file does not have)."""
    if isinstance(value, dict):
        return {k: _without_unset(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_unset(v) for v in value]
    return value


def scenario_toml(scenario: Scenario) -> str:
    """The scenario as the text of a TOML file, without variants or sweep (one candidate)."""
    text = scenario.file_text
    if text is None:
        document = tomlkit.document()
        data = _without_unset(scenario.to_document())
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
        if value is None:
            if last in table:
                del table[last]
            continue
        table[last] = _inline(value)
        item = table.item(last) if isinstance(table, Table) else None
        if isinstance(item, Item):
            item.comment(CHANGED)
    info = document["scenario"]
    info["name"] = scenario.name
    if scenario.overrides and "description" in info:
        info.item("description").comment("describes the scenario this candidate is based on")
    return tomlkit.dumps(document).rstrip() + "\n"


def with_settings(text: str, settings: dict[str, tuple[Any, str]]) -> str:
    """The TOML `text` with each dotted key set to its value and the note written beside it
    (`settings`: key -> (value, note)). A list of tables (`sources`, `team.changes`) is written
    as an array of tables, replacing the file's; its members' notes are keys of their own
    (`sources.0.leads_per_month`), set after it. A value of None takes the key out. The file's
    other keys and comments stay."""
    document = tomlkit.parse(text)
    ordered = sorted(settings.items(), key=lambda item: keys.parts(item[0]).__len__())
    for key, (value, note) in ordered:
        table, last = keys.table_of(document, key)
        if value is None:
            if last in table:
                del table[last]
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            array = tomlkit.aot()
            for member in value:
                entry = tomlkit.table()
                entry.update({k: _inline(v) for k, v in member.items()})
                array.append(entry)
            table[last] = array  # in the place of the file's own, if it has one
            continue
        table[last] = _inline(value)
        item = table.item(last) if isinstance(table, Table | Container) else None
        if note and isinstance(item, Item):
            item.comment(note)
    return tomlkit.dumps(document).rstrip() + "\n"


def with_variants(text: str, variants: list[dict[str, Any]]) -> str:
    """The TOML `text` with `variants` (each a `[[variants]]` table: name, set, ...) as its
    variants, in the place of any it has."""
    document = tomlkit.parse(text)
    if "variants" in document:
        del document["variants"]
    if variants:
        array = tomlkit.aot()
        for variant in variants:
            entry = tomlkit.table()
            entry.update({k: _inline(v) for k, v in variant.items()})
            array.append(entry)
        document["variants"] = array
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
