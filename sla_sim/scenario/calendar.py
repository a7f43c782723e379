"""The business calendar: open hours, weekends and holidays, and time measured in business hours.

Simulation time is hours from `scenario.start_date` 00:00. The calendar is a sorted list of open
intervals; `business_hours(t)` counts the open hours before `t`, so the business-hour distance between
two moments is a difference of two lookups and a deadline is an inverse lookup.
"""

from __future__ import annotations

import bisect
import calendar as _stdcal
import datetime as dt
from collections.abc import Sequence

import numpy as np

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
INF = float("inf")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later (clamped to the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _stdcal.monthrange(year, month)[1]))


def month_bounds_hours(start: dt.date, months: int) -> np.ndarray:
    """Hours from `start` at which each calendar month of the horizon begins, and the horizon's end."""
    return np.array(
        [(add_months(start, m) - start).days * 24.0 for m in range(months + 1)], dtype=float
    )


class Calendar:
    """Open intervals from `start` for `days` days."""

    def __init__(
        self,
        start: dt.date,
        days: int,
        *,
        always_open: bool = False,
        open_days: Sequence[str] = DAY_NAMES[:5],
        open_hours: tuple[float, float] = (9.0, 18.0),
        holidays: Sequence[dt.date] = (),
    ) -> None:
        self.always_open = always_open
        if always_open:
            starts, ends = [0.0], [INF]
        else:
            weekdays = {DAY_NAMES.index(d) for d in open_days}
            closed = set(holidays)
            starts, ends = [], []
            for offset in range(days):
                day = start + dt.timedelta(days=offset)
                if day.weekday() in weekdays and day not in closed:
                    starts.append(offset * 24.0 + open_hours[0])
                    ends.append(offset * 24.0 + open_hours[1])
        self._set_intervals(starts, ends)

    @classmethod
    def of_intervals(cls, starts: Sequence[float], ends: Sequence[float]) -> Calendar:
        """A calendar open in the given sorted, disjoint intervals [starts[i], ends[i])."""
        calendar = cls.__new__(cls)
        calendar.always_open = False
        calendar._set_intervals(list(starts), list(ends))
        return calendar

    def _set_intervals(self, starts: list[float], ends: list[float]) -> None:
        self.starts = np.array(starts, dtype=float)
        self.ends = np.array(ends, dtype=float)
        lengths = self.ends - self.starts
        self.cum_start = np.concatenate(([0.0], np.cumsum(lengths)[:-1])) if starts else np.zeros(0)
        self.cum_end = self.cum_start + lengths
        self._starts = starts
        self._ends = ends
        self._cum_start = self.cum_start.tolist()
        self._cum_end = self.cum_end.tolist()
        self._last_stretch = (INF, -INF, INF)  # see next_open

    @property
    def has_open_hours(self) -> bool:
        return len(self._starts) > 0

    def is_open(self, t: float) -> bool:
        i = bisect.bisect_right(self._starts, t) - 1
        return i >= 0 and t < self._ends[i]

    def current_interval(self, t: float) -> tuple[float, float]:
        """The open interval holding `t` (call only when `is_open(t)`)."""
        i = bisect.bisect_right(self._starts, t) - 1
        return self._starts[i], self._ends[i]

    def next_open(self, t: float) -> float:
        """`t` itself when open, else the start of the next open interval (inf if none)."""
        # The model asks once per attempt, mostly about moments near the last one asked about:
        # remember the stretch [lo, hi) that moment fell in (an open interval, where the answer
        # is `t` itself, stored as -inf; or a closed gap, where it is the gap's end).
        lo, hi, opening = self._last_stretch
        if lo <= t < hi:
            return opening if opening > t else t
        if self.always_open:
            return t
        starts, ends = self._starts, self._ends
        i = bisect.bisect_right(starts, t) - 1
        if i >= 0 and t < ends[i]:
            self._last_stretch = (starts[i], ends[i], -INF)
            return t
        opening = starts[i + 1] if i + 1 < len(starts) else INF
        self._last_stretch = (ends[i] if i >= 0 else -INF, opening, opening)
        return opening

    def business_hours(self, t: np.ndarray | float) -> np.ndarray:
        """Open hours from time 0 to `t`."""
        t = np.asarray(t, dtype=float)
        if self.always_open:
            return t
        if not self.has_open_hours:
            return np.zeros_like(t)
        i = np.searchsorted(self.starts, t, side="right") - 1
        j = np.maximum(i, 0)
        inside = np.clip(t - self.starts[j], 0.0, self.ends[j] - self.starts[j])
        return np.where(i >= 0, self.cum_start[j] + inside, 0.0)

    def add_business_hours(self, t: np.ndarray | float, hours: np.ndarray | float) -> np.ndarray:
        """The earliest moment at which `hours` open hours have passed since `t` (inf past the end)."""
        t = np.asarray(t, dtype=float)
        if self.always_open:
            return t + hours
        target = self.business_hours(t) + hours
        j = np.searchsorted(self.cum_end, target, side="left")
        inside = j < len(self.starts)
        jj = np.minimum(j, max(len(self.starts) - 1, 0))
        if not self.has_open_hours:
            return np.full(np.shape(target), INF)
        moment = self.starts[jj] + (target - self.cum_start[jj])
        return np.where(inside, np.maximum(moment, t), INF)

    def after_open_hours(self, t: float, hours: float) -> float:
        """`add_business_hours` for one moment, without numpy (the model asks once per lead)."""
        if self.always_open:
            return t + hours
        starts, ends, cum = self._starts, self._ends, self._cum_start
        i = bisect.bisect_right(starts, t) - 1
        before = 0.0 if i < 0 else cum[i] + min(max(t - starts[i], 0.0), ends[i] - starts[i])
        target = before + hours
        j = bisect.bisect_left(self._cum_end, target)
        if j >= len(starts):
            return INF
        return max(starts[j] + (target - cum[j]), t)

    def open_hours_between(self, a: float, b: float) -> float:
        return float(self.business_hours(b) - self.business_hours(a))

    def longest_closed_gap_hours(self) -> float:
        """The longest stretch between two open intervals (0 when always open)."""
        if self.always_open or len(self._starts) < 2:
            return 0.0
        return float(np.max(self.starts[1:] - self.ends[:-1]))
