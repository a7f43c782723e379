"""The scenario file: its schema, defaults, variants, and messages that name what is wrong.

A scenario is one TOML file (SPEC §3). `load_scenario` reads and validates it; every problem becomes
one line naming the file, the dotted key, the value and what is allowed, gathered in a
`ScenarioError`. `[[variants]]` override dotted keys of the base scenario; `Scenario.expand()` gives
the base and each variant as complete scenarios.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import itertools
import json
import math
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from sla_sim.calendar import DAY_NAMES, add_months
from sla_sim.distributions import DIST_NAMES, Distribution, Fixed, as_distribution

Dist = Annotated[Distribution, BeforeValidator(as_distribution)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[DayName, ...] = ("mon", "tue", "wed", "thu", "fri")


class ScenarioError(Exception):
    """A scenario file that cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _non_negative(value: Distribution) -> Distribution:
    if value.low < 0:
        raise ValueError(f"must not take negative values (its lowest value is {value.low:g})")
    return value


class Info(_Section):
    name: str = Field(min_length=1)
    description: str = ""
    start_date: dt.date = dt.date(2027, 1, 4)
    months: int = Field(default=12, ge=1, le=120)
    warmup_days: float = Field(default=0.0, ge=0.0)


class CalendarSpec(_Section):
    always_open: bool = False
    open_days: list[DayName] = Field(default_factory=lambda: list(WEEKDAYS))
    open_hours: tuple[float, float] = (9.0, 18.0)
    holidays: list[dt.date] = Field(default_factory=list)

    @field_validator("open_hours")
    @classmethod
    def _increasing(cls, value: tuple[float, float]) -> tuple[float, float]:
        start, end = value
        if not 0 <= start < end <= 24:
            raise ValueError("must be [open, close] with 0 <= open < close <= 24")
        return value


class Source(_Section):
    name: str = Field(min_length=1)
    leads_per_month: float = Field(ge=0.0)
    growth_per_month: float = Field(default=0.0, gt=-1.0)
    hand_raiser_share: Probability = 0.0
    fit: Dist = Field(default_factory=lambda: Fixed(value=1.0))
    arrival: Literal["flat", "business"] = "flat"
    business_share: Probability = 0.8

    @field_validator("fit")
    @classmethod
    def _fit_in_unit_interval(cls, value: Distribution) -> Distribution:
        values = getattr(value, "values", None)
        if value.dist in ("exponential", "lognormal", "gamma"):
            raise ValueError(
                f"fit lies in [0, 1] but {value.dist} can exceed 1: use beta, uniform, "
                "triangular, empirical or a number"
            )
        highest = max(values) if values else getattr(value, "high", getattr(value, "value", 1.0))
        if value.low < 0 or highest > 1:
            raise ValueError("fit must lie in [0, 1]")
        return value


class Nurture(_Section):
    fit_points: float = Field(default=50.0, ge=0.0)
    points_per_touch: float = Field(default=8.0, ge=0.0)
    touches_per_week: Dist = Field(default_factory=lambda: Fixed(value=0.6))
    points_half_life_days: float = Field(default=21.0, gt=0.0)
    max_days: float = Field(default=120.0, ge=0.0)

    _check_touches = field_validator("touches_per_week")(_non_negative)


class Handoff(_Section):
    sync_delay_minutes: Dist = Field(default_factory=lambda: Fixed(value=0.0))
    accept_min_fit: Probability = 0.0

    _check_delay = field_validator("sync_delay_minutes")(_non_negative)


class Team(_Section):
    reps: int = Field(default=6, ge=1)
    attempt_minutes: Dist = Field(default_factory=lambda: Fixed(value=6.0))
    prospecting_share: float = Field(default=0.5, gt=0.0, le=1.0)
    routing: Literal["shared_queue", "round_robin", "least_loaded"] = "shared_queue"
    priority: Literal["fifo", "newest_first", "highest_score"] = "fifo"

    @field_validator("attempt_minutes")
    @classmethod
    def _positive_mean(cls, value: Distribution) -> Distribution:
        _non_negative(value)
        if value.mean <= 0:
            raise ValueError("must have a positive mean")
        return value


class DecayTable(_Section):
    """A user's own decay: multipliers on connect_prob and qualify_prob at given lead ages."""

    age_hours: list[Annotated[float, Field(ge=0.0)]] = Field(min_length=1)
    connect: list[Probability] = Field(min_length=1)
    qualify: list[Probability] = Field(min_length=1)

    @model_validator(mode="after")
    def _monotone(self) -> DecayTable:
        if not len(self.age_hours) == len(self.connect) == len(self.qualify):
            raise ValueError("age_hours, connect and qualify need the same number of values")
        if any(b <= a for a, b in itertools.pairwise(self.age_hours)):
            raise ValueError(f"age_hours = {self.age_hours}: ages must increase")
        for name in ("connect", "qualify"):
            values = getattr(self, name)
            if any(b > a for a, b in itertools.pairwise(values)):
                raise ValueError(f"{name} = {values}: leads only cool, multipliers must not rise")
        return self


DECAY_PRESETS = ("half_life", "lrm2007", "hbr2011")
HALF_LIFE_KEYS = (
    "connect_half_life_hours",
    "connect_floor",
    "qualify_half_life_hours",
    "qualify_floor",
)


class Response(_Section):
    connect_prob: Probability = 0.45
    connect_half_life_hours: float = Field(default=4.0, gt=0.0)
    connect_floor: Probability = 0.1
    qualify_prob: Probability = 0.5
    qualify_half_life_hours: float = Field(default=72.0, gt=0.0)
    qualify_floor: Probability = 0.0
    decay: Literal["half_life", "lrm2007", "hbr2011"] | DecayTable = "half_life"
    patience_hours: Dist | None = None

    _check_patience = field_validator("patience_hours")(
        lambda v: None if v is None else _non_negative(v)
    )


class Deals(_Section):
    cycle_days: Dist = Field(default_factory=lambda: Fixed(value=35.0))
    win_prob: Probability = 0.3
    deal_value: Dist = Field(default_factory=lambda: Fixed(value=12000.0))

    _check = field_validator("cycle_days", "deal_value")(_non_negative)


class MarketingSLA(_Section):
    mql_threshold: float = Field(default=60.0, ge=0.0)
    monthly_mql_commitment: float = Field(default=200.0, ge=0.0)
    acceptance_target: Probability = 0.8


class SalesSLA(_Section):
    first_response_hours: float = Field(default=24.0, gt=0.0)
    clock: Literal["business", "calendar"] = "business"
    min_attempts: int = Field(default=6, ge=1, le=100)
    retry_gap_hours: list[Annotated[float, Field(gt=0.0)]] = Field(
        default_factory=lambda: [4.0, 24.0, 48.0, 72.0, 96.0], min_length=1
    )
    follow_up_window_days: float = Field(default=14.0, gt=0.0)
    on_no_contact: Literal["recycle", "disqualify"] = "recycle"
    max_recycles: int = Field(default=1, ge=0, le=20)

    @field_validator("retry_gap_hours", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, int | float) and not isinstance(value, bool) else value


class SLA(_Section):
    marketing: MarketingSLA = Field(default_factory=MarketingSLA)
    sales: SalesSLA = Field(default_factory=SalesSLA)


class Variant(_Section):
    name: str = Field(min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)


class Scenario(_Section):
    """One scenario: the market, the team, the terms of the SLA, and named variants of it."""

    scenario: Info
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    sources: list[Source] = Field(min_length=1)
    nurture: Nurture = Field(default_factory=Nurture)
    handoff: Handoff = Field(default_factory=Handoff)
    team: Team = Field(default_factory=Team)
    response: Response = Field(default_factory=Response)
    deals: Deals = Field(default_factory=Deals)
    sla: SLA = Field(default_factory=SLA)
    variants: list[Variant] = Field(default_factory=list)
    sweep: dict[str, list[Any] | str] = Field(default_factory=dict)  # values, or "LO:HI[:STEP]"
    # The text of the file it was read from and the dotted keys set since (for `scenario_file`).
    _file_text: str | None = PrivateAttr(default=None)
    _overrides: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _coherent(self) -> Scenario:
        names = [s.name for s in self.sources]
        if len(set(names)) != len(names):
            raise ValueError(f"sources: names must be unique, got {names}")
        if self.scenario.warmup_days >= self.horizon_days:
            raise ValueError(
                f"scenario.warmup_days = {self.scenario.warmup_days:g}: must be shorter than the "
                f"horizon ({self.horizon_days} days)"
            )
        if not self.calendar.always_open and not _has_open_day(self):
            raise ValueError(
                "calendar: no open hour in the whole horizon (open_days, holidays), so no response "
                "target can be met; set open_days or always_open = true"
            )
        return self

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def horizon_days(self) -> int:
        start = self.scenario.start_date
        return (add_months(start, self.scenario.months) - start).days

    @property
    def horizon_hours(self) -> float:
        return self.horizon_days * 24.0

    def to_document(self) -> dict[str, Any]:
        """The scenario as the plain data of a file, with the keys the file set (round-trips through
        `Scenario.model_validate`)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def canonical_json(self) -> str:
        return self.model_dump_json(by_alias=True)

    def with_overrides(self, overrides: dict[str, Any], name: str | None = None) -> Scenario:
        """A copy with dotted keys set (its variants then apply on top of the new values); raises
        ScenarioError naming the key when one is wrong."""
        document = self.to_document()
        problems = [
            p for key, value in overrides.items() for p in _set_dotted(document, key, value)
        ]
        if name is not None:
            document["scenario"]["name"] = name
        try:
            scenario = Scenario.model_validate(document)
        except ValidationError as error:
            problems += describe_errors(error, document)
        if problems:
            raise ScenarioError(problems)
        scenario._file_text = self._file_text
        scenario._overrides = {**self._overrides, **copy.deepcopy(overrides)}
        return scenario

    @property
    def file_text(self) -> str | None:
        """The text of the scenario file this scenario was read from, if any."""
        return self._file_text

    @property
    def overrides(self) -> dict[str, Any]:
        """The dotted keys set on top of that file (by a variant, a sweep or the app)."""
        return dict(self._overrides)

    def expand(self) -> list[Scenario]:
        """The base scenario (without its variants) followed by each variant."""
        base = self.model_copy(update={"variants": [], "sweep": {}})
        return [base] + [base.with_overrides(v.set, name=v.name) for v in self.variants]


def _has_open_day(scenario: Scenario) -> bool:
    start = scenario.scenario.start_date
    holidays = set(scenario.calendar.holidays)
    weekdays = {DAY_NAMES.index(d) for d in scenario.calendar.open_days}
    for offset in range(scenario.horizon_days):
        day = start + dt.timedelta(days=offset)
        if day.weekday() in weekdays and day not in holidays:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Dotted keys


def _field_model(model: type[BaseModel], name: str) -> tuple[bool, Any]:
    """(known, annotation) for field `name` of `model`, by name or alias."""
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias):
            return True, info.annotation
    return False, None


def known_keys(model: type[BaseModel] = Scenario, prefix: str = "") -> list[str]:
    """Every dotted key a variant or sweep can set (`team.reps`; a source's as `sources.0.fit`)."""
    keys = []
    for field_name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or field_name}"
        annotation = info.annotation
        if field_name in ("variants", "sweep"):
            continue
        if isinstance(annotation, type) and issubclass(annotation, _Section):
            keys += known_keys(annotation, key + ".")
        elif field_name == "sources":
            keys += known_keys(Source, "sources.0.")
        else:
            keys.append(key)
    return keys


def _table_children(table: str) -> list[str]:
    """The keys allowed directly inside a table of the file (`""` is the top level)."""
    model: Any = Scenario
    for part in filter(None, table.split(".")):
        known, annotation = _field_model(model, part)
        if part == "sources":
            model = Source
        elif known and isinstance(annotation, type) and issubclass(annotation, _Section):
            model = annotation
        else:
            return []
    return [info.alias or name for name, info in model.model_fields.items()]


def check_dotted_key(key: str) -> str | None:
    """None when `key` names a setting of the schema, else what is wrong with it."""
    model: Any = Scenario
    parts = key.split(".")
    i = 0
    while i < len(parts):
        part = parts[i]
        known, annotation = _field_model(model, part)
        if not known or part in ("variants", "sweep"):
            hint = difflib.get_close_matches(key, known_keys(), n=1, cutoff=0.7)
            return f"unknown key (did you mean {hint[0]!r}?)" if hint else _unknown_key(key)
        if part == "sources":
            if i + 1 >= len(parts) or not parts[i + 1].isdigit():
                return "a source is named by its position: sources.0.leads_per_month"
            model, i = Source, i + 2
            continue
        i += 1
        if isinstance(annotation, type) and issubclass(annotation, _Section):
            model = annotation
        elif i < len(parts):
            return f"{'.'.join(parts[:i])} is a value, not a table"
        else:
            return None
    return "names a table, not a value"


def _set_dotted(document: dict[str, Any], key: str, value: Any) -> list[str]:
    problem = check_dotted_key(key)
    if problem:
        return [f"{key}: {problem}"]
    node: Any = document
    parts = key.split(".")
    for part in parts[:-1]:
        if isinstance(node, list):
            index = int(part)
            if index >= len(node):
                return [f"{key}: there are only {len(node)} sources"]
            node = node[index]
        else:
            node = node.setdefault(part, {})
    node[parts[-1]] = copy.deepcopy(value)
    return []


# ---------------------------------------------------------------------------------------------
# Reading files and describing problems


def _dotted(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
        elif item in DIST_NAMES or item == "fixed" or str(item).startswith("function-"):
            continue
        else:
            parts.append(str(item))
    return ".".join(parts)


def _lookup(document: Any, loc: tuple[Any, ...]) -> tuple[bool, Any]:
    node = document
    for item in loc:
        in_table = isinstance(node, dict) and item in node
        in_list = isinstance(node, list) and isinstance(item, int) and item < len(node)
        if in_table or in_list:
            node = node[item]
        elif item in DIST_NAMES or item == "fixed":
            continue
        else:
            return False, None
    return True, node


def _allowed(error: Any) -> str:
    kind, ctx, msg = error["type"], error.get("ctx") or {}, error["msg"]
    words = {
        "greater_than_equal": lambda: f"must be >= {ctx.get('ge'):g}",
        "greater_than": lambda: f"must be > {ctx.get('gt'):g}",
        "less_than_equal": lambda: f"must be <= {ctx.get('le'):g}",
        "less_than": lambda: f"must be < {ctx.get('lt'):g}",
        "missing": lambda: "required, missing",
        "literal_error": lambda: f"allowed: {ctx.get('expected')}",
        "union_tag_invalid": lambda: f"unknown dist; allowed: {', '.join(DIST_NAMES)}",
        "union_tag_not_found": lambda: f"a table needs dist = one of {', '.join(DIST_NAMES)}",
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


def describe_errors(error: ValidationError, document: Any, where: str = "") -> list[str]:
    """One line per problem: `[where]key = value: what is allowed`."""
    lines = []
    for item in error.errors():
        loc = tuple(item["loc"])
        key = _dotted(loc)
        if item["type"] == "extra_forbidden":
            lines.append(f"{where}{key}: {_unknown_key(key)}")
            continue
        if item["type"] == "union_tag_invalid":
            found, value = _lookup(document, loc)
            lines.append(
                f"{where}{key}.dist = {value.get('dist')!r}: {_allowed(item)}"
                if found and isinstance(value, dict)
                else f"{where}{key}: {_allowed(item)}"
            )
            continue
        if item["type"] == "value_error" and not key:
            lines.append(f"{where}{_allowed(item)}")
            continue
        found, value = _lookup(document, loc)
        shown = (
            f" = {_show(value)}"
            if found and (not isinstance(value, dict) or "dist" in value)
            else ""
        )
        lines.append(f"{where}{key or 'file'}{shown}: {_allowed(item)}")
    return lines


def _unknown_key(key: str) -> str:
    """'unknown key', with the likely intended key or the keys allowed in that table."""
    parent = re.sub(r"\[\d+\]", "", key.rsplit(".", 1)[0]) if "." in key else ""
    names = _table_children(parent)
    hint = difflib.get_close_matches(key.rsplit(".", 1)[-1], names, n=1, cutoff=0.7)
    if hint:
        return f"unknown key (did you mean {hint[0]!r}?)"
    return f"unknown key; allowed{f' in [{parent}]' if parent else ''}: {', '.join(names)}"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_show(v)}" for k, v in value.items()) + " }"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return repr(value)
    return str(value)


def parse_scenario(document: dict[str, Any], source: str = "scenario") -> Scenario:
    """Validate a scenario document (the parsed TOML), its variants included."""
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as error:
        raise ScenarioError([f"{source}: {p}" for p in describe_errors(error, document)]) from None
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


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Terms that are legal but will surprise a reader of the results."""
    from sla_sim.calendar import Calendar

    warnings = []
    sales = scenario.sla.sales
    if sales.clock == "calendar" and not scenario.calendar.always_open:
        cal = _calendar_for(scenario, Calendar)
        gap = cal.longest_closed_gap_hours()
        if sales.first_response_hours < gap:
            warnings.append(
                f"{scenario.name}: sla.sales.first_response_hours = {sales.first_response_hours:g} "
                f"on the calendar clock is shorter than the longest closed stretch ({gap:g} h): "
                "leads handed off after closing cannot be answered in time"
            )
    response = scenario.response
    overridden = [k for k in HALF_LIFE_KEYS if k in response.model_fields_set]
    if response.decay != "half_life" and overridden:
        warnings.append(
            f"{scenario.name}: response.decay replaces {', '.join('response.' + k for k in overridden)}"
            ", which are ignored"
        )
    if sales.follow_up_window_days * 24 < sum(sales.retry_gap_hours[: sales.min_attempts - 1]):
        warnings.append(
            f"{scenario.name}: sla.sales.follow_up_window_days = {sales.follow_up_window_days:g} is "
            f"too short for {sales.min_attempts} attempts at the gaps {sales.retry_gap_hours}: "
            "every lead without contact will breach the attempt commitment"
        )
    return warnings


def _calendar_for(scenario: Scenario, cls: Any) -> Any:
    spec = scenario.calendar
    return cls(
        scenario.scenario.start_date,
        scenario.horizon_days,
        always_open=spec.always_open,
        open_days=spec.open_days,
        open_hours=spec.open_hours,
        holidays=spec.holidays,
    )
