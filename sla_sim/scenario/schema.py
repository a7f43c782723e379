"""The scenario's schema: every table and key of a scenario file (SPEC §3), its defaults and
limits, and `Scenario`, which expands its `[[variants]]` and sets dotted keys.

Reading a file is `scenario.file`; pydantic's errors become the file's words in
`scenario.messages`; dotted keys are walked in `scenario.keys`.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import itertools
import zoneinfo
from typing import Annotated, Any, Literal

import holidays
from babel.numbers import is_currency
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sla_sim.scenario import keys
from sla_sim.scenario.calendar import Calendar, add_months
from sla_sim.scenario.distributions import Distribution, Fixed, as_distribution
from sla_sim.scenario.messages import describe_errors
from sla_sim.scenario.values import LARGEST, Day, Flag, Holiday, Number, Text, Whole, finite

Dist = Annotated[Distribution, BeforeValidator(as_distribution)]
Probability = Annotated[Number, Field(ge=0.0, le=1.0)]
DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[DayName, ...] = ("mon", "tue", "wed", "thu", "fri")
MAX_LEADS = 2_000_000  # expected leads in a horizon: about 1.3 GiB in the worker that runs it
MAX_LEADS_PER_MONTH = 1_000_000  # one source's leads a month
MAX_REPS = 100_000  # reps in a team
CURRENCY_EXAMPLES = ("USD", "EUR", "BRL")


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
    name: Text = Field(min_length=1)
    description: Text = ""
    start_date: Day = dt.date(2027, 1, 4)
    months: Whole = Field(default=12, ge=1, le=120)
    warmup_days: Number = Field(default=0.0, ge=0.0)


TIMEZONE_EXAMPLES = ("America/Sao_Paulo", "America/New_York", "Europe/Lisbon")
COUNTRY_EXAMPLES = ("BR", "US", "PT")


def _timezone(value: Any) -> Any:
    if value is None or (isinstance(value, str) and value in zoneinfo.available_timezones()):
        return value
    examples = ", ".join(f'"{name}"' for name in TIMEZONE_EXAMPLES)
    raise ValueError(f"must be an IANA time zone name such as {examples}")


def _country(value: Any) -> Any:
    if value is None or (isinstance(value, str) and value in holidays.list_supported_countries()):
        return value
    examples = ", ".join(f'"{code}"' for code in COUNTRY_EXAMPLES)
    raise ValueError(
        f"must be an ISO 3166 country code the holiday calendar knows, such as {examples}"
    )


@functools.lru_cache(maxsize=32)
def _national_holidays(
    country: str, subdivision: str | None, first: int, last: int
) -> tuple[dt.date, ...]:
    found = holidays.country_holidays(country, subdiv=subdivision, years=range(first, last + 1))
    return tuple(sorted(found))


class CalendarSpec(_Section):
    always_open: Flag = False
    open_days: list[DayName] = Field(default_factory=lambda: list(WEEKDAYS))
    open_hours: tuple[Number, Number] = (9.0, 18.0)
    holidays: list[Holiday] = Field(default_factory=list)
    # SPEC §10: the team's time zone (for reading CRM timestamps) and national holidays.
    timezone: Annotated[str | None, BeforeValidator(_timezone)] = None
    holidays_country: Annotated[str | None, BeforeValidator(_country)] = None
    holidays_subdivision: Text | None = None

    @field_validator("holidays_subdivision")
    @classmethod
    def _subdivision(cls, subdivision: str | None, info: ValidationInfo) -> str | None:
        if subdivision is None or "holidays_country" not in info.data:
            return subdivision  # none, or the country is wrong (and has its own message)
        country = info.data["holidays_country"]
        if country is None:
            raise ValueError('needs calendar.holidays_country, e.g. "BR"')
        known = holidays.list_supported_countries()[country]
        if subdivision not in known:
            shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            raise ValueError(
                f"is not a subdivision of {country} the holiday calendar knows; allowed: "
                f"{shown or 'none (it has no subdivisions)'}"
            )
        return subdivision

    def holidays_between(self, start: dt.date, days: int) -> list[dt.date]:
        """Listed holidays and, with `holidays_country`, the national (and the subdivision's)
        holidays of the `days` days from `start`."""
        end = start + dt.timedelta(days=days)
        days_off = set(self.holidays)
        if self.holidays_country is not None:
            national = _national_holidays(
                self.holidays_country, self.holidays_subdivision, start.year, end.year
            )
            days_off.update(day for day in national if start <= day <= end)
        return sorted(days_off)

    @field_validator("open_hours")
    @classmethod
    def _increasing(cls, value: tuple[float, float]) -> tuple[float, float]:
        start, end = value
        if not 0 <= start < end <= 24:
            raise ValueError("must be [open, close] with 0 <= open < close <= 24")
        return value


class Source(_Section):
    name: Text = Field(min_length=1)
    leads_per_month: Number = Field(ge=0.0, le=MAX_LEADS_PER_MONTH)
    growth_per_month: Number = Field(default=0.0, gt=-1.0, le=10.0)
    hand_raiser_share: Probability = 0.0
    fit: Dist = Field(default_factory=lambda: Fixed(value=1.0))
    arrival: Literal["flat", "business"] = "flat"
    business_share: Probability = 0.8
    cost_per_lead: Number = Field(default=0.0, ge=0.0, le=LARGEST)

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
    fit_points: Number = Field(default=50.0, ge=0.0)
    points_per_touch: Number = Field(default=8.0, ge=0.0)
    touches_per_week: Dist = Field(default_factory=lambda: Fixed(value=0.6))
    points_half_life_days: Number = Field(default=21.0, gt=0.0)
    max_days: Number = Field(default=120.0, ge=0.0)

    _check_touches = field_validator("touches_per_week")(_non_negative)


class Handoff(_Section):
    sync_delay_minutes: Dist = Field(default_factory=lambda: Fixed(value=0.0))
    accept_min_fit: Probability = 0.0

    _check_delay = field_validator("sync_delay_minutes")(_non_negative)


def _hour(value: Any) -> Any:
    """An hour as the file writes it (9, not 9.0)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class Change(_Section):
    """A change of headcount at the start of a month (SPEC §10): hires, or leavers if negative."""

    month: Whole = Field(ge=1, le=120)
    reps: int = Field(ge=-MAX_REPS, le=MAX_REPS)

    @field_validator("reps", mode="before")
    @classmethod
    def _whole_change(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a whole number of reps (negative: reps leaving)")
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("must be a whole number of reps (negative: reps leaving)")
        if value == 0:
            raise ValueError("must not be 0 (a hire is positive, reps leaving negative)")
        return int(value)


def _ramp(value: list[float] | None) -> list[float] | None:
    if value is None:
        return value
    outside = [v for v in value if not 0 < v <= 1]
    if outside:
        raise ValueError(f"each month's capacity share must lie in (0, 1], found {outside[0]:g}")
    if value[-1] != 1:
        raise ValueError(
            f"must end at 1 (a ramped rep's capacity), found {value[-1]:g} last, e.g. "
            "[0.25, 0.5, 0.75, 1.0]"
        )
    return value


def headcount_by_month(start: int, changes: list[Change], months: int) -> list[int]:
    """The planned headcount in each month of the horizon (before attrition)."""
    step = [0] * (months + 1)
    for change in changes:
        if change.month <= months:
            step[change.month - 1] += change.reps
    out, count = [], start
    for m in range(months):
        count += step[m]
        out.append(count)
    return out


def _check_changes(key: str, start: int, changes: list[Change], months: int) -> None:
    """Raise when a change falls past the horizon or leaves fewer than no reps."""
    for i, change in enumerate(changes):
        if change.month > months:
            raise ValueError(
                f"{key}[{i}].month = {change.month} is past the horizon: months run from 1 to "
                f"{months} (scenario.months)"
            )
    for m, count in enumerate(headcount_by_month(start, changes, months), start=1):
        if count < 0:
            i, change = next((i, c) for i, c in enumerate(changes) if c.month == m and c.reps < 0)
            raise ValueError(
                f"{key}[{i}].reps = {change.reps}: the team falls to {count} reps in month {m} "
                f"({key.split('.')[0]}.reps = {start} and the changes up to then); a change can "
                "only remove reps who are there"
            )


LEAD_WORK = ("interleaved", "blocks", "checks")
ENFORCEMENTS = ("none", "alert", "reassign")
Block = tuple[Number, Number]


class Team(_Section):
    reps: Whole = Field(default=6, ge=1, le=MAX_REPS)
    attempt_minutes: Dist = Field(default_factory=lambda: Fixed(value=6.0))
    prospecting_share: Number = Field(default=0.5, gt=0.0, le=1.0)
    routing: Literal["shared_queue", "round_robin", "least_loaded"] = "shared_queue"
    priority: Literal["fifo", "newest_first", "highest_score", "new_first", "deadline"] = "fifo"
    # SPEC §9: when reps work new leads, and the handoffs nobody picks up.
    lead_work: Literal["interleaved", "blocks", "checks"] = "interleaved"
    lead_blocks: list[Block] | None = Field(default=None, min_length=1, max_length=24)
    check_every_hours: Number | None = Field(default=None, gt=0.0, le=24.0 * 31)
    ignore_share: Probability = 0.0
    # SPEC §10: the team over the year.
    changes: list[Change] = Field(default_factory=list, max_length=1200)
    ramp: list[Number] | None = Field(default=None, min_length=1, max_length=36)
    attrition_per_month: Probability = 0.0
    backfill_days: Number | None = Field(default=None, ge=0.0, le=365.0)
    time_off_days_per_year: Number = Field(default=0.0, ge=0.0, le=200.0)

    _check_ramp = field_validator("ramp")(_ramp)

    @property
    def varies(self) -> bool:
        """Whether the team changes over the year (SPEC §10): the desk then tracks each rep."""
        return bool(
            self.changes or self.attrition_per_month > 0 or self.time_off_days_per_year > 0
        )  # a ramp alone changes nobody: the starting team is ramped

    @field_validator("attempt_minutes")
    @classmethod
    def _positive_mean(cls, value: Distribution) -> Distribution:
        _non_negative(value)
        if value.mean <= 0:
            raise ValueError("must have a positive mean")
        return value

    @field_validator("lead_blocks")
    @classmethod
    def _ordered_blocks(cls, value: list[tuple[float, float]] | None) -> Any:
        if value is None:
            return value
        for a, b in value:
            if not 0 <= a < b <= 24:
                raise ValueError(
                    "each block is [start, end] with 0 <= start < end <= 24 (hours of the day), "
                    f"found [{_hour(a)}, {_hour(b)}]"
                )
        for (a, end), (start, b) in itertools.pairwise(sorted(value)):
            if start < end:
                raise ValueError(
                    f"blocks must not overlap, found [{_hour(a)}, {_hour(end)}] and "
                    f"[{_hour(start)}, {_hour(b)}]"
                )
        return sorted(value)

    def check_keys(self) -> None:
        """Keys that only mean something together (raised from the scenario, which names them)."""
        if self.lead_work == "blocks" and self.lead_blocks is None:
            raise ValueError(
                'team.lead_work = "blocks" needs team.lead_blocks, e.g. [[9.5, 11], [14, 15.5]]'
            )
        if self.lead_work == "checks" and self.check_every_hours is None:
            raise ValueError('team.lead_work = "checks" needs team.check_every_hours, e.g. 2')
        for key, mode in (("lead_blocks", "blocks"), ("check_every_hours", "checks")):
            value = getattr(self, key)
            if value is not None and self.lead_work != mode:
                shown = [[_hour(a), _hour(b)] for a, b in value] if key == "lead_blocks" else value
                raise ValueError(
                    f"team.{key} = {_hour(shown) if key != 'lead_blocks' else shown} applies only "
                    f'with team.lead_work = "{mode}" (it is "{self.lead_work}"); set both or '
                    "remove it"
                )


class DecayTable(_Section):
    """A user's own decay: multipliers on connect_prob and qualify_prob at given lead ages."""

    age_hours: list[Annotated[Number, Field(ge=0.0)]] = Field(min_length=1)
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


DECAYS = ("half_life", "lrm2007", "hbr2011")
DECAY_ALLOWED = (
    f"must be one of {', '.join(repr(d) for d in DECAYS)}, "
    "or a table of age_hours, connect and qualify"
)


def _decay_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "preset"
    return "table" if isinstance(value, dict | DecayTable) else None


def _preset(value: str) -> str:
    if value not in DECAYS:
        raise ValueError(DECAY_ALLOWED)
    return value


Decay = Annotated[
    Annotated[Literal["half_life", "lrm2007", "hbr2011"], BeforeValidator(_preset), Tag("preset")]
    | Annotated[DecayTable, Tag("table")],
    Discriminator(_decay_kind, custom_error_type="decay", custom_error_message=DECAY_ALLOWED),
]


def _sweep_values(value: Any) -> Any:
    if isinstance(value, list | str):
        return value
    raise ValueError('must be a list of values or a range "LO:HI" or "LO:HI:STEP"')


SweepValues = Annotated[list[Any] | str, BeforeValidator(_sweep_values)]


HALF_LIFE_KEYS = (
    "connect_half_life_hours",
    "connect_floor",
    "qualify_half_life_hours",
    "qualify_floor",
)


class Response(_Section):
    connect_prob: Probability = 0.45
    connect_half_life_hours: Number = Field(default=4.0, gt=0.0)
    connect_floor: Probability = 0.1
    qualify_prob: Probability = 0.5
    qualify_half_life_hours: Number = Field(default=72.0, gt=0.0)
    qualify_floor: Probability = 0.0
    decay: Decay = "half_life"
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
    mql_threshold: Number = Field(default=60.0, ge=0.0)
    monthly_mql_commitment: Number = Field(default=200.0, ge=0.0)
    acceptance_target: Probability = 0.8


REASSIGN_KEYS = ("reassign_after_minutes", "max_reassignments")
ENFORCEMENT_KEYS = ("alert_at", *REASSIGN_KEYS)
ALERT_AT = 0.75  # the alert at three quarters of the target, unless sla.sales.alert_at says


class SalesSLA(_Section):
    first_response_hours: Number = Field(default=24.0, gt=0.0)
    clock: Literal["business", "calendar"] = "business"
    min_attempts: Whole = Field(default=6, ge=1, le=100)
    retry_gap_hours: list[Annotated[Number, Field(gt=0.0)]] = Field(
        default_factory=lambda: [4.0, 24.0, 48.0, 72.0, 96.0], min_length=1
    )
    follow_up_window_days: Number = Field(default=14.0, gt=0.0)
    on_no_contact: Literal["recycle", "disqualify"] = "recycle"
    max_recycles: Whole = Field(default=1, ge=0, le=20)
    # SPEC §9: how the organisation holds Sales to the response target.
    enforcement: Literal["none", "alert", "reassign"] = "none"
    alert_at: Number | None = Field(default=None, gt=0.0, le=1.0)  # unset: ALERT_AT
    reassign_after_minutes: Number | None = Field(default=None, gt=0.0, le=60.0 * 24 * 31)
    max_reassignments: Whole | None = Field(default=None, ge=1, le=100)  # unset: 1

    @property
    def alert_share(self) -> float:
        """The share of the response target at which a waiting lead is alerted."""
        return ALERT_AT if self.alert_at is None else self.alert_at

    @property
    def reassignments_allowed(self) -> int:
        return 1 if self.max_reassignments is None else self.max_reassignments

    def check_keys(self) -> None:
        """Enforcement keys only mean something with their enforcement."""
        if self.enforcement == "none":
            given = [k for k in ENFORCEMENT_KEYS if getattr(self, k) is not None]
            if given:
                raise ValueError(
                    f"sla.sales.{given[0]} = {_hour(getattr(self, given[0]))} applies only with "
                    'sla.sales.enforcement = "alert" or "reassign" (it is "none"); set '
                    "enforcement or remove it"
                )
        if self.enforcement == "reassign" and self.reassign_after_minutes is None:
            raise ValueError(
                'sla.sales.enforcement = "reassign" needs sla.sales.reassign_after_minutes, e.g. 30'
            )

    @field_validator("retry_gap_hours", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            finite(value)
            return [value]
        return value


def _currency(value: Any) -> Any:
    if isinstance(value, str) and is_currency(value):
        return value
    examples = ", ".join(f'"{code}"' for code in CURRENCY_EXAMPLES[:-1])
    raise ValueError(
        f'must be an ISO 4217 currency code such as {examples} or "{CURRENCY_EXAMPLES[-1]}"'
    )


Currency = Annotated[str, BeforeValidator(_currency)]


class Costs(_Section):
    """What the team and the leads cost; read only by the cost metrics, never by the model."""

    rep_cost_per_month: Number = Field(default=0.0, ge=0.0, le=LARGEST)
    ae_cost_per_month: Number = Field(default=0.0, ge=0.0, le=LARGEST)
    currency: Currency = "USD"


class AccountExecutives(_Section):
    """The second tier (SPEC §10): account executives who take the SDRs' opportunities."""

    reps: Whole = Field(default=2, ge=0, le=MAX_REPS)
    max_open_opportunities: Whole = Field(default=20, ge=1, le=100_000)
    accept_within_hours: Number = Field(default=24.0, gt=0.0, le=24.0 * 365)
    win_half_life_days: Number | None = Field(default=None, gt=0.0, le=3650.0)
    changes: list[Change] = Field(default_factory=list, max_length=1200)


class SLA(_Section):
    marketing: MarketingSLA = Field(default_factory=MarketingSLA)
    sales: SalesSLA = Field(default_factory=SalesSLA)


class Variant(_Section):
    name: Text = Field(min_length=1)
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
    costs: Costs = Field(default_factory=Costs)
    ae: AccountExecutives | None = None
    variants: list[Variant] = Field(default_factory=list)
    sweep: dict[str, SweepValues] = Field(default_factory=dict)
    # The text of the file it was read from and the dotted keys set since (for `scenario_file`).
    _file_text: str | None = PrivateAttr(default=None)
    _overrides: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _coherent(self) -> Scenario:
        names = [s.name for s in self.sources]
        if len(set(names)) != len(names):
            raise ValueError(f"sources: names must be unique, got {names}")
        leads = self.expected_leads()
        if leads > MAX_LEADS:
            raise ValueError(
                f"sources: about {leads:.3g} leads in the horizon, more than a run can hold "
                f"({MAX_LEADS:,}); lower leads_per_month, growth_per_month or scenario.months"
            )
        if self.scenario.warmup_days >= self.horizon_days:
            raise ValueError(
                f"scenario.warmup_days = {self.scenario.warmup_days:g}: must be shorter than the "
                f"horizon ({self.horizon_days} days)"
            )
        self.team.check_keys()
        self.sla.sales.check_keys()
        months = self.scenario.months
        _check_changes("team.changes", self.team.reps, self.team.changes, months)
        if self.ae is not None:
            _check_changes("ae.changes", self.ae.reps, self.ae.changes, months)
        blocks = self.team.lead_blocks
        if blocks and not self.calendar.always_open:
            opens, closes = self.calendar.open_hours
            outside = [b for b in blocks if b[0] < opens or b[1] > closes]
            if outside:
                raise ValueError(
                    f"team.lead_blocks = {[[_hour(a), _hour(b)] for a, b in blocks]}: every block "
                    f"must lie inside calendar.open_hours [{_hour(opens)}, {_hour(closes)}], "
                    f"found [{_hour(outside[0][0])}, {_hour(outside[0][1])}]"
                )
        if not self.calendar.always_open and not self.business_calendar().has_open_hours:
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

    def expected_leads(self) -> float:
        """The mean number of leads all sources bring in the horizon."""
        months = range(self.scenario.months)
        return sum(
            s.leads_per_month * sum((1.0 + s.growth_per_month) ** m for m in months)
            for s in self.sources
        )

    @property
    def horizon_hours(self) -> float:
        return self.horizon_days * 24.0

    def business_calendar(self, extra_days: int = 0) -> Calendar:
        """The open hours of the horizon (and `extra_days` after it, for deadlines past it)."""
        spec = self.calendar
        return Calendar(
            self.scenario.start_date,
            self.horizon_days + extra_days,
            always_open=spec.always_open,
            open_days=spec.open_days,
            open_hours=spec.open_hours,
            holidays=spec.holidays_between(
                self.scenario.start_date, self.horizon_days + extra_days
            ),
        )

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
        problems = [p for key, value in overrides.items() for p in _set(document, key, value)]
        if name is not None:
            document["scenario"]["name"] = name
        try:
            scenario = Scenario.model_validate(document)
        except ValidationError as error:
            problems += describe_errors(error, document, Scenario)
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


SKIPPED = ("variants", "sweep")  # tables of the file that are not settings


def known_keys() -> list[str]:
    """Every dotted key a variant or sweep can set (`team.reps`; a source's as `sources.0.fit`)."""
    return keys.known_keys(Scenario, SKIPPED)


def check_dotted_key(key: str) -> str | None:
    """None when `key` names a setting of the schema, else what is wrong with it."""
    return keys.check_key(Scenario, key, SKIPPED)


def _set(document: dict[str, Any], key: str, value: Any) -> list[str]:
    """Set a dotted key in a scenario document; the problem with the key, if any."""
    problem = check_dotted_key(key)
    if problem:
        return [f"{key}: {problem}"]
    try:
        keys.set_key(document, key, value)
    except IndexError:
        count = len(document.get("sources", []))
        return [f"{key}: there are only {count} sources"]
    return []
