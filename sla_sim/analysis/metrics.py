"""The metrics of SPEC §4, computed from one replication's leads and event log.

One list of definitions (`METRICS`): key, label for people, unit, which way is better, and how it is
computed. The CLI, the app and the reports read labels and units from here.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from sla_sim.model.events import Event
from sla_sim.model.lead_hours import LeadHours
from sla_sim.model.replication import Replication
from sla_sim.scenario.calendar import Calendar
from sla_sim.scenario.schema import Scenario, headcount_by_month

Unit = Literal["count", "share", "hours", "money", "months", "leads"]
EPISODE_BITS = 64


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: Unit
    better: Literal["higher", "lower", "neither"]
    description: str
    compute: Callable[[Facts], float]
    monthly: bool = False
    """Whether the metric can be taken over the leads that arrived in one month (`by_month`):
    a share or a mean over leads or their handoffs, which reads against the same bound for a
    month as for the horizon. Counts and money grow with the length of the period, and the
    reps' time and the backlog are not about any month's leads, so they cannot."""
    applies: Callable[[Scenario], bool] | None = None
    """Whether the metric means anything for a scenario (None: for every one). A metric that
    does not apply (the AE tier's without `[ae]`) is left out of the scenario's summary, rather
    than reported as undefined."""

    def applies_to(self, scenario: Scenario) -> bool:
        return self.applies is None or self.applies(scenario)


def _has_ae_tier(scenario: Scenario) -> bool:
    return scenario.ae is not None


def _share(part: float, whole: float) -> float:
    return float(part) / whole if whole else float("nan")


_ANY_LEADS = ("_rows_of", "_handoffs")
"""The facts of `Facts` that do not depend on which leads are counted."""


class Facts:
    """The per-lead and per-episode facts every metric is computed from; with `arrived`, one
    month's: the leads that arrived in [start, end) hours (and after warm-up) count, and of the
    handoffs (response and its breaches), those made in it — as a monthly SLA report counts the
    handoffs Sales received that month."""

    def __init__(
        self, replication: Replication, arrived: tuple[float, float] | None = None
    ) -> None:
        world = replication.world
        self.scenario = world.scenario
        self.calendar = world.calendar
        self.horizon = world.horizon
        self.warmup = world.warmup
        self.month_bounds = world.month_bounds
        self.leads = replication.leads
        self.roster = replication.roster
        self.columns = replication.log.columns()
        self.after_warmup = self.leads.arrival >= self.warmup
        self.counted = self.after_warmup
        self.handed_off: tuple[float, float] | None = None
        if arrived is not None:
            start, end = arrived
            self.counted = self.counted & (self.leads.arrival >= start) & (self.leads.arrival < end)
            self.handed_off = arrived

    def arrived_in(self, start: float, end: float) -> Facts:
        """These facts with only the leads that arrived in [start, end) hours counted (and
        after warm-up), as `Facts(replication, arrived=(start, end))` gives, sharing what does
        not depend on which leads count (a month's metrics, month after month)."""
        for name in _ANY_LEADS:
            getattr(self, name)  # computed once here, then shared
        other = copy.copy(self)
        for name, attribute in vars(Facts).items():
            if isinstance(attribute, cached_property) and name not in _ANY_LEADS:
                other.__dict__.pop(name, None)
        arrival = self.leads.arrival
        other.counted = self.counted & (arrival >= start) & (arrival < end)
        other.handed_off = (start, end)
        return other

    @cached_property
    def _counted_rows(self) -> np.ndarray:
        """A mask of the log rows of leads that arrived after warm-up."""
        return self.counted[self.columns["lead"]]

    @cached_property
    def _rows_of(self) -> dict[int, np.ndarray]:
        """A mask of the log rows of each event kind (a metric asks for the same kinds often)."""
        event = self.columns["event"]
        return {int(kind): event == kind for kind in Event}

    def _events(self, *kinds: Event, counted_only: bool = True) -> np.ndarray:
        """A mask of the log rows of these events (of leads that arrived after warm-up)."""
        mask = self._rows_of[kinds[0]].copy()
        for kind in kinds[1:]:
            mask |= self._rows_of[kind]
        if counted_only:
            mask &= self._counted_rows
        return mask

    def leads_with(self, *kinds: Event) -> int:
        """How many distinct leads have one of these events."""
        return int(np.count_nonzero(np.bincount(self.columns["lead"][self._events(*kinds)])))

    def total(self, kind: Event) -> float:
        """The summed value of these events (finite: the file's limits bound every deal value)."""
        return float(self.columns["value"][self._events(kind)].sum())

    def count(self, kind: Event) -> int:
        return int(self._events(kind).sum())

    @cached_property
    def n_leads(self) -> int:
        return int(self.counted.sum())

    @cached_property
    def n_mqls(self) -> int:
        return int((self.counted & (self.leads.mql_time < self.horizon)).sum())

    @cached_property
    def n_handed_off(self) -> int:
        first = self._events(Event.HANDOFF) & (self.columns["episode"] == 0)
        return int(first.sum())

    @cached_property
    def n_deals(self) -> int:
        return self.count(Event.WON)

    # -- response to each handoff (all episodes) ------------------------------------------------

    def _episode_key(self, mask: np.ndarray) -> np.ndarray:
        return self.columns["lead"][mask] * EPISODE_BITS + self.columns["episode"][mask]

    def _match(self, keys: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """For each episode key, the time of the event in `mask` with that key (nan if none)."""
        other = self._episode_key(mask)
        times = self.columns["time"][mask]
        order = np.argsort(other, kind="stable")
        other, times = other[order], times[order]
        out = np.full(len(keys), np.nan)
        if len(other):
            at = np.searchsorted(other, keys)
            found = (at < len(other)) & (other[np.minimum(at, len(other) - 1)] == keys)
            out[found] = times[at[found]]
        return out

    @cached_property
    def _handoffs(self) -> dict[str, np.ndarray]:
        """Lead, handoff, first attempt, deadline, departure from the first-attempt queue and
        response, per handoff of any lead (counted or not)."""
        sales = self.scenario.sla.sales
        handoff = self._events(Event.HANDOFF, counted_only=False)
        keys = self._episode_key(handoff)
        start = self.columns["time"][handoff]
        first = self._events(Event.ATTEMPT, Event.CONNECT, counted_only=False) & (
            self.columns["number"] == 0
        )
        attempt = self._match(keys, first)
        gave_up = self._events(Event.COLD, counted_only=False) | (
            self._events(Event.NO_CONTACT, counted_only=False) & (self.columns["number"] == 0)
        )
        left = np.fmin(attempt, self._match(keys, gave_up))
        if sales.clock == "business":
            deadline = self.calendar.add_business_hours(start, sales.first_response_hours)
            clock = self.calendar.business_hours
            response = clock(np.nan_to_num(attempt, nan=0.0)) - clock(start)
        else:
            deadline = start + sales.first_response_hours
            response = attempt - start
        response = np.where(np.isnan(attempt), np.nan, response)
        return {
            "lead": self.columns["lead"][handoff],
            "start": start,
            "attempt": attempt,
            "left": np.where(np.isnan(left), self.horizon, left),
            "deadline": deadline,
            "response": response,
        }

    @cached_property
    def episodes(self) -> dict[str, np.ndarray]:
        """Handoff, first attempt, deadline and departure from the first-attempt queue, per
        handoff, and whether it is counted (its lead is; in one month's facts, it was made in
        that month)."""
        handoffs = self._handoffs
        lead = handoffs["lead"]
        if self.handed_off is None:
            return handoffs | {"counted": self.counted[lead]}
        a, b = self.handed_off  # one month's handoffs, of leads that arrived after warm-up
        start = handoffs["start"]
        return handoffs | {"counted": self.after_warmup[lead] & (start >= a) & (start < b)}

    @cached_property
    def response_hours(self) -> np.ndarray:
        e = self.episodes
        r = e["response"][e["counted"]]
        return r[~np.isnan(r)]

    @cached_property
    def within_deadline(self) -> tuple[int, int]:
        """(episodes first attempted by their deadline, episodes whose outcome is known)."""
        e = self.episodes
        attempted = ~np.isnan(e["attempt"])
        known = e["counted"] & (attempted | (e["deadline"] <= self.horizon))
        within = known & attempted & (e["attempt"] <= e["deadline"] + 1e-9)
        return int(within.sum()), int(known.sum())

    def response_stat(self, stat: Callable[[np.ndarray], float]) -> float:
        return float(stat(self.response_hours)) if len(self.response_hours) else float("nan")

    @cached_property
    def _waiting_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The moments handed-off leads joined and left the first-attempt queue, each sorted."""
        e = self.episodes
        return np.sort(e["start"]), np.sort(e["left"])

    def waiting_at(self, moments: np.ndarray) -> np.ndarray:
        """How many handed-off leads were waiting for a first attempt at each moment."""
        starts, ends = self._waiting_bounds
        return np.searchsorted(starts, moments, side="right") - np.searchsorted(
            ends, moments, side="right"
        )

    @cached_property
    def backlog_mean(self) -> float:
        e = self.episodes
        a = np.clip(e["start"], self.warmup, self.horizon)
        b = np.clip(e["left"], self.warmup, self.horizon)
        return float(np.sum(b - a) / (self.horizon - self.warmup))

    @cached_property
    def rep_utilization(self) -> float:
        """Attempt time inside the measured open hours (after warm-up, before the horizon) over
        the reps' prospecting share of those hours. An attempt of h hours holds its rep for
        h / prospecting_share (the rest is other work); only the open hours of that stretch inside
        the window count, at the prospecting share, so the share never passes 100%.

        Reps who work leads in blocks give them the blocks' hours, and reps who check the queue
        the open hours: there, the attempt time inside those hours over them."""
        team = self.scenario.team
        attempts = self._events(Event.ATTEMPT, Event.CONNECT, counted_only=False)
        start = self.columns["time"][attempts]
        hours_each = self.columns["value"][attempts] / 60.0
        roster = self.roster
        if roster is not None:  # a rep who ramps is held longer by each attempt
            hours_each = hours_each / roster.rates(self.columns["rep"][attempts], start)
        if team.lead_work != "interleaved":
            hours = LeadHours(team, self.calendar, self.horizon)
            busy = float(
                np.sum(
                    hours.inside(
                        np.clip(start, self.warmup, self.horizon),
                        np.clip(start + hours_each, self.warmup, self.horizon),
                    )
                )
            )
            return _share(busy, self._rep_hours(hours.blocks or self.calendar))
        share = team.prospecting_share
        end = start + hours_each / share
        clock = self.calendar.business_hours
        inside = clock(np.clip(end, self.warmup, self.horizon)) - clock(
            np.clip(start, self.warmup, self.horizon)
        )
        return _share(share * float(np.sum(inside)), share * self._rep_hours(self.calendar))

    def _rep_hours(self, calendar: Calendar) -> float:
        """The hours of `calendar` in the measured window, summed over the reps there."""
        if self.roster is None:
            return self.scenario.team.reps * calendar.open_hours_between(self.warmup, self.horizon)
        return self.roster.working_hours(calendar, self.warmup, self.horizon)

    @cached_property
    def team_by_month(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per month: reps on the team, their ramped capacity (in ramped reps' worth) and the
        attempt work done (in the same units: hours of attempts over one rep's lead hours)."""
        team = self.scenario.team
        hours = LeadHours(team, self.calendar, self.horizon)
        calendar = hours.blocks or self.calendar
        months = len(self.month_bounds) - 1
        if self.roster is None:
            employed = capacity = np.full(months, float(team.reps))
            full = np.array(
                [
                    calendar.open_hours_between(a, b)
                    for a, b in itertools.pairwise(self.month_bounds)
                ]
            )
        else:
            employed, capacity, full = self.roster.by_month(calendar, self.month_bounds)
        attempts = self._events(Event.ATTEMPT, Event.CONNECT, counted_only=False)
        share = team.prospecting_share if team.lead_work == "interleaved" else 1.0
        month = np.searchsorted(self.month_bounds, self.columns["time"][attempts], side="right")
        work = np.bincount(
            month - 1, weights=self.columns["value"][attempts] / 60.0 / share, minlength=months
        )[:months]
        with np.errstate(invalid="ignore", divide="ignore"):
            load = np.where(full > 0, work / full, 0.0)
        return employed, capacity, load

    @cached_property
    def leads_ignored(self) -> int:
        """Handoffs nobody picked up that were never attempted (an alert or a reassignment may
        still rescue an ignored handoff)."""
        ignored = self._events(Event.IGNORED)
        first = self._events(Event.ATTEMPT, Event.CONNECT, counted_only=False) & (
            self.columns["number"] == 0
        )
        attempted = self._match(self._episode_key(ignored), first)
        return int(np.isnan(attempted).sum())

    @cached_property
    def attempt_breach_rate(self) -> float:
        ended = self._events(Event.NO_CONTACT)
        made = self.columns["number"][ended]
        return _share(int((made < self.scenario.sla.sales.min_attempts).sum()), len(made))

    @cached_property
    def handoffs_per_month(self) -> np.ndarray:
        times = self.columns["time"][self._events(Event.HANDOFF)]
        return np.histogram(times, bins=self.month_bounds)[0]

    @cached_property
    def measured_months(self) -> float:
        """The length of the measured window (warm-up to horizon) in months of the calendar."""
        bounds = self.month_bounds
        return float(len(bounds) - 1 - np.interp(self.warmup, bounds, np.arange(len(bounds))))

    @cached_property
    def measured_share_by_month(self) -> np.ndarray:
        """The share of each calendar month of the horizon inside the measured window (their sum
        is `measured_months`)."""
        bounds = self.month_bounds
        inside = np.clip(bounds[1:], self.warmup, None) - np.clip(bounds[:-1], self.warmup, None)
        return inside / np.diff(bounds)

    @cached_property
    def sales_cost(self) -> float:
        """What the reps (each month's team, days off paid) and the account executives
        (month by month) cost over the measured window."""
        costs = self.scenario.costs
        if self.roster is None:
            cost = self.scenario.team.reps * costs.rep_cost_per_month * self.measured_months
        else:
            employed = self.team_by_month[0]
            cost = costs.rep_cost_per_month * float(np.dot(employed, self.measured_share_by_month))
        if self.ae_headcount is not None:
            share = self.measured_share_by_month
            cost += costs.ae_cost_per_month * float(np.dot(self.ae_headcount, share))
        return cost

    # -- the account executives' queue (SPEC §10) ----------------------------------------------

    @cached_property
    def ae_headcount(self) -> np.ndarray | None:
        """The AEs present in each month of the horizon (None without `[ae]`)."""
        ae = self.scenario.ae
        if ae is None:
            return None
        return np.array(headcount_by_month(ae.reps, ae.changes, len(self.month_bounds) - 1))

    @cached_property
    def ae_queue(self) -> dict[str, np.ndarray]:
        """Per opportunity: when it was qualified, accepted by an AE (nan if not), whether it
        was still waiting at the horizon, when it closed (the horizon if open), its acceptance
        deadline and its wait on the SLA clock (nan if not accepted)."""
        opened = self._events(Event.OPPORTUNITY, counted_only=False)
        keys = self._episode_key(opened)
        start = self.columns["time"][opened]
        accepted = self._match(keys, self._events(Event.AE_ACCEPTED, counted_only=False))
        waiting = self._match(keys, self._events(Event.AE_WAITING, counted_only=False))
        ended = self._events(Event.WON, Event.LOST, Event.PIPELINE, counted_only=False)
        hours = self.scenario.ae.accept_within_hours if self.scenario.ae else float("nan")
        if self.scenario.sla.sales.clock == "business":
            deadline = self.calendar.add_business_hours(start, hours)
            clock = self.calendar.business_hours
            wait = clock(np.nan_to_num(accepted, nan=0.0)) - clock(start)
        else:
            deadline = start + hours
            wait = accepted - start
        return {
            "start": start,
            "accepted": accepted,
            "waiting": ~np.isnan(waiting),
            "closed": self._match(keys, ended),
            "deadline": deadline,
            "wait": np.where(np.isnan(accepted), np.nan, wait),
            "counted": self.counted[self.columns["lead"][opened]],
        }

    @cached_property
    def ae_wait_hours_mean(self) -> float:
        """Qualification to AE acceptance on the SLA clock, over the accepted opportunities."""
        if self.scenario.ae is None:
            return float("nan")
        q = self.ae_queue
        wait = q["wait"][q["counted"] & ~np.isnan(q["accepted"])]
        return float(wait.mean()) if len(wait) else float("nan")

    @cached_property
    def ae_breach_rate(self) -> float:
        """Opportunities not accepted within `ae.accept_within_hours`, over those whose outcome
        is known: accepted, or still waiting with the deadline passed by the horizon."""
        if self.scenario.ae is None:
            return float("nan")
        q = self.ae_queue
        accepted = ~np.isnan(q["accepted"])
        late = q["waiting"] & (q["deadline"] <= self.horizon)
        known = q["counted"] & (accepted | late)
        within = known & accepted & (q["accepted"] <= q["deadline"] + 1e-9)
        return _share(int(known.sum() - within.sum()), int(known.sum()))

    @cached_property
    def ae_utilization(self) -> float:
        """Slot-hours held by accepted opportunities over the AEs' slot-hours, month by month,
        in the measured window (wall-clock: an open opportunity holds its slot day and night)."""
        ae, headcount = self.scenario.ae, self.ae_headcount
        if ae is None or headcount is None:
            return float("nan")
        q = self.ae_queue
        accepted = ~np.isnan(q["accepted"])
        start = np.clip(q["accepted"][accepted], self.warmup, self.horizon)
        end = np.clip(q["closed"][accepted], self.warmup, self.horizon)
        hours = self.measured_share_by_month * np.diff(self.month_bounds)
        slots = headcount * ae.max_open_opportunities
        return _share(float(np.sum(end - start)), float(np.dot(slots, hours)))

    @cached_property
    def marketing_cost(self) -> float:
        """What the counted leads cost, each at its source's cost per lead."""
        sources = self.scenario.sources
        per_lead = np.array([s.cost_per_lead for s in sources])
        leads = np.bincount(self.leads.source[self.counted], minlength=len(sources))
        return float(leads @ per_lead)

    @cached_property
    def mql_shortfall_months(self) -> int:
        full = self.month_bounds[:-1] >= self.warmup
        commitment = self.scenario.sla.marketing.monthly_mql_commitment
        return int((self.handoffs_per_month[full] < commitment).sum())


def _p90(values: np.ndarray) -> float:
    return float(np.percentile(values, 90))


METRICS: list[Metric] = [
    Metric("leads", "Leads", "count", "neither", "leads that arrived", lambda f: f.n_leads),
    Metric(
        "mqls", "MQLs", "count", "neither", "leads that reached the MQL score", lambda f: f.n_mqls
    ),
    Metric(
        "handed_off",
        "Handed off",
        "count",
        "higher",
        "MQLs accepted by Sales",
        lambda f: f.n_handed_off,
    ),
    Metric(
        "contacted",
        "Contacted",
        "count",
        "higher",
        "handed-off leads reached by a rep",
        lambda f: f.leads_with(Event.CONNECT),
    ),
    Metric(
        "opportunities",
        "Opportunities",
        "count",
        "higher",
        "contacted leads that qualified",
        lambda f: f.leads_with(Event.OPPORTUNITY),
    ),
    Metric(
        "closed_deals",
        "Closed deals",
        "count",
        "higher",
        "opportunities won within the horizon",
        lambda f: f.n_deals,
    ),
    Metric(
        "revenue", "Revenue", "money", "higher", "value of won deals", lambda f: f.total(Event.WON)
    ),
    Metric(
        "pipeline_value",
        "Open pipeline",
        "money",
        "higher",
        "value of opportunities still open at the horizon",
        lambda f: f.total(Event.PIPELINE),
    ),
    Metric(
        "sales_cost",
        "Sales cost",
        "money",
        "lower",
        "what the reps and account executives cost over the measured months",
        lambda f: f.sales_cost,
    ),
    Metric(
        "marketing_cost",
        "Marketing cost",
        "money",
        "lower",
        "what the leads cost, each at its source's cost per lead",
        lambda f: f.marketing_cost,
    ),
    Metric(
        "cost_per_deal",
        "Cost per deal",
        "money",
        "lower",
        "sales and marketing cost per closed deal",
        lambda f: _share(f.sales_cost + f.marketing_cost, f.n_deals),
    ),
    Metric(
        "net_revenue",
        "Net revenue",
        "money",
        "higher",
        "revenue less sales and marketing cost",
        lambda f: f.total(Event.WON) - f.sales_cost - f.marketing_cost,
    ),
    Metric(
        "lead_to_deal_rate",
        "Lead to deal",
        "share",
        "higher",
        "closed deals per lead",
        lambda f: _share(f.n_deals, f.n_leads),
        monthly=True,
    ),
    Metric(
        "mql_to_deal_rate",
        "MQL to deal",
        "share",
        "higher",
        "closed deals per MQL",
        lambda f: _share(f.n_deals, f.n_mqls),
        monthly=True,
    ),
    Metric(
        "acceptance_rate",
        "Accepted by Sales",
        "share",
        "higher",
        "share of MQLs reaching Sales that Sales accepted",
        lambda f: _share(f.n_handed_off, f.n_handed_off + f.count(Event.REJECTED)),
        monthly=True,
    ),
    Metric(
        "response_hours_mean",
        "Response time, mean",
        "hours",
        "lower",
        "handoff to first attempt, in the SLA clock (attempted leads)",
        lambda f: f.response_stat(np.mean),
        monthly=True,
    ),
    Metric(
        "response_hours_median",
        "Response time, median",
        "hours",
        "lower",
        "handoff to first attempt, in the SLA clock (attempted leads)",
        lambda f: f.response_stat(np.median),
        monthly=True,
    ),
    Metric(
        "response_hours_p90",
        "Response time, 90th percentile",
        "hours",
        "lower",
        "handoff to first attempt, in the SLA clock (attempted leads)",
        lambda f: f.response_stat(_p90),
        monthly=True,
    ),
    Metric(
        "response_within_sla",
        "Answered within SLA",
        "share",
        "higher",
        "handoffs first attempted within first_response_hours",
        lambda f: _share(*f.within_deadline),
        monthly=True,
    ),
    Metric(
        "response_breach_rate",
        "Response breaches",
        "share",
        "lower",
        "handoffs whose deadline passed with no attempt by then",
        lambda f: _share(f.within_deadline[1] - f.within_deadline[0], f.within_deadline[1]),
        monthly=True,
    ),
    Metric(
        "attempt_breach_rate",
        "Attempt breaches",
        "share",
        "lower",
        "leads closed without contact that got fewer than min_attempts attempts in the window",
        lambda f: f.attempt_breach_rate,
        monthly=True,
    ),
    Metric(
        "mql_shortfall_months",
        "MQL shortfall months",
        "months",
        "lower",
        "months in which handed-off MQLs fell short of the commitment",
        lambda f: f.mql_shortfall_months,
    ),
    Metric(
        "leads_lost_cold",
        "Lost cold",
        "count",
        "lower",
        "leads that went cold before any attempt",
        lambda f: f.leads_with(Event.COLD),
    ),
    Metric(
        "leads_recycled",
        "Recycled",
        "count",
        "neither",
        "leads returned to nurture after no contact",
        lambda f: f.leads_with(Event.RECYCLED),
    ),
    Metric(
        "leads_never_contacted",
        "Never contacted",
        "count",
        "lower",
        "handed-off leads no rep ever reached",
        lambda f: f.n_handed_off - f.leads_with(Event.CONNECT),
    ),
    Metric(
        "rep_utilization",
        "Rep utilisation",
        "share",
        "neither",
        "share of the reps' prospecting time spent on attempts",
        lambda f: f.rep_utilization,
    ),
    Metric(
        "leads_ignored",
        "Ignored handoffs",
        "count",
        "lower",
        "handoffs nobody picked up and no alert or reassignment rescued",
        lambda f: f.leads_ignored,
    ),
    Metric(
        "alerts",
        "Alerts",
        "count",
        "neither",
        "leads still unattempted when the alert share of the response target had passed",
        lambda f: f.count(Event.ALERTED),
    ),
    Metric(
        "reassignments",
        "Reassignments",
        "count",
        "neither",
        "unattempted leads moved to another rep",
        lambda f: f.count(Event.REASSIGNED),
    ),
    Metric(
        "other_work_displaced_hours",
        "Other work displaced",
        "hours",
        "lower",
        "hours of alerted attempts taken from the reps' other work",
        lambda f: f.total(Event.DISPLACED) / 60.0,
    ),
    Metric(
        "backlog_mean",
        "Backlog, mean",
        "leads",
        "lower",
        "mean number of leads waiting for a first attempt",
        lambda f: f.backlog_mean,
    ),
    Metric(
        "backlog_end",
        "Backlog at the horizon",
        "leads",
        "lower",
        "leads waiting for a first attempt when the horizon ends",
        lambda f: float(f.waiting_at(np.array([f.horizon - 1e-9]))[0]),
    ),
    Metric(
        "ae_wait_hours_mean",
        "AE wait, mean",
        "hours",
        "lower",
        "qualification to acceptance by an account executive, in the SLA clock (accepted "
        "opportunities; not applicable without [ae])",
        lambda f: f.ae_wait_hours_mean,
        applies=_has_ae_tier,
    ),
    Metric(
        "ae_breach_rate",
        "AE acceptance breaches",
        "share",
        "lower",
        "opportunities not accepted by an account executive within ae.accept_within_hours "
        "(not applicable without [ae])",
        lambda f: f.ae_breach_rate,
        applies=_has_ae_tier,
    ),
    Metric(
        "ae_utilization",
        "AE utilisation",
        "share",
        "neither",
        "share of the account executives' opportunity slots held, month by month (not "
        "applicable without [ae])",
        lambda f: f.ae_utilization,
        applies=_has_ae_tier,
    ),
]
METRIC_KEYS = [m.key for m in METRICS]
BY_KEY = {m.key: m for m in METRICS}
FUNNEL_STAGES = ("leads", "mqls", "handed_off", "contacted", "opportunities", "closed_deals")
"""The count metrics of the funnel, stage by stage, each a subset of the one before."""


MONTHLY_KEYS = [m.key for m in METRICS if m.monthly]
"""The metrics that can be taken month by month (`Metric.monthly`)."""


def check_monthly(key: str) -> None:
    """Raise ValueError, saying which metrics can, unless metric `key` can be taken by month."""
    if key not in BY_KEY:
        raise ValueError(f"unknown metric {key!r}; allowed: {', '.join(METRIC_KEYS)}")
    if not BY_KEY[key].monthly:
        raise ValueError(
            f"{key} cannot be taken month by month: only a share or a mean over the leads that "
            f"arrived in a month can ({', '.join(MONTHLY_KEYS)}); counts and money grow with "
            "the length of the period, and the reps' time and the backlog belong to no month's "
            "leads"
        )


def compute_metrics(replication: Replication | Facts) -> dict[str, float]:
    """Every metric of one replication."""
    facts = replication if isinstance(replication, Facts) else Facts(replication)
    return {m.key: float(m.compute(facts)) for m in METRICS}


def by_month(replication: Replication, keys: list[str]) -> dict[str, np.ndarray]:
    """Each metric of `keys` over the leads that arrived in each month of the horizon, one value
    a month; nan in a month with no lead counted (before the warm-up ends, or none arrived)."""
    for key in keys:
        check_monthly(key)
    everyone = Facts(replication)
    bounds = everyone.month_bounds
    out = {key: np.full(len(bounds) - 1, np.nan) for key in keys}
    for month, (start, end) in enumerate(itertools.pairwise(bounds.tolist())):
        facts = everyone.arrived_in(start, end)
        if facts.n_leads == 0:
            continue
        for key in keys:
            out[key][month] = float(BY_KEY[key].compute(facts))
    return out


def backlog_series(
    replication: Replication, step_hours: float = 24.0
) -> tuple[np.ndarray, np.ndarray]:
    """(moments, leads waiting for a first attempt) sampled every `step_hours`."""
    facts = Facts(replication)
    moments = np.arange(0.0, facts.horizon, step_hours)
    return moments, facts.waiting_at(moments)
