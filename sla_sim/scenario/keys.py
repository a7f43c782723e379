"""Dotted keys (`team.reps`, `sources.0.fit`): the one place a key is checked against the schema,
read from a document and set in one.

A document is the plain data of a scenario file (tables as dicts, arrays of tables as lists; a
tomlkit document reads the same way). The schema is walked through its pydantic models, so a key
is known exactly when the file could set it.
"""

from __future__ import annotations

import copy
import difflib
import re
import typing
from typing import Any

from pydantic import BaseModel


def parts(key: str) -> list[str | int]:
    """The steps of a key: "sources.0.fit" -> ["sources", 0, "fit"]."""
    return [int(p) if p.isdigit() else p for p in key.split(".")]


def get_key(document: Any, key: str) -> Any:
    """The value at `key`; KeyError (or IndexError) when the document does not hold it."""
    node = document
    for part in parts(key):
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                raise IndexError(key)
            node = node[part]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(key)
    return node


def table_of(document: Any, key: str) -> tuple[Any, str]:
    """The table that holds `key` (tables on the way made when missing) and the last step."""
    *path, last = parts(key)
    node = document
    for part in path:
        if isinstance(part, int):
            if part >= len(node):
                raise IndexError(key)
            node = node[part]
        else:
            node = node.setdefault(part, {})
    return node, str(last)


def set_key(document: Any, key: str, value: Any) -> None:
    """Set `key` to (a copy of) `value`, making the tables on the way."""
    table, last = table_of(document, key)
    table[last] = copy.deepcopy(value)


# ---------------------------------------------------------------------------------------------
# The schema's keys


def _field(model: type[BaseModel], name: str) -> tuple[bool, Any]:
    """(known, annotation) of field `name` of `model`, by name or alias."""
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias):
            return True, info.annotation
    return False, None


def _table(annotation: Any) -> type[BaseModel] | None:
    """The model of a table-valued field, if the field is a table (or an optional table)."""
    args = typing.get_args(annotation)
    if len(args) == 2 and type(None) in args and typing.get_origin(annotation) is not list:
        (annotation,) = [a for a in args if a is not type(None)]
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _list_of_tables(annotation: Any) -> type[BaseModel] | None:
    """The model of an array of tables (`[[sources]]`), if the field is one."""
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return _table(item)
    return None


def _models_in(annotation: Any) -> set[type[BaseModel]]:
    if table := _table(annotation):
        return {table}
    return {m for arg in typing.get_args(annotation) for m in _models_in(arg)}


def _one_model(annotation: Any) -> type[BaseModel] | None:
    """The table of a field that is a table or a value (`response.decay`), if there is one."""
    models = _models_in(annotation)
    return next(iter(models)) if len(models) == 1 else None


def known_keys(model: type[BaseModel], skip: tuple[str, ...] = (), prefix: str = "") -> list[str]:
    """Every dotted key that names a value (an array of tables as its first item: `sources.0.`)."""
    keys = []
    for field_name, info in model.model_fields.items():
        if field_name in skip:
            continue
        key = f"{prefix}{info.alias or field_name}"
        if table := _table(info.annotation):
            keys += known_keys(table, (), key + ".")
        elif item := _list_of_tables(info.annotation):
            keys += known_keys(item, (), key + ".0.")
        else:
            keys.append(key)
    return keys


def table_children(model: type[BaseModel], table: str) -> list[str]:
    """The keys allowed directly inside a table of the file (`""` is the top level)."""
    node: type[BaseModel] = model
    for part in filter(None, table.split(".")):
        if part.isdigit():
            continue
        known, annotation = _field(node, part)
        inner = (
            (_table(annotation) or _list_of_tables(annotation) or _one_model(annotation))
            if known
            else None
        )
        if inner is None:
            return []
        node = inner
    return [info.alias or name for name, info in node.model_fields.items()]


def check_key(model: type[BaseModel], key: str, skip: tuple[str, ...] = ()) -> str | None:
    """None when `key` names a value of the schema, else what is wrong with it."""
    node: type[BaseModel] = model
    steps = key.split(".")
    i = 0
    while i < len(steps):
        step = steps[i]
        known, annotation = _field(node, step)
        if not known or (node is model and step in skip):
            hint = difflib.get_close_matches(key, known_keys(model, skip), n=1, cutoff=0.7)
            return f"unknown key (did you mean {hint[0]!r}?)" if hint else unknown_key(model, key)
        i += 1
        if item := _list_of_tables(annotation):
            if i >= len(steps):
                return None  # the whole array (`team.changes = [{ month = 3, reps = 2 }]`)
            if not steps[i].isdigit():
                example = steps[-1] if i < len(steps) else next(iter(item.model_fields))
                return f"an item of [[{step}]] is named by its position: {step}.0.{example}"
            node, i = item, i + 1
        elif table := _table(annotation):
            node = table
        elif i < len(steps):
            return f"{'.'.join(steps[:i])} is a value, not a table"
        else:
            return None
    return "names a table, not a value"


def unknown_key(
    model: type[BaseModel], key: str, parent: str | None = None, name: str | None = None
) -> str:
    """'unknown key', with the likely intended key or the keys allowed in that table (`parent`
    and the key's own `name` when they are not the parts of `key` around its last dot)."""
    if parent is None:
        parent = key.rsplit(".", 1)[0] if "." in key else ""
    parent = re.sub(r"\[\d+\]", "", parent)
    parent = ".".join(p for p in parent.split(".") if not p.isdigit())
    names = table_children(model, parent)
    name = key.rsplit(".", 1)[-1] if name is None else name
    hint = difflib.get_close_matches(name, names, n=1, cutoff=0.7)
    if hint:
        return f"unknown key (did you mean {hint[0]!r}?)"
    if not names:
        return "unknown key"
    return f"unknown key; allowed{f' in [{parent}]' if parent else ''}: {', '.join(names)}"
