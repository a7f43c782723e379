"""The team over the year (SPEC §10): who is on the team when, the days each rep is away, and
how far each new rep has ramped.

Every rep who works in the horizon is one row, numbered in the order they join: the starting team
(ramped from day one), then the hires of `team.changes` in month order, and backfills as their
predecessors leave. Reps leave by a change (the most recently hired first), or by attrition: a rep
on the team at the start of a month leaves during it with probability `team.attrition_per_month`,
at a moment of the month drawn from their own stream, and with `team.backfill_days` a replacement
joins that many days later, at the start of the day. Each rep takes `team.time_off_days_per_year`
whole open days off (pro rata to the open days they are on the team), days drawn from their own
stream.

Ramp is a new rep's throughput as a share of a ramped rep's, by month of tenure (as sales teams
measure it: activity or quota attainment by month since start). The desk gives it as time: a rep at
share 0.5 is occupied twice as long per attempt (the attempt's own minutes, plus the learning), so
they take half the leads a ramped rep takes in the same hours.

All of this is drawn before the run, as the leads are: nothing here depends on the leads.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from sla_sim.model.streams import Streams
from sla_sim.scenario.calendar import Calendar, add_months
from sla_sim.scenario.schema import Scenario

INF = math.inf
DAY = 24.0


@dataclass
class Roster:
    """Every rep of the horizon: when they join and leave, the days they are away, their ramp."""

    start: list[float]  # hour they join
    end: list[float]  # hour they leave (inf: still on the team at the horizon)
    away: list[list[float]]  # sorted starts (hours) of the whole days each is away
    ramp_at: list[list[float]]  # the moments their ramp share steps up (month ends of tenure)
    ramp: list[float]  # capacity share by month of tenure (the last holds)
    ramped: list[bool]  # whether the rep is ramped from the start (the starting team)
    # Working calendars made so far, by calendar (kept with it, so its id stays its own).
    _made: dict[int, tuple[Calendar, dict[int, Calendar]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __len__(self) -> int:
        return len(self.start)

    # -- one rep at one moment (the desk) -------------------------------------------------------

    def present(self, rep: int, t: float) -> bool:
        """On the team at `t` and not on a day off."""
        if not self.start[rep] <= t < self.end[rep]:
            return False
        away = self.away[rep]
        if not away:
            return True
        day = math.floor(t / DAY) * DAY
        i = bisect.bisect_left(away, day)
        return not (i < len(away) and away[i] == day)

    def next_present(self, rep: int, t: float) -> float:
        """`t` when the rep is present then, else the next moment they are (inf: never again)."""
        t = max(t, self.start[rep])
        away = self.away[rep]
        if away:
            day = math.floor(t / DAY) * DAY
            i = bisect.bisect_left(away, day)
            while i < len(away) and away[i] == day:
                day += DAY
                t = day
                i += 1
        return t if t < self.end[rep] else INF

    def presence_changes(self) -> list[tuple[float, int, bool]]:
        """(moment, rep, present) each time a rep joins, leaves, or starts or ends a day away,
        in order of time (at one moment, a return before a new absence)."""
        changes: list[tuple[float, int, bool]] = []
        for rep in range(len(self)):
            start, end = self.start[rep], self.end[rep]
            if start > 0:
                changes.append((start, rep, True))
            if end < INF:
                changes.append((end, rep, False))
            for day in self.away[rep]:
                changes.append((max(day, start), rep, False))
                if day + DAY < end:
                    changes.append((day + DAY, rep, True))
        changes.sort(key=lambda change: (change[0], not change[2], change[1]))
        return changes

    def rate(self, rep: int, t: float) -> float:
        """The rep's capacity share at `t` (1 once ramped)."""
        if self.ramped[rep]:
            return 1.0
        month = bisect.bisect_right(self.ramp_at[rep], t)
        return self.ramp[min(month, len(self.ramp) - 1)]

    # -- the whole horizon (metrics and charts) -------------------------------------------------

    def working_calendar(self, calendar: Calendar, rep: int) -> Calendar:
        """The hours of `calendar` in which the rep is on the team and not away."""
        made = self._made.setdefault(id(calendar), (calendar, {}))[1]
        if rep not in made:
            made[rep] = self._working(calendar, rep)
        return made[rep]

    def _working(self, calendar: Calendar, rep: int) -> Calendar:
        starts = np.maximum(calendar.starts, self.start[rep])
        ends = np.minimum(calendar.ends, self.end[rep])
        keep = ends > starts
        if self.away[rep]:
            days = np.floor(calendar.starts / DAY) * DAY
            keep &= ~np.isin(days, np.asarray(self.away[rep]))
        return Calendar.of_intervals(starts[keep].tolist(), ends[keep].tolist())

    def rates(self, rep: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The capacity share of each (rep, moment) pair."""
        out = np.ones(len(t))
        for r in np.unique(rep).tolist():
            if self.ramped[r]:
                continue
            mask = rep == r
            month = np.searchsorted(np.asarray(self.ramp_at[r]), t[mask], side="right")
            out[mask] = np.asarray(self.ramp)[np.minimum(month, len(self.ramp) - 1)]
        return out

    def by_month(
        self, calendar: Calendar, month_bounds: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per month: reps on the team (time-weighted, days off included), their ramped capacity
        (in ramped reps' worth of the hours of `calendar` they are there) and those hours of one
        rep there all month."""
        months = len(month_bounds) - 1
        employed = np.zeros(months)
        capacity = np.zeros(months)
        lengths = np.diff(month_bounds)
        full = np.array(
            [
                calendar.open_hours_between(a, b)
                for a, b in itertools.pairwise(month_bounds.tolist())
            ]
        )
        for rep in range(len(self)):
            a = np.clip(self.start[rep], month_bounds[:-1], month_bounds[1:])
            b = np.clip(self.end[rep], month_bounds[:-1], month_bounds[1:])
            employed += (b - a) / lengths
            working = self.working_calendar(calendar, rep)
            # Ramp steps within the months: integrate the share over the rep's working hours.
            steps = [0.0] if self.ramped[rep] else [self.start[rep], *self.ramp_at[rep]]
            shares = [1.0] if self.ramped[rep] else self._shares(len(steps))
            edges = [*steps[1:], INF]
            for lo, hi, share in zip(steps, edges, shares, strict=True):
                x = np.clip(lo, month_bounds[:-1], month_bounds[1:])
                y = np.clip(hi, month_bounds[:-1], month_bounds[1:])
                capacity += share * (working.business_hours(y) - working.business_hours(x))
        with np.errstate(invalid="ignore", divide="ignore"):
            capacity = np.where(full > 0, capacity / full, 0.0)
        return employed, capacity, full

    def _shares(self, count: int) -> list[float]:
        return [self.ramp[min(k, len(self.ramp) - 1)] for k in range(count)]

    def working_hours(self, calendar: Calendar, a: float, b: float) -> float:
        """Hours of `calendar` between two moments in which reps are there, over all reps."""
        return sum(
            self.working_calendar(calendar, rep).open_hours_between(a, b)
            for rep in range(len(self))
        )


def _hour_of(start: dt.date, hours: float) -> dt.date:
    return start + dt.timedelta(days=math.floor(hours / DAY))


def _ramp_steps(scenario: Scenario, joined: float) -> list[float]:
    """The moments a rep who joined at `joined` enters their 2nd, 3rd, ... month of tenure."""
    ramp = scenario.team.ramp or [1.0]
    if len(ramp) < 2:
        return []
    start = scenario.scenario.start_date
    day = _hour_of(start, joined)
    offset = joined - (day - start).days * DAY
    return [(add_months(day, k) - start).days * DAY + offset for k in range(1, len(ramp))]


def draw_roster(
    scenario: Scenario, calendar: Calendar, month_bounds: np.ndarray, streams: Streams
) -> Roster:
    """The team of one replication over the horizon."""
    team = scenario.team
    horizon = float(month_bounds[-1])
    start: list[float] = []
    end: list[float] = []
    ramped: list[bool] = []

    def join(moment: float, is_ramped: bool) -> None:
        start.append(moment)
        end.append(INF)
        ramped.append(is_ramped)

    for _ in range(team.reps):
        join(0.0, True)
    changes: dict[int, int] = {}
    for planned in team.changes:
        changes[planned.month] = changes.get(planned.month, 0) + planned.reps
    attrition, backfill = team.attrition_per_month, team.backfill_days
    for m in range(len(month_bounds) - 1):
        lo, hi = float(month_bounds[m]), float(month_bounds[m + 1])
        change = changes.get(m + 1, 0)
        if change > 0:
            for _ in range(change):
                join(lo, False)
        elif change < 0:
            on_team = [r for r in range(len(start)) if start[r] <= lo < end[r]]
            for r in sorted(on_team, key=lambda r: (start[r], r))[change:]:
                end[r] = lo  # the most recently joined leave first
        if attrition <= 0:
            continue
        on_team = [r for r in range(len(start)) if start[r] <= lo < end[r]]
        if not on_team:
            continue
        ids = np.asarray(on_team)
        leaves = streams.uniform("attrition", "rep", ids, m) < attrition
        moments = lo + streams.uniform("attrition_moment", "rep", ids, m) * (hi - lo)
        for r, moment in zip(ids[leaves].tolist(), moments[leaves].tolist(), strict=True):
            end[r] = min(end[r], moment)
            if backfill is not None:
                joins = math.floor(moment / DAY) * DAY + backfill * DAY
                if joins < horizon:
                    join(joins, False)
    away = _time_off(scenario, calendar, horizon, start, end, streams)
    ramp_at = [[] if ramped[r] else _ramp_steps(scenario, start[r]) for r in range(len(start))]
    return Roster(start, end, away, ramp_at, list(team.ramp or [1.0]), ramped)


def _time_off(
    scenario: Scenario,
    calendar: Calendar,
    horizon: float,
    start: list[float],
    end: list[float],
    streams: Streams,
) -> list[list[float]]:
    """The whole open days each rep is away: their share of the year's days off, pro rata to
    the open days they are on the team, drawn from their own stream."""
    per_year = scenario.team.time_off_days_per_year
    if per_year <= 0 or calendar.always_open:
        return [[] for _ in start]
    opens = calendar.starts[calendar.starts < horizon]
    days = np.unique(np.floor(opens / DAY) * DAY)
    open_days_per_year = len(days) * 12.0 / scenario.scenario.months
    away: list[list[float]] = []
    for rep in range(len(start)):
        theirs = days[(days >= start[rep]) & (days < end[rep])]
        count = min(round(per_year * len(theirs) / open_days_per_year), len(theirs))
        if count <= 0:
            away.append([])
            continue
        index = np.round(theirs / DAY).astype(np.int64)
        draw = streams.uniform("time_off", "rep", np.full(len(theirs), rep), index)
        away.append(sorted(theirs[np.argsort(draw, kind="stable")[:count]].tolist()))
    return away
