"""When reps work new leads (SPEC §9, `team.lead_work`): whenever the desk is open
("interleaved"), inside the day's lead blocks ("blocks"), or in a session that starts at each check
of the queue ("checks").

Blocks are hours of each open day; checks fall at each opening and every `check_every_hours` of
open time after it, the same moments for the whole team (a team's stand-up or the CRM's reminder).
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from sla_sim.scenario.calendar import Calendar
from sla_sim.scenario.schema import Team

TOLERANCE = 1e-9  # hours: a moment this close to a check is the check


class LeadHours:
    """The moments of a horizon at which reps take new leads, for one team."""

    def __init__(self, team: Team, calendar: Calendar, horizon: float) -> None:
        self.mode = team.lead_work
        self.calendar = calendar
        self.blocks: Calendar | None = None
        self.checks: list[float] = []
        opens = calendar.starts[calendar.starts < horizon]
        closes = np.minimum(calendar.ends[: len(opens)], horizon)
        if self.mode == "blocks":
            # Every open day of the calendar, past the horizon too (as the open hours are): the
            # next attempt of a lead may fall due after the horizon, inside its window.
            days = (
                np.arange(math.ceil(horizon / 24.0) + 1) * 24.0
                if calendar.always_open
                else np.unique(np.floor(calendar.starts / 24.0) * 24.0)
            )
            blocks = team.lead_blocks or []
            starts = [day + a for day in days.tolist() for a, _ in blocks]
            ends = [day + b for day in days.tolist() for _, b in blocks]
            self.blocks = Calendar.of_intervals(starts, ends)
        elif self.mode == "checks":
            every = float(team.check_every_hours or 24.0)
            for start, end in zip(opens.tolist(), closes.tolist(), strict=True):
                count = math.ceil((end - start) / every - TOLERANCE)
                self.checks.extend(start + k * every for k in range(max(count, 1)))

    def is_check(self, t: float) -> bool:
        """Whether `t` is one of the team's checks of the queue."""
        i = bisect.bisect_left(self.checks, t - TOLERANCE)
        return i < len(self.checks) and self.checks[i] <= t + TOLERANCE

    def next_start(self, t: float) -> float:
        """The next moment after `t` at which reps take new leads (inf if none in the horizon)."""
        if self.mode == "blocks":
            assert self.blocks is not None
            return self.blocks.next_open(t)
        if self.mode == "checks":
            i = bisect.bisect_right(self.checks, t + TOLERANCE)
            return self.checks[i] if i < len(self.checks) else math.inf
        return self.calendar.next_open(t)

    def lead_hours_between(self, a: float, b: float) -> float:
        """Hours reps give to new leads between two moments, per rep: the blocks' hours in
        "blocks", the open hours otherwise."""
        if self.blocks is not None:
            return self.blocks.open_hours_between(a, b)
        return self.calendar.open_hours_between(a, b)

    def inside(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The hours of each stretch [start, end) that fall in lead hours."""
        cal = self.blocks if self.blocks is not None else self.calendar
        return np.asarray(cal.business_hours(ends) - cal.business_hours(starts))
