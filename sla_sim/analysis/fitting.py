"""Fits of a CRM export to the parameters of a scenario (SPEC §11): the numbers `calibrate` writes.

Each fit estimates the parameter as the model reads it (SPEC §2, §9, §10), not a number near it:
a source's `leads_per_month` is the expected arrivals of the scenario's first month, a lead's age
is counted from its MQL moment as the desk counts it, `win_prob` is the chance that multiplies a
lead's fit. Every result carries `evidence`, the sentence the calibrated file writes beside the
value (rows used, period, method, interval), and a fit whose field the export lacks keeps the
default and says so (`Fitted.is_default`).

The period is the export's: the calibrated scenario starts on its first day, so its months are
counted from that day (`Period`), and `as_of` censors what had not happened yet (an open deal, a
lead never attempted). Intervals are at `intervals.CONFIDENCE`; the estimators are scipy's
wherever scipy has one (binomial intervals, beta and censored lognormal maximum likelihood, the
interval of a median, isotonic regression). Two likelihoods scipy has no estimator for are
maximised here with `scipy.optimize`: the Poisson regression of monthly counts and the cure
form of the win probability when only won deals are listed.

Response behaviour (`team.lead_work`, `team.ignore_share`) is not fitted here: it is found by
simulation (`experiments.calibrate`), matching the response times `observed.response` reads,
the one measure of response time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from sla_sim.analysis.intervals import CONFIDENCE, interval
from sla_sim.crm.profiles import GENERIC, PROFILES
from sla_sim.crm.tables import CrmExport
from sla_sim.model.decay import Table, decay_curves
from sla_sim.scenario.calendar import DAY_NAMES, Calendar, add_months
from sla_sim.scenario.schema import (
    CalendarSpec,
    Deals,
    Handoff,
    Response,
    SalesSLA,
    Scenario,
    Source,
    Team,
)

Clock = Literal["calendar", "business"]

Z = float(special.ndtri(0.5 + CONFIDENCE / 2))  # the normal quantile of a Wald interval
HOUR = pd.Timedelta(hours=1)
# A hand-raiser is an MQL the moment it is created (SPEC §2); a nurtured lead needs engagement
# touches, which come days apart, so five minutes tells the two apart in a CRM whose workflows
# set the lifecycle stage a moment after the form is sent.
HAND_RAISER_WITHIN = pd.Timedelta(minutes=5)
# A fit of exactly 0 or 1 (a rounded export) has no beta density; it is moved this far inside.
FIT_EDGE = 1e-3
# Ages (hours since the MQL) at which attempts are first binned; neighbours are then merged until
# each bin holds MIN_TRIALS trials, so no point of the curve rests on a handful of attempts.
AGE_EDGES_HOURS = (0, 1 / 12, 0.25, 0.5, 1, 2, 4, 8, 16, 24, 48, 72, 120, 168, 240, 336)
MIN_TRIALS = 100
# An attempt that falls due outside open hours waits for the opening (SPEC §2): a next attempt
# made in the first PUSHED_HOURS of an open interval measures the closed hours, not the gap.
PUSHED_HOURS = 1.0
HANDOFF_GRACE = pd.Timedelta(days=1)  # an MQL this close to the export date may still be on its way
MIN_GAPS = 20  # gaps needed to read the gap after an attempt; later ones repeat the last (SPEC §2)
TEAM_HELD_MONTHS = 2  # a change of active reps counts once it holds this many months running
FULL_MONTH = 0.75  # a month observed for less of its length says nothing about the team's size
ONE_DAY = 1.0  # a deal closed on the day it opened (dates without a time) closed within a day
UNKNOWN_SOURCE = "(no source)"
ALL_LEADS = "All leads"


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fitted:
    """A fitted value with its interval at CONFIDENCE, and the sentence that says where it comes
    from. An observed count has low = high = value; a default kept has NaN bounds."""

    value: float
    low: float
    high: float
    evidence: str
    is_default: bool = False

    @classmethod
    def default(cls, value: float, evidence: str) -> Fitted:
        return cls(float(value), math.nan, math.nan, evidence, is_default=True)

    def contains(self, x: float) -> bool:
        return bool(self.low <= x <= self.high)

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass(frozen=True)
class FittedLognormal:
    """A lognormal fitted by maximum likelihood: `{ dist = "lognormal", median, sigma }`."""

    median: Fitted
    sigma: Fitted
    evidence: str

    @property
    def is_default(self) -> bool:
        return self.median.is_default

    def distribution(self) -> dict[str, Any] | None:
        """The scenario's table for it (None: the default stays)."""
        if self.is_default:
            return None
        return {"dist": "lognormal", "median": self.median.value, "sigma": self.sigma.value}


@dataclass(frozen=True)
class FittedBeta:
    """A beta fitted by maximum likelihood: `{ dist = "beta", a, b }`."""

    a: Fitted
    b: Fitted
    evidence: str

    @property
    def is_default(self) -> bool:
        return self.a.is_default

    def distribution(self) -> dict[str, Any] | None:
        if self.is_default:
            return None
        return {"dist": "beta", "a": self.a.value, "b": self.b.value}


@dataclass(frozen=True)
class MonthCount:
    """A month of the period: its first day, the leads created in it, and the share of its
    expected leads the period saw (less than 1 for a month cut by the period's ends)."""

    start: dt.date
    leads: int
    exposure: float


@dataclass(frozen=True)
class ArrivalFit:
    """When a source's leads arrive: `arrival` and `business_share` (SPEC §2, `sources[]`)."""

    arrival: Literal["flat", "business"]
    business_share: Fitted
    flat_share: float
    """The share a flat source would show in open hours (its months' shares of open hours,
    weighted by its leads in each)."""


@dataclass(frozen=True)
class SourceFit:
    name: str
    leads: int
    leads_per_month: Fitted
    growth_per_month: Fitted
    hand_raiser_share: Fitted
    arrival: ArrivalFit
    fit: FittedBeta
    months: tuple[MonthCount, ...]


@dataclass(frozen=True)
class AcceptanceFit:
    acceptance: Fitted
    """The share of MQLs handed off (`acceptance_rate`)."""
    accept_min_fit: Fitted
    """The fit below which Sales rejects, as the model rejects (`handoff.accept_min_fit`)."""


@dataclass(frozen=True)
class TeamFit:
    reps: Fitted
    changes: tuple[tuple[int, int], ...]
    """`[[team.changes]]` as (month, reps), month 1 the period's first."""
    active: tuple[int, ...]
    """Reps active in each month of the period."""
    evidence: str

    def changes_table(self) -> list[dict[str, int]]:
        return [{"month": month, "reps": reps} for month, reps in self.changes]


@dataclass(frozen=True)
class AttemptsFit:
    attempts_per_lead: Fitted
    min_attempts: Fitted
    retry_gap_hours: tuple[Fitted, ...]
    """One per gap (after attempt 1, 2, ...); empty when the default stays."""
    evidence: str
    """What the list of gaps rests on (each gap has its own, too)."""

    def gaps(self) -> list[float] | None:
        return [g.value for g in self.retry_gap_hours] or None


@dataclass(frozen=True)
class AgeBin:
    """Trials of one span of lead ages (hours since the MQL) and what came of them."""

    start_hours: float
    end_hours: float
    age_hours: float
    """The median age of its trials: where the curve's point sits."""
    trials: int
    successes: int
    rate: float
    """successes per trial (per unit of fit, for qualification)."""
    low: float
    high: float
    fitted: float
    """The rate made non-increasing over the bins (leads only cool, SPEC §2)."""


@dataclass(frozen=True)
class AgeCurve:
    """A chance by age: its value at age 0 and the multipliers on it at each bin's age."""

    probability: Fitted
    bins: tuple[AgeBin, ...]
    evidence: str

    def ages(self) -> list[float]:
        return [b.age_hours for b in self.bins]

    def multipliers(self) -> list[float]:
        first = self.bins[0].fitted
        return [b.fitted / first if first > 0 else 1.0 for b in self.bins]

    def curve(self) -> Table:
        return Table(tuple(self.ages()), tuple(self.multipliers()))


@dataclass(frozen=True)
class DecayFit:
    connect_prob: Fitted
    qualify_prob: Fitted
    connect: AgeCurve | None
    qualify: AgeCurve | None
    """None: the export cannot tell (the default curve stays)."""
    defaults: Response = field(default_factory=Response)

    def table(self) -> dict[str, list[float]] | None:
        """`response.decay` as the scenario's own table (README, "Speed to lead: decay presets"):
        the fitted curves read at the union of their ages, a curve the export cannot tell taken
        from the default decay; None when neither is fitted (the default decay stays)."""
        if self.connect is None and self.qualify is None:
            return None
        default_connect, default_qualify = decay_curves(self.defaults)
        connect = self.connect.curve() if self.connect else default_connect
        qualify = self.qualify.curve() if self.qualify else default_qualify
        knots = {0.0}
        for fitted in (self.connect, self.qualify):
            if fitted is not None:
                knots.update(round(a, 4) for a in fitted.ages())
        ages = np.array(sorted(knots))
        # A curve read at extra ages is the same curve: each is joined exponentially between
        # its knots, and the extra knots lie on those joins.
        return {
            "age_hours": [float(a) for a in ages],
            "connect": _non_increasing(connect.multiplier(ages)),
            "qualify": _non_increasing(qualify.multiplier(ages)),
        }


@dataclass(frozen=True)
class DealsFit:
    cycle_days: FittedLognormal
    win_prob: Fitted
    deal_value: FittedLognormal


@dataclass(frozen=True)
class ExportFit:
    """Every fit of one export, for `calibrate`."""

    sources: tuple[SourceFit, ...]
    acceptance: AcceptanceFit
    team: TeamFit
    attempts: AttemptsFit
    decay: DecayFit
    deals: DealsFit


# -- the period --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The export's period in the calibrated scenario's months: month 0 starts at `origin`, the
    period's first day at 00:00 (the scenario's `start_date`), and the period is observed from
    `start` until `stop` (its end, or the export date if that comes first)."""

    origin: pd.Timestamp
    start: pd.Timestamp
    stop: pd.Timestamp
    bounds: tuple[pd.Timestamp, ...]
    """The start of each month and the end of the last (which holds `stop`)."""

    @property
    def months(self) -> int:
        return len(self.bounds) - 1

    def hours(self, moments: pd.Series | pd.Timestamp | pd.DatetimeIndex) -> np.ndarray:
        """Hours from `origin`: the calibrated scenario's simulation time."""
        return _hours(moments - self.origin)

    def month_of(self, moments: pd.Series) -> np.ndarray:
        edges = np.array(self.bounds, dtype="datetime64[ns]")
        return np.searchsorted(edges, moments.to_numpy(dtype="datetime64[ns]"), side="right") - 1

    def observed_hours(self) -> tuple[np.ndarray, np.ndarray]:
        """Each month's hours observed between `start` and `stop`, as (from, to) hours."""
        edges = self.hours(pd.DatetimeIndex(self.bounds))
        first, last = float(self.hours(self.start)), float(self.hours(self.stop))
        return np.clip(edges[:-1], first, last), np.clip(edges[1:], first, last)

    def text(self) -> str:
        """How the period reads in evidence: Jan–Jun 2027, Nov 2026–Feb 2027, Mar 2027."""
        first, last = self.start, self.stop - pd.Timedelta(1, "ns")
        if (first.year, first.month) == (last.year, last.month):
            return f"{first:%b %Y}"
        if first.year == last.year:
            return f"{first:%b}–{last:%b %Y}"
        return f"{first:%b %Y}–{last:%b %Y}"


def period_of(export: CrmExport) -> Period:
    """The export's period (`Period`), its months counted from its first day."""
    origin = export.start.normalize()
    stop = min(export.end, export.as_of)
    if stop <= export.start:
        stop = export.end
    bounds = [origin]
    while bounds[-1] < stop:
        bounds.append(pd.Timestamp(add_months(origin.date(), len(bounds))))
    if len(bounds) == 1:
        bounds.append(pd.Timestamp(add_months(origin.date(), 1)))
    return Period(origin, export.start, stop, tuple(bounds))


def export_calendar(export: CrmExport, spec: CalendarSpec | None = None) -> Calendar:
    """The terms' calendar over the export's months, on the period's clock (`Period.hours`): the
    export's moments are already wall-clock time in its time zone."""
    spec = spec or CalendarSpec()
    period = period_of(export)
    start = period.origin.date()
    days = (max(period.bounds[-1], export.as_of.normalize()) - period.origin).days + 2
    return Calendar(
        start,
        days,
        always_open=spec.always_open,
        open_days=spec.open_days,
        open_hours=spec.open_hours,
        holidays=spec.holidays_between(start, days),
    )


# -- sources: volume, growth, hand-raisers, arrival shape, fit -------------------------------


def source_names(export: CrmExport) -> list[str]:
    """The sources of the period's leads, the largest first (one, `ALL_LEADS`, without a
    `source` field)."""
    leads = _period_leads(export)
    if "source" not in leads.columns:
        return [ALL_LEADS]
    return list(_source_labels(leads).value_counts(sort=True).index)


def fit_sources(export: CrmExport, calendar: CalendarSpec | None = None) -> tuple[SourceFit, ...]:
    """Every source's fits (`sources[]` of the scenario)."""
    return tuple(fit_source(export, name, calendar) for name in source_names(export))


def fit_source(
    export: CrmExport, source: str | None = None, calendar: CalendarSpec | None = None
) -> SourceFit:
    """One source's volume, growth, hand-raiser share, arrival shape and fit distribution (all
    leads when `source` is None)."""
    arrival = fit_arrival(export, source, calendar)
    lpm, growth, months = fit_volume(export, source, calendar, arrival)
    return SourceFit(
        source or ALL_LEADS,
        sum(m.leads for m in months),
        lpm,
        growth,
        fit_hand_raiser_share(export, source),
        arrival,
        fit_fit_distribution(export, source),
        months,
    )


def fit_volume(
    export: CrmExport,
    source: str | None = None,
    calendar: CalendarSpec | None = None,
    arrival: ArrivalFit | None = None,
) -> tuple[Fitted, Fitted, tuple[MonthCount, ...]]:
    """`leads_per_month` (the first month's expected arrivals) and `growth_per_month`.

    The model's arrivals are Poisson with mean `leads_per_month * (1 + growth) ** m` in month m,
    so the monthly counts are fitted by Poisson regression on the month index, log link, with
    each month's exposure: the share of its expected leads that fall inside the observed period
    (by hours for a flat source; by open and closed hours, weighted by `business_share`, for a
    business-hours one, as `model.leads.cumulative_intensity` spreads them). Where the counts
    vary more than Poisson counts do (campaigns), the intervals widen by the Pearson dispersion
    (quasi-Poisson) with Student's t; they never narrow below Poisson's.
    """
    period = period_of(export)
    leads = _source_leads(export, source)
    arrival_moment = _arrival(leads)
    month = period.month_of(arrival_moment)
    counts = np.bincount(month[month >= 0], minlength=period.months)[: period.months]
    arrival = arrival or fit_arrival(export, source, calendar)
    exposure = _exposure(period, export_calendar(export, calendar), arrival)
    months = tuple(
        MonthCount(period.bounds[m].date(), int(counts[m]), float(exposure[m]))
        for m in range(period.months)
    )
    name = source or ALL_LEADS
    rows = f"{int(counts.sum()):,} leads of {name}, {period.text()}"
    used = exposure > 0
    y, e, m = counts[used].astype(float), exposure[used], np.flatnonzero(used).astype(float)
    if y.sum() == 0:
        return (
            Fitted(0.0, 0.0, 0.0, f"no leads of {name} in {period.text()}"),
            Fitted.default(0.0, f"no leads of {name}: growth stays 0%"),
            months,
        )
    if len(y) < 2:
        base = math.log(y.sum() / e.sum())
        se = 1 / math.sqrt(y.sum())
        lpm = _fitted_exp(base, se, Z, f"{rows}; leads per month of exposure", _number)
        growth = Fitted.default(0.0, f"{rows}: one month cannot show growth; it stays 0%")
        return lpm, growth, months
    beta, cov, quantile, dispersion = _poisson_regression(y, e, m)
    method = "Poisson regression of monthly counts on the month, with the exposure of part months"
    if dispersion > 1:
        method += f" (counts over-dispersed ×{dispersion:.2g}: quasi-Poisson)"
    lpm = _fitted_exp(
        beta[0],
        math.sqrt(cov[0, 0]),
        quantile,
        f"{rows}; {method}; the first month's expected leads",
        _number,
    )
    b, se = beta[1], math.sqrt(cov[1, 1])
    low, high = math.expm1(b - quantile * se), math.expm1(b + quantile * se)
    growth = Fitted(
        math.expm1(b),
        low,
        high,
        f"{rows}; {method}, {_ci(low, high, _share)} a month",
    )
    return lpm, growth, months


def fit_hand_raiser_share(export: CrmExport, source: str | None = None) -> Fitted:
    """`hand_raiser_share`: the share of leads that were MQLs when created.

    In the model a hand-raiser (a demo or quote request) becomes an MQL at once and every other
    lead only after nurture touches (SPEC §2), so a lead whose `mql_at` is within
    HAND_RAISER_WITHIN of its `created_at` is a hand-raiser; leads never MQL count as not. (A
    nurtured lead whose fit alone reaches the MQL threshold would be an MQL at once too; with
    `nurture.fit_points` below `sla.marketing.mql_threshold`, as by default, none is.)
    """
    default = float(Source.model_fields["hand_raiser_share"].default)
    for name in ("created_at", "mql_at"):
        if not export.has("leads", name):
            return Fitted.default(default, _stays(_missing("leads", name), _share(default)))
    leads = _source_leads(export, source)
    leads = leads[leads["created_at"].notna()]
    raised = (leads["mql_at"] - leads["created_at"]).abs() <= HAND_RAISER_WITHIN
    k, n = int(raised.sum()), len(leads)
    name = source or ALL_LEADS
    if n == 0:
        return Fitted.default(default, f"no leads of {name} with a creation date: default stays")
    low, high = _binomial(k, n)
    return Fitted(
        k / n,
        low,
        high,
        f"{k:,} of {n:,} leads of {name}, {period_of(export).text()}, were MQLs within "
        f"{_minutes(HAND_RAISER_WITHIN)} of creation; Clopper–Pearson {_ci(low, high, _share)}",
    )


def fit_arrival(
    export: CrmExport, source: str | None = None, calendar: CalendarSpec | None = None
) -> ArrivalFit:
    """`arrival` and `business_share`: the share of leads created in the calendar's open hours.

    A flat source spreads each month's leads evenly over the month, so it would show in open
    hours each month's share of open hours, weighted by its leads in each month (months differ in
    weekdays, and a growing source weighs the later ones more). When that share lies outside the
    interval of the observed one, the source is `"business"` with the observed share (the model
    keeps it in every month that has open and closed hours).
    """
    spec = calendar or CalendarSpec()
    period = period_of(export)
    cal = export_calendar(export, spec)
    lo, hi = period.observed_hours()
    with np.errstate(invalid="ignore", divide="ignore"):
        open_part = (cal.business_hours(hi) - cal.business_hours(lo)) / (hi - lo)
    default = float(Source.model_fields["business_share"].default)
    leads = _source_leads(export, source)
    arrived = _arrival(leads)
    moments = period.hours(arrived)
    n = len(moments)
    month = period.month_of(arrived)
    counts = np.bincount(month[(month >= 0) & (month < period.months)], minlength=period.months)
    seen = counts.sum()
    flat_share = float((counts * np.nan_to_num(open_part)).sum() / seen) if seen else 0.0
    if n == 0 or spec.always_open:
        why = "the calendar is always open" if spec.always_open else "no leads"
        return ArrivalFit("flat", Fitted.default(default, f"{why}: arrival stays flat"), flat_share)
    k = int(_is_open(cal, moments).sum())
    low, high = _binomial(k, n)
    flat = bool(low <= flat_share <= high)
    words = "as a flat arrival would" if flat else "business-hours arrivals"
    share = Fitted(
        k / n,
        low,
        high,
        f"{k:,} of {n:,} leads of {source or ALL_LEADS}, {period.text()}, created in open hours "
        f"({_calendar_text(spec)}), against {flat_share:.1%} had they come evenly over each "
        f"month: {words}; Clopper–Pearson {_ci(low, high, _share)}",
    )
    return ArrivalFit("flat" if flat else "business", share, flat_share)


def fit_fit_distribution(export: CrmExport, source: str | None = None) -> FittedBeta:
    """`fit` of a source: a beta fitted by maximum likelihood (`scipy.stats.beta.fit` on [0, 1])
    to its leads' fit (or score / 100, see `lead_fit`). The interval of each parameter is Wald's
    on its logarithm, from the beta's Fisher information (for the beta, an exponential family,
    the observed and the expected information are the same)."""
    fits, reading = lead_fit(export)
    if fits is None:
        text = _stays(_missing("leads", "fit (or score)"), "fit 1")
        return FittedBeta(Fitted.default(1.0, text), Fitted.default(1.0, text), text)
    leads = _source_leads(export, source)
    values = fits.reindex(leads.index).dropna().to_numpy(dtype=float)
    name = source or ALL_LEADS
    if len(values) < 2 or np.ptp(values) == 0:
        text = f"{len(values):,} leads of {name} with a {reading}: too few to fit; fit 1 stays"
        return FittedBeta(Fitted.default(1.0, text), Fitted.default(1.0, text), text)
    edge = int(((values <= 0) | (values >= 1)).sum())
    values = np.clip(values, FIT_EDGE, 1 - FIT_EDGE)
    a, b, _, _ = stats.beta.fit(values, floc=0, fscale=1)
    n = len(values)
    t_ab = special.polygamma(1, a + b)
    information = n * np.array(
        [[special.polygamma(1, a) - t_ab, -t_ab], [-t_ab, special.polygamma(1, b) - t_ab]]
    )
    cov = np.linalg.inv(information)
    rows = f"{n:,} leads of {name}, {period_of(export).text()}, by their {reading}"
    if edge:
        rows += f" ({edge:,} at 0 or 1 moved {FIT_EDGE:g} inside)"
    method = "beta by maximum likelihood, Wald intervals on the log of each parameter"
    fitted_a = _fitted_exp(
        math.log(a), math.sqrt(cov[0, 0]) / a, Z, f"{rows}; {method}; a", _number
    )
    fitted_b = _fitted_exp(
        math.log(b), math.sqrt(cov[1, 1]) / b, Z, f"{rows}; {method}; b", _number
    )
    evidence = (
        f"{rows}; {method}: a {_number(a)} ({_ci(fitted_a.low, fitted_a.high, _number)}), "
        f"b {_number(b)} ({_ci(fitted_b.low, fitted_b.high, _number)})"
    )
    return FittedBeta(fitted_a, fitted_b, evidence)


def lead_fit(export: CrmExport) -> tuple[pd.Series | None, str]:
    """Each lead's fit in [0, 1], as the model's `fit` (indexed like `export.leads`), and how it
    was read: the `fit` field; else the lead score over 100 when every score lies in [0, 100]
    (CRM scores are out of 100); else None, and the model's fit stays 1.

    Every fit that involves fit (qualification, win probability, acceptance) reads it here, so
    the chances it scales are those of the fit distribution written beside them."""
    leads = export.leads
    if "fit" in leads.columns and leads["fit"].notna().any():
        return leads["fit"].astype(float), "fit"
    if "score" in leads.columns and leads["score"].notna().any():
        score = leads["score"].astype(float)
        if score.min() >= 0 and score.max() <= 100:
            return score / 100.0, "score / 100"
    return None, "fit"


# -- acceptance --------------------------------------------------------------------------------


def fit_acceptance(export: CrmExport, defaults: Handoff | None = None) -> AcceptanceFit:
    """The share of MQLs handed off, and the `handoff.accept_min_fit` it implies.

    The model rejects exactly the MQLs whose fit is below `accept_min_fit` (SPEC §2), so the
    threshold that rejects the observed share is that quantile of the MQLs' fit; its interval is
    the quantiles at the share's own interval. Without a fit per lead the model cannot reject
    anyone (its fit is 1), and the threshold stays. MQLs of the export's last HANDOFF_GRACE are
    left out: they may not have reached Sales yet.
    """
    defaults = defaults or Handoff()
    threshold_default = defaults.accept_min_fit
    for name in ("mql_at", "handed_off_at"):
        if not export.has("leads", name):
            why = _missing("leads", name)
            return AcceptanceFit(
                Fitted.default(1.0, f"{why}: acceptance is not measured"),
                Fitted.default(threshold_default, _stays(why, f"{threshold_default:g}")),
            )
    leads = _period_leads(export)
    mqls = leads[leads["mql_at"].notna() & (leads["mql_at"] <= export.as_of - HANDOFF_GRACE)]
    n = len(mqls)
    handed = mqls["handed_off_at"].notna()
    k = int(handed.sum())
    period = period_of(export).text()
    if n == 0:
        text = f"no MQLs in {period}: acceptance not measured"
        return AcceptanceFit(Fitted.default(1.0, text), Fitted.default(threshold_default, text))
    low, high = _binomial(k, n)
    acceptance = Fitted(
        k / n,
        low,
        high,
        f"{k:,} of {n:,} MQLs, {period}, handed off; Clopper–Pearson {_ci(low, high, _share)}",
    )
    fits, reading = lead_fit(export)
    mql_fit = None if fits is None else fits.reindex(mqls.index).dropna().to_numpy(dtype=float)
    if mql_fit is None or len(mql_fit) == 0:
        text = (
            f"the model rejects MQLs by fit only, and the export has no fit: accept_min_fit "
            f"stays {threshold_default:g}"
            + ("" if k == n else f" and acceptance {k / n:.1%} is not reproduced")
        )
        return AcceptanceFit(acceptance, Fitted.default(threshold_default, text))
    rejected = 1 - k / n
    if k == n:
        value, t_low, t_high = 0.0, 0.0, float(np.quantile(mql_fit, 1 - low))
    else:
        value = float(np.quantile(mql_fit, rejected))
        t_low, t_high = (float(np.quantile(mql_fit, 1 - s)) for s in (high, low))
    threshold = Fitted(
        value,
        t_low,
        t_high,
        f"{n - k:,} of {n:,} MQLs, {period}, not handed off; the model rejects the MQLs whose "
        f"{reading} is below the threshold: the {rejected:.1%} quantile of the MQLs' "
        f"{reading}, {_ci(t_low, t_high, _number)} (at the acceptance's interval)",
    )
    return AcceptanceFit(acceptance, threshold)


# -- the team ----------------------------------------------------------------------------------


def fit_team(export: CrmExport, defaults: Team | None = None) -> TeamFit:
    """`team.reps` and `[[team.changes]]` from the reps active each month: distinct owners of an
    activity, or of a lead first attempted, that month.

    Months observed for less than FULL_MONTH of their length are left out (a rep who made no
    attempt in a few days was still on the team). The team starts at the first month's count; it
    changes when a new count holds TEAM_HELD_MONTHS months running, so a month of holidays or a
    rep covering for a week is not a hire; a change in the last month cannot be told from such a
    month and is not written.
    """
    defaults = defaults or Team()
    period = period_of(export)
    owners: list[pd.DataFrame] = []
    activities = export.activities
    if activities is not None and "owner" in activities.columns:
        owners.append(activities[["owner", "at"]].rename(columns={"at": "moment"}))
    if export.has("leads", "owner") and export.has("leads", "first_attempt_at"):
        owners.append(
            export.leads[["owner", "first_attempt_at"]].rename(
                columns={"first_attempt_at": "moment"}
            )
        )
    if not owners:
        text = _stays(_missing("activities", "owner"), f"{defaults.reps} reps")
        return TeamFit(Fitted.default(defaults.reps, text), (), (), text)
    work = pd.concat(owners, ignore_index=True).dropna()
    work = work[(work["moment"] >= period.start) & (work["moment"] < period.stop)]
    month = period.month_of(work["moment"])
    active = [int(work["owner"][month == m].nunique()) for m in range(period.months)]
    lo, hi = period.observed_hours()
    edges = period.hours(pd.DatetimeIndex(period.bounds))
    full = [m for m in range(period.months) if hi[m] - lo[m] >= FULL_MONTH * np.diff(edges)[m]]
    counted = [m for m in full if active[m] > 0] or [m for m in range(period.months) if active[m]]
    if not counted:
        text = f"no attempt with an owner in {period.text()}: {defaults.reps} reps stay"
        return TeamFit(Fitted.default(defaults.reps, text), (), tuple(active), text)
    level = active[counted[0]]
    reps = level
    changes: list[tuple[int, int]] = []
    for i, m in enumerate(counted[1:], start=1):
        run = [active[j] for j in counted[i : i + TEAM_HELD_MONTHS]]
        if active[m] != level and len(run) == TEAM_HELD_MONTHS and len(set(run)) == 1:
            changes.append((m + 1, active[m] - level))
            level = active[m]
    shown = ", ".join(str(active[m]) for m in range(period.months))
    evidence = (
        f"reps with an attempt each month, {period.text()}: {shown}; a new count held "
        f"{TEAM_HELD_MONTHS} months running is a change"
        + ("" if len(full) == period.months else "; part months left out")
    )
    return TeamFit(Fitted(reps, reps, reps, evidence), tuple(changes), tuple(active), evidence)


# -- attempts, spacing, connect and qualification by age ---------------------------------------


def follow_up(export: CrmExport, window_days: float) -> pd.DataFrame | None:
    """The attempts of each lead's first follow-up, as the model makes them: from its handoff,
    inside the follow-up window, up to and including the attempt that connects (later
    activities are work with a reached lead, or a recycled episode, whose age the model counts
    from its new MQL). Columns: lead_id, at, number (0 first), connected (NA where the export
    cannot tell), age_hours (since the MQL), gap_hours (since the previous attempt), fit, and
    owner if given. None without an activities file."""
    activities = export.activities
    if activities is None or "lead_id" not in activities.columns:
        return None
    leads = _clock_frame(export, window_days)
    columns = ["lead_id", "at"] + [c for c in ("outcome", "owner") if c in activities.columns]
    acts = activities[columns].dropna(subset=["lead_id", "at"])
    acts = acts.merge(leads, on="lead_id", how="inner")
    acts = acts[(acts["at"] >= acts["handoff"]) & (acts["at"] < acts["window_end"])]
    acts = acts.sort_values(["lead_id", "at"], kind="stable")
    connected = _connected(export, acts)
    acts = acts.assign(connected=connected)
    if connected.notna().any():
        hit = connected.fillna(False).astype(int)
        before = hit.groupby(acts["lead_id"], sort=False).cumsum() - hit
        acts = acts[(before == 0).to_numpy()]
    grouped = acts.groupby("lead_id", sort=False)
    acts = acts.assign(
        number=grouped.cumcount(),
        age_hours=_hours(acts["at"] - acts["mql"]),
        gap_hours=_hours(acts["at"] - grouped["at"].shift()),
    )
    keep = ["lead_id", "at", "number", "connected", "age_hours", "gap_hours", "fit"]
    if "owner" in acts.columns:
        keep.append("owner")
    return acts[keep].reset_index(drop=True)


def fit_attempts(
    export: CrmExport,
    calendar: CalendarSpec | None = None,
    defaults: SalesSLA | None = None,
) -> AttemptsFit:
    """Attempts per lead, `sla.sales.min_attempts` and `sla.sales.retry_gap_hours`.

    Only leads whose follow-up window (`follow_up_window_days` of the terms) had closed by the
    export date count: a younger lead's attempts are not all made yet. The model stops a lead
    that never connects after `min_attempts` attempts, so `min_attempts` is the number most such
    leads got (a lead whose cadence outran the window got fewer). The gap after attempt k is read
    as the model reads it, from one attempt's start until the next falls due: the median of the
    observed gaps (`scipy.stats.quantile_test` gives its interval), leaving out a next attempt
    made in the first PUSHED_HOURS of an open interval, which waited for the opening. Waits for
    a busy rep remain in the gaps; they are short while reps have time.
    """
    defaults = defaults or SalesSLA()
    spec = calendar or CalendarSpec()
    window = defaults.follow_up_window_days
    period = period_of(export)
    gaps_default = f"{[_hour(g) for g in defaults.retry_gap_hours]}"
    frame = follow_up(export, window)
    leads = _clock_frame(export, window, period_only=True)
    closed = leads[leads["window_end"] <= export.as_of]
    ids = closed["lead_id"].to_numpy()
    counts: np.ndarray | None = None
    reached: np.ndarray | None = None
    how = ""
    if frame is not None:
        counts = frame.groupby("lead_id").size().reindex(ids, fill_value=0).to_numpy()
        if frame["connected"].notna().any():
            hit = frame.loc[frame["connected"].fillna(False).astype(bool), "lead_id"]
            reached = closed["lead_id"].isin(hit).to_numpy()
        how = "attempts in the activities file"
    elif export.has("leads", "attempts"):
        counts = closed_leads_column(export, ids, "attempts").fillna(0).to_numpy(dtype=int)
        if export.has("leads", "contacted_at"):
            reached = closed_leads_column(export, ids, "contacted_at").notna().to_numpy()
        how = "the leads' count of attempts (all their follow-ups)"
    if counts is None or len(counts) == 0:
        why = (
            _missing("activities", "attempts")
            if counts is None
            else f"no {window:g}-day follow-up window had closed by the export date"
        )
        return AttemptsFit(
            Fitted.default(math.nan, f"{why}: attempts per lead not measured"),
            Fitted.default(defaults.min_attempts, _stays(why, f"{defaults.min_attempts}")),
            (),
            _stays(why, gaps_default),
        )
    summary = interval(counts.astype(float))
    low, high = summary["ci_low"], summary["ci_high"]
    rows = f"{len(counts):,} handed-off leads whose {window:g}-day window closed, {period.text()}"
    per_lead = Fitted(
        summary["mean"],
        low,
        high,
        f"{rows}, by {how}; mean attempts per lead, Student t {_ci(low, high, _number)}",
    )
    who = "leads never reached" if reached is not None else "leads (reached or not: unknown)"
    tried = counts[(~reached if reached is not None else True) & (counts > 0)]
    if len(tried) == 0:
        why = f"no {who} was attempted in {period.text()}"
        min_attempts = Fitted.default(
            defaults.min_attempts, _stays(why, f"{defaults.min_attempts}")
        )
    else:
        numbers, tally = np.unique(tried, return_counts=True)
        top = int(numbers[tally == tally.max()].max())
        text = (
            f"{len(tried):,} {who} in their {window:g}-day window, {period.text()}: "
            f"{tally.max() / len(tried):.0%} got {top} attempts, the most common number"
        )
        min_attempts = Fitted(top, top, top, text)
    if frame is None:
        why = _missing("activities", "at")
        return AttemptsFit(per_lead, min_attempts, (), _stays(why, gaps_default))
    gaps, gap_text = _retry_gaps(frame, export, spec, int(min_attempts.value))
    if not gaps:
        gap_text = _stays(gap_text, gaps_default)
    return AttemptsFit(per_lead, min_attempts, tuple(gaps), gap_text)


def closed_leads_column(export: CrmExport, ids: np.ndarray, name: str) -> pd.Series:
    """A leads field for the leads `ids` (the first row of a repeated id)."""
    return export.leads.groupby("lead_id")[name].first().reindex(ids)


def fit_decay(
    export: CrmExport,
    window_days: float | None = None,
    defaults: Response | None = None,
) -> DecayFit:
    """`response.connect_prob`, `response.qualify_prob` and the decay table of both.

    An attempt connects with probability `connect_prob * decay(age)`, age the hours since the
    lead became an MQL at the attempt's start, each attempt drawn on its own (SPEC §2); so the
    attempts of the first follow-up (`follow_up`) are binned by age and each bin's share that
    connected estimates the chance at its ages (Clopper–Pearson interval). A connected lead
    becomes an opportunity with probability `qualify_prob * fit * decay(age)`: the connects are
    binned by age and each bin's opportunities divided by the sum of its leads' fit (the model's
    fit; 1 without one). Bins are merged until each holds MIN_TRIALS trials; the rates are made
    non-increasing by isotonic regression weighted by trials (the binomial maximum likelihood
    under the model's rule that leads only cool); the chance at age 0 is the first bin's and the
    table's multipliers are each bin's over it, at each bin's median age (flat before the first
    and after the last, as the model reads a table).
    """
    defaults = defaults or Response()
    window = window_days if window_days is not None else SalesSLA().follow_up_window_days
    frame = follow_up(export, window)
    period = period_of(export).text()
    connect: AgeCurve | None = None
    if frame is not None and frame["connected"].notna().any():
        usable = frame[(frame["age_hours"] >= 0) & frame["connected"].notna()]
        connect = _age_curve(
            usable["age_hours"].to_numpy(),
            usable["connected"].astype(bool).to_numpy(),
            np.ones(len(usable)),
            f"{len(usable):,} attempts of {usable['lead_id'].nunique():,} leads' first "
            f"follow-up, {period}, by the lead's age at the attempt (hours since its MQL); "
            f"share connected",
        )
    qualify = _qualify_curve(export, frame, window, period)
    if connect is None:
        why = (
            _missing("activities", "outcome (nor the leads file contacted_at)")
            if frame is None or frame["connected"].isna().all()
            else f"no attempt in {period}"
        )
        connect_prob = Fitted.default(
            defaults.connect_prob, _stays(why, f"{defaults.connect_prob:g}")
        )
    else:
        connect_prob = connect.probability
    if qualify is None:
        why = _missing("leads", "opportunity_at with the moment of contact")
        qualify_prob = Fitted.default(
            defaults.qualify_prob, _stays(why, f"{defaults.qualify_prob:g}")
        )
    else:
        qualify_prob = qualify.probability
    return DecayFit(connect_prob, qualify_prob, connect, qualify, defaults)


def _qualify_curve(
    export: CrmExport, frame: pd.DataFrame | None, window_days: float, period: str
) -> AgeCurve | None:
    if not export.has("leads", "opportunity_at"):
        return None
    if frame is not None and frame["connected"].notna().any():
        hits = frame[frame["connected"].fillna(False).astype(bool) & (frame["age_hours"] >= 0)]
        connects = hits[["lead_id", "age_hours", "fit"]]
        how = "first connect in the activities"
    elif export.has("leads", "contacted_at"):
        clock = _clock_frame(export, window_days)
        clock = clock[clock["contacted"].notna()]
        connects = pd.DataFrame(
            {
                "lead_id": clock["lead_id"],
                "age_hours": _hours(clock["contacted"] - clock["mql"]),
                "fit": clock["fit"],
            }
        )
        connects = connects[connects["age_hours"] >= 0]
        how = "contacted_at"
    else:
        return None
    opportunity = export.leads.set_index("lead_id")["opportunity_at"].notna()
    qualified = opportunity.reindex(connects["lead_id"]).fillna(False).to_numpy(dtype=bool)
    fit = connects["fit"].to_numpy(dtype=float)
    known = ~np.isnan(fit)
    return _age_curve(
        connects["age_hours"].to_numpy()[known],
        qualified[known],
        fit[known],
        f"{int(known.sum()):,} leads reached, {period}, by their age at the {how} (hours since "
        f"the MQL); opportunities per unit of fit",
    )


def _age_curve(
    ages: np.ndarray, success: np.ndarray, fit: np.ndarray, rows: str
) -> AgeCurve | None:
    """Bins by age (merged to MIN_TRIALS trials), rates per unit of fit, made non-increasing."""
    if len(ages) == 0:
        return None
    edges = np.array([*AGE_EDGES_HOURS, np.inf])
    index = np.searchsorted(edges, ages, side="right") - 1
    trials = np.bincount(index, minlength=len(edges) - 1)
    groups: list[list[int]] = []
    current: list[int] = []
    held = 0
    for b in range(len(trials)):
        current.append(b)
        held += trials[b]
        if held >= MIN_TRIALS:
            groups.append(current)
            current, held = [], 0
    if current:
        if groups:
            groups[-1].extend(current)
        else:
            groups.append(current)
    bins: list[dict[str, float]] = []
    for group in groups:
        mask = np.isin(index, group)
        n = int(mask.sum())
        if n == 0:
            continue
        k = int(success[mask].sum())
        weight = float(fit[mask].sum())
        low, high = _binomial(k, n)
        scale = n / weight if weight > 0 else 1.0
        bins.append(
            {
                "start_hours": float(edges[group[0]]),
                "end_hours": float(edges[group[-1] + 1]),
                "age_hours": float(np.median(ages[mask])),
                "trials": n,
                "successes": k,
                "rate": k / weight if weight > 0 else 0.0,
                "low": min(low * scale, 1.0),
                "high": min(high * scale, 1.0),
                "weight": weight,
            }
        )
    rates = np.array([b["rate"] for b in bins])
    weights = np.array([max(b["weight"], 1e-12) for b in bins])
    pooled = optimize.isotonic_regression(rates, weights=weights, increasing=False)
    fitted = np.minimum(pooled.x, 1.0)
    # The chance at age 0 is the first pool's (the bins isotonic regression joined to the first):
    # its interval is that of their trials together.
    first_pool = bins[: int(pooled.blocks[1])]
    k = int(sum(b["successes"] for b in first_pool))
    n = int(sum(b["trials"] for b in first_pool))
    weight = sum(b["weight"] for b in first_pool)
    scale = n / weight if weight > 0 else 1.0
    pool_low, pool_high = (min(v * scale, 1.0) for v in _binomial(k, n))
    pool_end = first_pool[-1]["end_hours"]
    curve_bins = tuple(
        AgeBin(
            b["start_hours"],
            b["end_hours"],
            b["age_hours"],
            int(b["trials"]),
            int(b["successes"]),
            b["rate"],
            b["low"],
            b["high"],
            float(f),
        )
        for b, f in zip(bins, fitted, strict=True)
    )
    first = curve_bins[0]
    shown = "; ".join(
        f"{_age_text(b.start_hours, b.end_hours)}: {b.rate:.1%} of {b.trials:,}" for b in curve_bins
    )
    evidence = (
        f"{rows}, in {len(curve_bins)} bins of at least {MIN_TRIALS} (Clopper–Pearson intervals; "
        f"isotonic regression so that leads only cool): {shown}"
    )
    probability = Fitted(
        first.fitted,
        pool_low,
        pool_high,
        f"{rows}: {first.fitted:.1%} at ages {_age_text(first.start_hours, pool_end)} "
        f"({n:,} trials), Clopper–Pearson {_ci(pool_low, pool_high, _share)}",
    )
    return AgeCurve(probability, curve_bins, evidence)


# -- deals -------------------------------------------------------------------------------------


def fit_deals(export: CrmExport, defaults: Deals | None = None) -> DealsFit:
    """`deals.cycle_days`, `deals.win_prob` and `deals.deal_value`.

    The model draws one cycle for every opportunity, won or lost, and wins it with probability
    `win_prob * fit`, independently of the cycle (SPEC §2). Under that form the likelihood of
    the deals factorises: a closed deal contributes its cycle's density and its outcome's
    chance, an open one the cycle's survival at the export date and nothing about its outcome.
    So when lost deals are listed (the deals file, else the leads file's opportunities with
    `won`), the cycle is a lognormal fitted to every deal with open ones right-censored at
    `as_of` (`scipy.stats.lognorm.fit` on `CensoredData`; a deal closed on the day it opened is
    left-censored at a day, for exports that give dates only), and the win probability is the
    wins among closed deals divided by their leads' mean fit, so that `win_prob * fit` gives
    each its chance (Clopper–Pearson interval, scaled alike). Open deals may still win, but
    under the model's independence they win as often as the closed ones did: this is the
    maximum likelihood estimate, not a count that waits for them.

    When no deal is listed as lost (a deals file of won deals only), wins cannot be set against
    losses: each opportunity (the leads file's, or the open deals) is then won with its deal's
    cycle, or not won by the export date, lost or still to win (`_cure_fit`, which fits the
    cycle too). Without opportunities the win probability stays a default, and the cycle comes
    from the won deals alone, saying so. Deal value is a lognormal fitted to won deals' amounts.
    """
    defaults = defaults or Deals()
    period = period_of(export).text()
    frames = _deal_frames(export)
    value = _fit_value(frames, period)
    win_default = defaults.win_prob
    if not frames:
        why = _missing("leads", "opportunity_at (nor a deals file)")
        return DealsFit(
            _default_lognormal(_stays(why, "cycle")),
            Fitted.default(win_default, _stays(why, f"{win_default:g}")),
            value,
        )
    with_losses = [d for d in frames if (d.frame["outcome"] == "lost").any()]
    if with_losses:
        deals = with_losses[0]
        return DealsFit(_fit_cycle(deals, export.as_of, period), _win_share(deals, period), value)
    cure = _cure_fit(export, frames, period)
    if cure is not None:
        return DealsFit(cure[0], cure[1], value)
    deals = frames[0]
    if (deals.frame["outcome"] == "won").any():
        why = f"the {deals.origin} lists only won deals and the leads file has no opportunity_at"
        cycle = _fit_cycle(deals, None, period, "won deals only: long cycles still open are unseen")
    else:
        why = f"the {deals.origin} does not say which deals were won"
        cycle = _fit_cycle(deals, export.as_of, period)
    return DealsFit(cycle, Fitted.default(win_default, _stays(why, f"{win_default:g}")), value)


@dataclass(frozen=True)
class _Deals:
    """One row per deal: lead_id, opened, closed (NaT while open at `as_of`), outcome (won,
    lost, open, or unknown for a close without a result), amount, fit."""

    frame: pd.DataFrame
    origin: str


def _deal_frames(export: CrmExport) -> list[_Deals]:
    """The deals of the deals file, then the leads file's opportunities (where it says how
    they closed)."""
    fits, _ = lead_fit(export)
    leads = export.leads
    fit_by_lead = (
        pd.Series(dtype=float)
        if fits is None
        else pd.Series(fits.to_numpy(), index=leads["lead_id"]).groupby(level=0).first()
    )
    frames: list[_Deals] = []
    deals = export.deals
    if deals is not None and len(deals):
        lead = deals["lead_id"] if "lead_id" in deals.columns else pd.Series(pd.NA, deals.index)
        opened = deals["created_at"] if "created_at" in deals.columns else None
        if opened is None and export.has("leads", "opportunity_at"):
            by_lead = leads.groupby("lead_id")["opportunity_at"].first()
            opened = pd.Series(by_lead.reindex(lead).to_numpy(), index=deals.index)
        frame = _outcomes(export, deals, opened, _won(export, deals))
        frame["lead_id"] = lead.to_numpy()
        frame["fit"] = fit_by_lead.reindex(lead).to_numpy()
        frames.append(_Deals(frame, "deals file"))
    if export.has("leads", "opportunity_at") and {"closed_at", "won"} & set(leads.columns):
        opportunities = leads[leads["opportunity_at"].notna()]
        won = (
            opportunities["won"].astype("boolean")
            if "won" in opportunities.columns
            else pd.Series(pd.NA, index=opportunities.index, dtype="boolean")
        )
        frame = _outcomes(export, opportunities, opportunities["opportunity_at"], won)
        frame["lead_id"] = opportunities["lead_id"].to_numpy()
        frame["fit"] = np.nan if fits is None else fits.reindex(opportunities.index).to_numpy()
        frames.append(_Deals(frame, "leads file's opportunities"))
    return frames


def _outcomes(
    export: CrmExport, rows: pd.DataFrame, opened: pd.Series | None, won: pd.Series
) -> pd.DataFrame:
    nat = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    closed = rows["closed_at"] if "closed_at" in rows.columns else nat
    closed = closed.where(closed <= export.as_of)  # a placeholder close date ahead: still open
    flag = won.astype("boolean")
    outcome = np.where(closed.notna().to_numpy(), "unknown", "open").astype(object)
    outcome[flag.eq(True).fillna(False).to_numpy(dtype=bool)] = "won"
    outcome[flag.eq(False).fillna(False).to_numpy(dtype=bool)] = "lost"
    amount = rows["amount"].astype(float).to_numpy() if "amount" in rows.columns else np.nan
    return pd.DataFrame(
        {
            "opened": (nat if opened is None else opened).to_numpy(dtype="datetime64[ns]"),
            "closed": closed.to_numpy(dtype="datetime64[ns]"),
            "outcome": outcome,
            "amount": amount,
        }
    )


def _won(export: CrmExport, deals: pd.DataFrame) -> pd.Series:
    """A deal's `won`, or its stage read by the profile's won and lost stages."""
    if "won" in deals.columns:
        return deals["won"].astype("boolean")
    won = pd.Series(pd.NA, index=deals.index, dtype="boolean")
    if "stage" in deals.columns:
        profile = PROFILES.get(export.profile, GENERIC)
        stage = deals["stage"].astype("string").str.strip().str.lower()
        won[stage.isin(profile.won_stages).fillna(False).to_numpy(dtype=bool)] = True
        won[stage.isin(profile.lost_stages).fillna(False).to_numpy(dtype=bool)] = False
    return won


def _win_share(deals: _Deals, period: str) -> Fitted:
    frame = deals.frame
    closed = frame[frame["outcome"].isin(["won", "lost"])]
    fit = closed["fit"].to_numpy(dtype=float)
    fit_text = ""
    if not np.isnan(fit).all():
        known = ~np.isnan(fit)
        closed, fit = closed[known], fit[known]
        fit_text = f", divided by their leads' mean fit {fit.mean():.2f}"
    else:
        fit = np.ones(len(closed))
    k, n = int((closed["outcome"] == "won").sum()), len(closed)
    low, high = _binomial(k, n)
    mean_fit = float(fit.mean())
    low, high = low / mean_fit, min(high / mean_fit, 1.0)
    still_open = int((frame["outcome"] == "open").sum())
    return Fitted(
        min(k / n / mean_fit, 1.0),
        low,
        high,
        f"{k:,} won of {n:,} deals closed by the export date ({deals.origin}; {still_open:,} "
        f"open), {period}{fit_text}; Clopper–Pearson {_ci(low, high, _share)}",
    )


def _fit_cycle(
    deals: _Deals, as_of: pd.Timestamp | None, period: str, caveat: str = ""
) -> FittedLognormal:
    """The lognormal cycle in days: closed deals observed (a day or less left-censored at a day),
    open ones right-censored at their age at `as_of` (None: no open deal is counted)."""
    frame = deals.frame[deals.frame["opened"].notna()]
    closed = frame[frame["closed"].notna()]
    days = _hours(closed["closed"] - closed["opened"]) / 24.0
    short = days <= 0
    right = np.zeros(0)
    if as_of is not None:
        still_open = frame[frame["outcome"] == "open"]
        right = _hours(as_of - still_open["opened"]) / 24.0
        right = right[right > 0]
    uncensored, left = days[~short], np.full(int(short.sum()), ONE_DAY)
    if len(uncensored) < 2:
        why = f"{len(days):,} deals closed ({deals.origin}), {period}"
        return _default_lognormal(_stays(why, "cycle"))
    rows = f"{len(days):,} closed and {len(right):,} open deals ({deals.origin}), {period}"
    if short.any():
        rows += f", {int(short.sum()):,} closed within a day"
    if caveat:
        rows += f" ({caveat})"
    method = "lognormal cycle, opened to closed in days, by maximum likelihood"
    if as_of is not None:
        method += ", open deals censored at the export date"
    return _lognormal_mle(uncensored, left, right, f"{rows}; {method}", "days")


def _fit_value(frames: list[_Deals], period: str) -> FittedLognormal:
    """A lognormal of won deals' amounts (the first file that has them): the median's interval
    is the t-interval of the mean log amount, sigma's the chi-square interval."""
    for deals in frames:
        won = deals.frame[deals.frame["outcome"] == "won"]
        amounts = won["amount"].to_numpy(dtype=float)
        amounts = amounts[~np.isnan(amounts)]
        if len(amounts):
            break
    else:
        return _default_lognormal(_stays(_missing("deals", "amount of a won deal"), "deal value"))
    left_out = int((amounts <= 0).sum())
    amounts = amounts[amounts > 0]
    n = len(amounts)
    if n < 2:
        why = f"{n} won deals with an amount ({deals.origin})"
        return _default_lognormal(_stays(why, "deal value"))
    s, _, scale = stats.lognorm.fit(amounts, floc=0)
    summary = interval(np.log(amounts))
    chi = stats.chi2.ppf([0.5 + CONFIDENCE / 2, 0.5 - CONFIDENCE / 2], n - 1)
    sigma_low, sigma_high = (float(v) for v in np.sqrt((n - 1) * summary["std"] ** 2 / chi))
    m_low, m_high = math.exp(summary["ci_low"]), math.exp(summary["ci_high"])
    rows = f"{n:,} won deals' amounts ({deals.origin}), {period}"
    if left_out:
        rows += f" ({left_out:,} of zero or less left out)"
    method = "lognormal by maximum likelihood"
    median = Fitted(
        float(scale),
        m_low,
        m_high,
        f"{rows}; {method}; median {_number(scale)}, {_ci(m_low, m_high, _number)} (Student t "
        "on the mean log amount)",
    )
    sigma = Fitted(
        float(s),
        sigma_low,
        sigma_high,
        f"{rows}; {method}; sigma {s:.2f}, chi-square {_ci(sigma_low, sigma_high, _number)}",
    )
    evidence = (
        f"{rows}; {method}: median {_number(scale)} ({_ci(m_low, m_high, _number)}), "
        f"sigma {s:.2f} ({_ci(sigma_low, sigma_high, _number)})"
    )
    return FittedLognormal(median, sigma, evidence)


def _lognormal_mle(
    uncensored: np.ndarray, left: np.ndarray, right: np.ndarray, text: str, unit: str
) -> FittedLognormal:
    """scipy's censored lognormal fit; Wald intervals on log median and log sigma from the
    observed information (the numerical Hessian of the same likelihood)."""
    data = stats.CensoredData(uncensored=uncensored, left=left, right=right)
    s, _, scale = stats.lognorm.fit(data, floc=0)

    def nll(theta: np.ndarray) -> float:
        dist = stats.lognorm(math.exp(theta[1]), 0, math.exp(theta[0]))
        return -float(
            dist.logpdf(uncensored).sum() + dist.logcdf(left).sum() + dist.logsf(right).sum()
        )

    theta = np.array([math.log(scale), math.log(s)])
    se = np.sqrt(np.diag(_inverse_hessian(nll, theta)))
    return _lognormal_result(theta, se, text, unit)


def _lognormal_result(theta: np.ndarray, se: np.ndarray, text: str, unit: str) -> FittedLognormal:
    median = _fitted_exp(theta[0], se[0], Z, f"{text}; median in {unit}", _number)
    sigma = _fitted_exp(theta[1], se[1], Z, f"{text}; sigma", _number)
    evidence = (
        f"{text}: median {_number(median.value)} {unit} ({_ci(median.low, median.high, _number)})"
        f", sigma {sigma.value:.2f} ({_ci(sigma.low, sigma.high, _number)}); Wald intervals"
    )
    return FittedLognormal(median, sigma, evidence)


def _cure_fit(
    export: CrmExport, frames: list[_Deals], period: str
) -> tuple[FittedLognormal, Fitted] | None:
    """Win probability and cycle when no deal is listed as lost.

    The opportunities are the deals that are won or open, if any is open; else the leads
    file's opportunities, each won when its lead has a won deal. An opportunity is won, with its
    cycle t, or not won by the export date at its age c: lost, or a win still to come. With
    p = win_prob * fit and a lognormal cycle (density f, survival S), its likelihood is p f(t)
    for a win and 1 - p + p S(c) for the rest (a cure model). scipy has no estimator for it, so
    it is maximised with `scipy.optimize.minimize`; the intervals are Wald's from the numerical
    Hessian, on logit win_prob, log median and log sigma.
    """
    deals = frames[0]
    frame = deals.frame[deals.frame["opened"].notna()]
    rows_text = f"{len(frame):,} won or open deals ({deals.origin}), {period}"
    if not (frame["outcome"] == "open").any():
        if not export.has("leads", "opportunity_at"):
            return None
        leads = export.leads[export.leads["opportunity_at"].notna()]
        won = frame[frame["outcome"] == "won"].dropna(subset=["lead_id"])
        closed = won.groupby("lead_id")["closed"].first()
        fits, _ = lead_fit(export)
        frame = pd.DataFrame(
            {
                "opened": leads["opportunity_at"].to_numpy(dtype="datetime64[ns]"),
                "closed": closed.reindex(leads["lead_id"]).to_numpy(dtype="datetime64[ns]"),
                "fit": np.nan if fits is None else fits.reindex(leads.index).to_numpy(),
            }
        )
        frame["outcome"] = np.where(frame["closed"].notna(), "won", "open")
        rows_text = (
            f"{len(frame):,} opportunities of the leads file, {int(frame['closed'].notna().sum()):,}"
            f" with a won deal ({deals.origin} lists only won deals), {period}"
        )
    frame = frame[frame["opened"] <= export.as_of]
    is_won = (frame["outcome"] == "won").to_numpy() & frame["closed"].notna().to_numpy()
    if is_won.sum() < 2:
        return None
    fit = frame["fit"].to_numpy(dtype=float)
    fit = np.where(np.isnan(fit), np.nanmean(fit) if not np.isnan(fit).all() else 1.0, fit)
    cycle = np.maximum(_hours(frame["closed"][is_won] - frame["opened"][is_won]) / 24.0, 1 / 24)
    age = np.maximum(_hours(export.as_of - frame["opened"][~is_won]) / 24.0, 0.0)
    f_won, f_rest = fit[is_won], fit[~is_won]

    def nll(theta: np.ndarray) -> float:
        w = special.expit(theta[0])
        dist = stats.lognorm(math.exp(theta[2]), 0, math.exp(theta[1]))
        p_rest = w * f_rest
        return -float(
            np.log(w * f_won).sum()
            + dist.logpdf(cycle).sum()
            + np.log1p(p_rest * (dist.sf(age) - 1)).sum()
        )

    logs = np.log(cycle)
    share = min(max(is_won.mean() / fit.mean(), 0.01), 0.99)
    start = np.array([special.logit(share), logs.mean(), math.log(max(logs.std(), 0.05))])
    result = optimize.minimize(
        nll, start, method="Nelder-Mead", options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 5000}
    )
    theta = result.x
    se = np.sqrt(np.diag(_inverse_hessian(nll, theta)))
    w = float(special.expit(theta[0]))
    low, high = (float(special.expit(theta[0] + sign * Z * se[0])) for sign in (-1, 1))
    method = "cure model (won with its cycle, or lost or still to win at the export date)"
    win = Fitted(
        w,
        low,
        high,
        f"{rows_text}; {method} by maximum likelihood; per unit of fit, Wald "
        f"{_ci(low, high, _share)}",
    )
    cycle_fit = _lognormal_result(
        theta[1:], se[1:], f"{rows_text}; lognormal cycle in the {method}", "days"
    )
    return cycle_fit, win


def _default_lognormal(text: str) -> FittedLognormal:
    return FittedLognormal(Fitted.default(math.nan, text), Fitted.default(math.nan, text), text)


# -- everything at once ------------------------------------------------------------------------


def fit_export(export: CrmExport, terms: Scenario | None = None) -> ExportFit:
    """Every fit of the export, read with the terms' calendar and follow-up window (defaults
    without terms); a value the export cannot tell is the terms' (or the default)."""
    calendar = terms.calendar if terms else CalendarSpec()
    sales = terms.sla.sales if terms else SalesSLA()
    return ExportFit(
        fit_sources(export, calendar),
        fit_acceptance(export, terms.handoff if terms else None),
        fit_team(export, terms.team if terms else None),
        fit_attempts(export, calendar, sales),
        fit_decay(export, sales.follow_up_window_days, terms.response if terms else None),
        fit_deals(export, terms.deals if terms else None),
    )


# -- helpers -----------------------------------------------------------------------------------


def _hours(delta: Any) -> np.ndarray:
    if isinstance(delta, pd.Timedelta):
        return np.asarray(delta / HOUR, dtype=float)
    return np.asarray(pd.to_timedelta(delta) / HOUR, dtype=float)


def _period_leads(export: CrmExport) -> pd.DataFrame:
    leads = export.leads
    moment = _arrival(leads)
    return leads[(moment >= export.start) & (moment < export.end)]


def _arrival(leads: pd.DataFrame) -> pd.Series:
    """When a lead arrived: created_at, or mql_at for an export that has only that."""
    if "created_at" in leads.columns:
        if "mql_at" in leads.columns:
            return leads["created_at"].fillna(leads["mql_at"])
        return leads["created_at"]
    return leads["mql_at"]


def _source_labels(leads: pd.DataFrame) -> pd.Series:
    labels = leads["source"].astype("string").str.strip()
    return labels.where(labels.str.len() > 0).fillna(UNKNOWN_SOURCE)


def _source_leads(export: CrmExport, source: str | None) -> pd.DataFrame:
    leads = _period_leads(export)
    if source is None or "source" not in leads.columns or source == ALL_LEADS:
        return leads
    return leads[(_source_labels(leads) == source).to_numpy()]


def _clock_frame(export: CrmExport, window_days: float, period_only: bool = False) -> pd.DataFrame:
    """Per handed-off lead: handoff (handed_off_at, else mql_at), mql (mql_at, else the
    handoff), window_end, first_attempt, contacted, fit."""
    leads = _period_leads(export) if period_only else export.leads
    nat = pd.Series(pd.NaT, index=leads.index, dtype="datetime64[ns]")

    def column(name: str) -> pd.Series:
        return leads[name] if name in leads.columns else nat

    handoff = column("handed_off_at").fillna(column("mql_at"))
    mql = column("mql_at").fillna(handoff)
    first = column("first_attempt_at")
    activities = export.activities
    if first.isna().all() and activities is not None and "lead_id" in activities.columns:
        frame = pd.DataFrame({"lead_id": leads["lead_id"], "handoff": handoff})
        acts = activities[["lead_id", "at"]].merge(frame, on="lead_id")
        acts = acts[acts["at"] >= acts["handoff"]]
        earliest = acts.groupby("lead_id")["at"].min()
        first = pd.Series(
            earliest.reindex(leads["lead_id"]).to_numpy(), index=leads.index, dtype=nat.dtype
        )
    fits, _ = lead_fit(export)
    fit = pd.Series(1.0, index=leads.index) if fits is None else fits.reindex(leads.index)
    window = pd.Timedelta(days=window_days)
    frame = pd.DataFrame(
        {
            "lead_id": leads["lead_id"],
            "handoff": handoff,
            "mql": mql,
            "window_end": handoff + window,
            "first_attempt": first,
            "contacted": column("contacted_at"),
            "fit": fit,
        }
    )
    return frame[frame["handoff"].notna()]


def _connected(export: CrmExport, acts: pd.DataFrame) -> pd.Series:
    """Whether each attempt reached the lead: its outcome among the profile's connected words;
    else whether it was made at the lead's contacted_at; else NA."""
    if "outcome" in acts.columns:
        outcome = acts["outcome"]
        if pd.api.types.is_bool_dtype(outcome):
            return outcome.astype("boolean").fillna(False)
        profile = PROFILES.get(export.profile, GENERIC)
        words = {w.lower() for w in profile.connected_outcomes}
        text = outcome.astype("string").str.strip().str.lower()
        return text.isin(words).fillna(False).astype("boolean")
    if export.has("leads", "contacted_at"):
        contacted = export.leads.set_index("lead_id")["contacted_at"]
        at = contacted.reindex(acts["lead_id"]).to_numpy(dtype="datetime64[ns]")
        close = np.abs(acts["at"].to_numpy(dtype="datetime64[ns]") - at) < np.timedelta64(1, "m")
        return pd.Series(close, index=acts.index, dtype="boolean")
    return pd.Series(pd.NA, index=acts.index, dtype="boolean")


def _retry_gaps(
    frame: pd.DataFrame, export: CrmExport, spec: CalendarSpec, min_attempts: int
) -> tuple[list[Fitted], str]:
    period = period_of(export)
    later = frame[frame["number"] > 0].copy()
    cal = export_calendar(export, spec)
    if not spec.always_open:
        at = period.hours(later["at"])
        i = np.searchsorted(cal.starts, at, side="right") - 1
        opened = at - cal.starts[np.maximum(i, 0)]
        inside = (i >= 0) & (at < cal.ends[np.maximum(i, 0)])
        later = later[~(inside & (opened < PUSHED_HOURS))]
    gaps: list[Fitted] = []
    texts: list[str] = []
    for k in range(1, max(min_attempts, 2)):
        values = later.loc[later["number"] == k, "gap_hours"].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        if len(values) < MIN_GAPS:
            break
        median = float(np.median(values))
        test: Any = stats.quantile_test(values, q=median, p=0.5)
        ci = test.confidence_interval(CONFIDENCE)
        low, high = float(ci.low), float(ci.high)
        gaps.append(
            Fitted(
                median,
                low,
                high,
                f"{len(values):,} gaps after attempt {k}, {period.text()}; median "
                f"{_number(median)} h, {_ci(low, high, _number)}",
            )
        )
        texts.append(f"{_number(median)} h ({_ci(low, high, _number)}, {len(values):,} gaps)")
    pushed = (
        ""
        if spec.always_open
        else (
            f"; a next attempt in the first {PUSHED_HOURS:g} h of an open interval (one that waited "
            "for the opening) left out"
        )
    )
    if not gaps:
        return [], f"fewer than {MIN_GAPS} gaps after the first attempt, {period.text()}"
    return gaps, (
        f"median hours from one attempt to the next of each lead's first follow-up, "
        f"{period.text()}: {'; '.join(texts)}{pushed}; the last gap repeats"
    )


def _exposure(period: Period, calendar: Calendar, arrival: ArrivalFit) -> np.ndarray:
    """Each month's share of its expected leads inside the observed period."""
    lo, hi = period.observed_hours()
    edges = period.hours(pd.DatetimeIndex(period.bounds))
    total = np.diff(edges)
    observed = hi - lo
    if arrival.arrival == "flat" or calendar.always_open:
        return observed / total
    open_total = calendar.business_hours(edges[1:]) - calendar.business_hours(edges[:-1])
    open_seen = calendar.business_hours(hi) - calendar.business_hours(lo)
    closed_total, closed_seen = total - open_total, observed - open_seen
    share = arrival.business_share.value
    # As the model does: a month with no open (or no closed) hour has all its leads in the other.
    open_weight = np.where(closed_total > 0, share, 1.0)
    closed_weight = np.where(open_total > 0, 1 - share, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        seen_open = np.where(open_total > 0, open_seen / open_total, 0.0)
        seen_closed = np.where(closed_total > 0, closed_seen / closed_total, 0.0)
    return open_weight * seen_open * (open_total > 0) + closed_weight * seen_closed * (
        closed_total > 0
    )


def _poisson_regression(
    y: np.ndarray, exposure: np.ndarray, month: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """log E[y] = log exposure + b0 + b1 * month: estimates, covariance, the interval's quantile,
    and the dispersion the covariance was scaled by (1: Poisson)."""
    x = np.column_stack([np.ones_like(month), month])
    offset = np.log(exposure)

    def objective(beta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = offset + x @ beta
        mu = np.exp(eta)
        return float(mu.sum() - y @ eta), x.T @ (mu - y)

    def hessian(beta: np.ndarray) -> np.ndarray:
        mu = np.exp(offset + x @ beta)
        return x.T @ (x * mu[:, None])

    start = np.array([math.log(y.sum() / exposure.sum()), 0.0])
    result = optimize.minimize(objective, start, jac=True, hess=hessian, method="trust-exact")
    beta = result.x
    mu = np.exp(offset + x @ beta)
    cov = np.linalg.inv(hessian(beta))
    df = len(y) - 2
    dispersion = float(((y - mu) ** 2 / mu).sum() / df) if df > 0 else 1.0
    if dispersion > 1:
        return beta, cov * dispersion, float(stats.t.ppf(0.5 + CONFIDENCE / 2, df)), dispersion
    return beta, cov, Z, 1.0


def _inverse_hessian(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """The inverse of f's Hessian at x by central differences: the Wald covariance of a
    maximum-likelihood estimate from its negative log-likelihood."""
    n = len(x)
    h = 1e-4 * np.maximum(1.0, np.abs(x))
    hess = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            ei, ej = np.eye(n)[i] * h[i], np.eye(n)[j] * h[j]
            value = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * h[i] * h[j]
            )
            hess[i, j] = hess[j, i] = value
    return np.linalg.inv(hess)


def _fitted_exp(
    log_value: float, se: float, quantile: float, evidence: str, fmt: Callable[[float], str]
) -> Fitted:
    low, high = math.exp(log_value - quantile * se), math.exp(log_value + quantile * se)
    return Fitted(math.exp(log_value), low, high, f"{evidence}, {_ci(low, high, fmt)}")


def _binomial(k: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(CONFIDENCE, method="exact")
    return float(ci.low), float(ci.high)


def _is_open(calendar: Calendar, hours: np.ndarray) -> np.ndarray:
    if calendar.always_open:
        return np.ones(len(hours), dtype=bool)
    i = np.searchsorted(calendar.starts, hours, side="right") - 1
    return (i >= 0) & (hours < calendar.ends[np.maximum(i, 0)])


def _non_increasing(values: np.ndarray) -> list[float]:
    rounded = [round(float(v), 4) for v in np.minimum.accumulate(np.asarray(values, float))]
    return [min(v, 1.0) for v in rounded]


def _missing(table: str, name: str) -> str:
    return f"the export has no {name} in its {table} file"


def _stays(why: str, default: str) -> str:
    return f"{why}: the default {default} stays"


def _ci(low: float, high: float, fmt: Callable[[float], str]) -> str:
    """ "95% interval 7.1%–9.8%" ("−2.9% to 3.3%" when a bound is negative)."""
    if low < 0 or high < 0:
        return f"{CONFIDENCE:.0%} interval {_signed(fmt(low))} to {_signed(fmt(high))}"
    return f"{CONFIDENCE:.0%} interval {fmt(low)}–{fmt(high)}"


def _signed(text: str) -> str:
    return text.replace("-", "\u2212")


def _share(x: float) -> str:
    return f"{x:.1%}"


def _number(x: float) -> str:
    """Three significant digits, thousands separated: 12,345; 35.2; 4.03; 0.0312."""
    if not math.isfinite(x) or x == 0:
        return f"{x:g}"
    digits = max(0, 2 - math.floor(math.log10(abs(x))))
    return f"{x:,.{digits}f}"


def _minutes(delta: pd.Timedelta) -> str:
    return f"{delta / pd.Timedelta(minutes=1):g} minutes"


def _nan_to(value: float, fallback: float) -> float:
    return fallback if math.isnan(value) else value


def _age_text(start: float, end: float) -> str:
    def hours(h: float) -> str:
        if h < 1:
            return f"{h * 60:g} min"
        return f"{h:g} h"

    return f"{hours(start)}+" if math.isinf(end) else f"{hours(start)}–{hours(end)}"


def _hour(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _calendar_text(spec: CalendarSpec) -> str:
    days = [DAY_NAMES.index(d) for d in spec.open_days]
    names = [d.capitalize() for d in spec.open_days]
    if days and days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        day_text = f"{names[0]}–{names[-1]}"
    else:
        day_text = ", ".join(names)
    opens, closes = spec.open_hours
    return f"{day_text} {opens:g}–{closes:g}"
