"""A scenario as a file again: TOML text that keeps the comments of the file it came from, and the
note beside each value (where the number comes from).

A scenario read from a file remembers the file's text and the dotted keys set on top of it (a
variant, a sweep point, a change in the app). `scenario_toml` edits those keys into the original
text, so a downloaded candidate still says where each number comes from; a scenario built in code
is written from its data. `scenario_notes` reads the comment beside each value.
"""

from __future__ import annotations

from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Item, Table

from sla_sim.scenario import Scenario

CHANGED = "changed for this candidate"


def _node(document: Any, parts: list[str]) -> Any:
    node = document
    for part in parts:
        node = node[int(part)] if isinstance(node, list | AoT) else node.setdefault(part, {})
    return node


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
        *parents, last = key.split(".")
        table = _node(document, parents)
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
