"""The account executives' queue (SPEC §10, the second tier): each opportunity the SDRs qualify
waits for a free AE slot, first come first served, and holds it from acceptance until it closes.

Each AE present in a month holds up to `max_open_opportunities` open opportunities; AEs accept only
in the calendar's open hours. Nothing here feeds back into the SDRs' desk, so the queue is worked
after the event loop, from the opportunities' own times: a heap of the moments held slots free up.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

INF = float("inf")


class Acceptances(NamedTuple):
    """Per opportunity (in the order given): the hour an AE accepted it (inf: still waiting at
    the horizon) and that AE's index (-1 while waiting)."""

    time: np.ndarray
    ae: np.ndarray


def accept_opportunities(
    qualified: np.ndarray,
    cycle_hours: np.ndarray,
    headcount: Sequence[int],
    max_open: int,
    month_bounds: np.ndarray,
    next_open: Callable[[float], float],
) -> Acceptances:
    """When each opportunity is accepted, and by which AE.

    `qualified`: the hour each opportunity was qualified; `cycle_hours`: how long it stays open
    once accepted; `headcount[m]`: the AEs present in month m, which starts at `month_bounds[m]`
    (the last bound is the horizon). Opportunities are taken in order of qualification (ties in
    the order given), each at the first open moment, no earlier than the one before it, at which
    fewer slots are held than the month's AEs × `max_open`. A slot freed at a moment can be taken
    at that moment. When the headcount falls, the AEs of the highest indexes leave and open
    opportunities keep their slots; new ones wait until fewer are held than the new capacity.
    An opportunity goes to the AE present with the fewest open (the lowest index on a tie).
    """
    n = len(qualified)
    accepted = np.full(n, INF)
    owner = np.full(n, -1, dtype=np.int64)
    horizon = float(month_bounds[-1])
    starts = [float(b) for b in month_bounds[:-1]]
    ends = [float(b) for b in month_bounds[1:]]
    held: list[tuple[float, int]] = []  # (close, AE) of every held slot
    load = [0] * max(max(headcount, default=0), 1)
    fewest: list[tuple[int, int]] = []  # (load, AE) of the AEs present; stale entries skipped
    present = 0
    t = -INF
    for i in np.argsort(qualified, kind="stable").tolist():
        t = max(t, float(qualified[i]))
        while True:
            t = next_open(t)
            if t >= horizon:
                return Acceptances(accepted, owner)
            while held and held[0][0] <= t:
                _, k = heapq.heappop(held)
                load[k] -= 1
                heapq.heappush(fewest, (load[k], k))
            month = bisect.bisect_right(starts, t) - 1
            count = headcount[month]
            for k in range(present, count):
                heapq.heappush(fewest, (load[k], k))
            present = count
            if len(held) < count * max_open:
                break
            t = min(held[0][0] if held else INF, ends[month])
        while fewest[0][1] >= count or fewest[0][0] != load[fewest[0][1]]:
            heapq.heappop(fewest)
        _, k = heapq.heappop(fewest)
        load[k] += 1
        heapq.heappush(fewest, (load[k], k))
        heapq.heappush(held, (t + float(cycle_hours[i]), k))
        accepted[i], owner[i] = t, k
    return Acceptances(accepted, owner)


def win_decay(wait_hours: np.ndarray, half_life_days: float | None) -> np.ndarray:
    """The share of its win chance an opportunity keeps after waiting `wait_hours` for an AE:
    it halves every `half_life_days` (None: it keeps all of it)."""
    wait_hours = np.asarray(wait_hours, dtype=float)
    if half_life_days is None:
        return np.ones_like(wait_hours)
    return 0.5 ** (wait_hours / 24.0 / half_life_days)
