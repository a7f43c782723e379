"""Pydantic's validation errors in the words of a scenario file: one line per problem naming the
dotted key, the value found and what is allowed."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from sla_sim.scenario.distributions import DIST_NAMES, by_name
from sla_sim.scenario.keys import unknown_key

# Steps of pydantic's error locations that name a branch of a union, not a key of the file.
TAGS = (*DIST_NAMES, "fixed", "preset", "table")
ALL_DISTS = ", ".join((*DIST_NAMES, "fixed"))


def _is_tag(item: Any) -> bool:
    return isinstance(item, str) and (item in TAGS or item.startswith("function-"))


def _dotted(loc: tuple[Any, ...], user_key_last: bool = False) -> str:
    """The dotted key of an error's location; its last step is the file's own key when
    `user_key_last` (an unknown key may be spelled like a tag)."""
    parts: list[str] = []
    for i, item in enumerate(loc):
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
        elif not _is_tag(item) or (user_key_last and i == len(loc) - 1):
            parts.append(bare_key(str(item)))
    return ".".join(parts)


def bare_key(name: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted (`"team.reps"` in [sweep])."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _lookup(document: Any, loc: tuple[Any, ...]) -> tuple[bool, Any]:
    node = document
    for item in loc:
        in_table = isinstance(node, dict) and item in node
        in_list = isinstance(node, list) and isinstance(item, int) and item < len(node)
        if in_table or in_list:
            node = node[item]
        elif not _is_tag(item):
            return False, None
    return True, node


def _dist_of(loc: tuple[Any, ...]) -> str | None:
    """The distribution whose table holds the last step of `loc`, if any."""
    inner = [item for item in loc[:-1] if isinstance(item, str) and item in (*DIST_NAMES, "fixed")]
    return inner[-1] if inner and loc[-2] == inner[-1] else None


def _allowed(error: Any) -> str:
    kind, ctx, msg = error["type"], error.get("ctx") or {}, error["msg"]
    words = {
        "greater_than_equal": lambda: f"must be >= {ctx.get('ge'):g}",
        "greater_than": lambda: f"must be > {ctx.get('gt'):g}",
        "less_than_equal": lambda: f"must be <= {ctx.get('le'):g}",
        "less_than": lambda: f"must be < {ctx.get('lt'):g}",
        "missing": lambda: "required, missing",
        "literal_error": lambda: f"allowed: {ctx.get('expected')}",
        "union_tag_invalid": lambda: f"unknown dist; allowed: {ALL_DISTS}",
        "union_tag_not_found": lambda: f"a table needs dist = one of {ALL_DISTS}",
        "int_type": lambda: "must be a whole number",
        "int_from_float": lambda: "must be a whole number",
        "int_parsing": lambda: "must be a whole number",
        "float_type": lambda: "must be a number",
        "float_parsing": lambda: "must be a number",
        "bool_type": lambda: "must be true or false",
        "bool_parsing": lambda: "must be true or false",
        "string_type": lambda: "must be text",
        "too_short": lambda: "must not be empty",
        "date_from_datetime_parsing": lambda: "must be a date like 2027-01-04",
        "date_parsing": lambda: "must be a date like 2027-01-04",
        "date_type": lambda: "must be a date like 2027-01-04",
        "list_type": lambda: "must be a list",
        "tuple_type": lambda: "must be a list",
        "model_type": lambda: "must be a table",
        "model_attributes_type": lambda: "must be a table",
        "dict_type": lambda: "must be a table",
    }
    if kind in words:
        return str(words[kind]())
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    return msg[:1].lower() + msg[1:]


def describe_errors(
    error: ValidationError, document: Any, model: type[BaseModel], where: str = ""
) -> list[str]:
    """One line per problem: `[where]key = value: what is allowed`."""
    lines = []
    for item in error.errors():
        loc = tuple(item["loc"])
        key = _dotted(loc, user_key_last=item["type"] == "extra_forbidden")
        if item["type"] == "extra_forbidden":
            dist = _dist_of(loc)
            takes = ", ".join(by_name(dist)) if dist else ""
            lines.append(
                f"{where}{key}: unknown key; a {dist} distribution takes {takes}"
                if dist
                else f"{where}{key}: {unknown_key(model, key, _dotted(loc[:-1]), str(loc[-1]))}"
            )
            continue
        if item["type"] == "union_tag_invalid":
            found, value = _lookup(document, loc)
            lines.append(
                f"{where}{key}.dist = {show(value.get('dist'))}: {_allowed(item)}"
                if found and isinstance(value, dict)
                else f"{where}{key}: {_allowed(item)}"
            )
            continue
        if item["type"] == "value_error" and not key:
            lines.append(f"{where}{_allowed(item)}")
            continue
        found, value = _lookup(document, loc)
        shown = (
            f" = {show(value)}"
            if found and (not isinstance(value, dict) or "dist" in value)
            else ""
        )
        lines.append(f"{where}{key or 'file'}{shown}: {_allowed(item)}")
    return lines


def show(value: Any) -> str:
    """A value as the file writes it."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {show(v)}" for k, v in value.items()) + " }"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        short = f"{value:g}"
        return short if abs(value) >= 1e6 and float(short) == value else repr(value)
    return str(value)
