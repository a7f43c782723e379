"""The leads of one replication, drawn in bulk: arrivals, fit, hand-raising and nurture scoring.

Nothing here competes for the reps, so it needs no event loop: each source's arrivals come from a
non-homogeneous Poisson process (a unit-rate process mapped through the cumulative intensity), and
each nurtured lead's score path is followed touch by touch, all leads at once, to the moment it
reaches the MQL threshold. Lead k of a source draws from its own counter-based streams, so it is the
same lead in every scenario that shares the market.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sla_sim.model.streams import Streams, hashed_uniform
from sla_sim.scenario.calendar import Calendar
from sla_sim.scenario.distributions import Distribution
from sla_sim.scenario.schema import Nurture, Scenario, Source

HOURS_PER_WEEK = 168.0
INF = np.inf
RECYCLE_TOUCH_OFFSET = 1_000_000  # touch indexes of a recycled lead's later nurture rounds


@dataclass
class Leads:
    """One row per lead, all sources together, in source order then arrival order."""

    source: np.ndarray  # int: index into scenario.sources
    local_id: np.ndarray  # int: k, the lead's number within its source
    arrival: np.ndarray  # hours
    fit: np.ndarray
    hand_raiser: np.ndarray  # bool
    touch_rate: np.ndarray  # touches per week
    mql_time: np.ndarray  # hours; inf when the lead never qualifies
    score: np.ndarray  # score when it became an MQL (hand-raisers rank above any score)

    def __len__(self) -> int:
        return len(self.arrival)


def cumulative_intensity(
    source: Source, calendar: Calendar, month_bounds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Knots (hours, expected arrivals so far) of the source's piecewise-linear cumulative intensity."""
    months = len(month_bounds) - 1
    per_month = source.leads_per_month * (1.0 + source.growth_per_month) ** np.arange(months)
    horizon = month_bounds[-1]
    if source.arrival == "flat" or calendar.always_open:
        counts = np.concatenate(([0.0], np.cumsum(per_month)))
        return month_bounds.copy(), counts
    inside = (calendar.starts < horizon) & (calendar.ends > 0)
    edges = np.concatenate((calendar.starts[inside], np.minimum(calendar.ends[inside], horizon)))
    knots = np.unique(np.concatenate((month_bounds, edges)))
    mids = (knots[:-1] + knots[1:]) / 2
    month = np.searchsorted(month_bounds, mids, side="right") - 1
    i = np.searchsorted(calendar.starts, mids, side="right") - 1
    is_open = (i >= 0) & (mids < calendar.ends[np.maximum(i, 0)])
    widths = np.diff(knots)
    open_hours = np.bincount(month, weights=widths * is_open, minlength=months)
    closed_hours = np.bincount(month, weights=widths * ~is_open, minlength=months)
    share = source.business_share
    # A month with no open hour (or no closed hour) spreads all of its leads over the other kind.
    open_rate = np.where(
        open_hours > 0,
        per_month * np.where(closed_hours > 0, share, 1.0) / np.maximum(open_hours, 1e-12),
        0.0,
    )
    closed_rate = np.where(
        closed_hours > 0,
        per_month * np.where(open_hours > 0, 1 - share, 1.0) / np.maximum(closed_hours, 1e-12),
        0.0,
    )
    rate = np.where(is_open, open_rate[month], closed_rate[month])
    return knots, np.concatenate(([0.0], np.cumsum(rate * widths)))


def arrival_times(
    source: Source, calendar: Calendar, month_bounds: np.ndarray, streams: Streams
) -> np.ndarray:
    """Arrival hours of one source over the horizon (lead k takes the k-th point of its stream)."""
    knots, counts = cumulative_intensity(source, calendar, month_bounds)
    total = counts[-1]
    if total <= 0:
        return np.zeros(0)
    key = streams.key("arrival", source.name)
    size = int(total + 6 * np.sqrt(total) + 16)
    while True:
        gaps = -np.log(hashed_uniform(key, np.arange(size)))
        points = np.cumsum(gaps)
        if points[-1] >= total:
            break
        size *= 2
    points = points[points < total]
    return np.interp(points, counts, knots)


def time_to_mql(
    nurture: Nurture,
    threshold: float,
    fit: np.ndarray,
    touch_rate: np.ndarray,
    key: np.uint64,
    ids: np.ndarray,
    touch_offset: int = 0,
    need_touch: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Hours from the start of nurture until each lead's score reaches `threshold` (inf: never).

    The score is `fit * fit_points` plus `points_per_touch` for each engagement touch, fading with
    `points_half_life_days`; touches come as a Poisson process at the lead's own rate. The score only
    jumps at touches, so the first touch that lifts it over the threshold is the moment of the MQL.
    With `need_touch`, the lead must show new interest (a recycled lead starts from zero engagement).
    """
    n = len(fit)
    base = fit * nurture.fit_points
    delay = np.full(n, INF)
    score = np.zeros(n)
    if not need_touch:
        ready = base >= threshold
        delay[ready] = 0.0
        score[ready] = base[ready]
    window = nurture.max_days * 24.0
    half_life = nurture.points_half_life_days * 24.0
    position = np.flatnonzero(np.isinf(delay) & (touch_rate > 0) & (nurture.points_per_touch > 0))
    hourly = touch_rate[position] / HOURS_PER_WEEK
    lead_ids, lead_base = ids[position], base[position]
    clock = np.zeros(len(position))
    points = np.zeros(len(position))
    k = 0
    while len(position):
        gap = -np.log(hashed_uniform(key, lead_ids, touch_offset + k)) / hourly
        clock = clock + gap
        points = points * np.exp2(-gap / half_life) + nurture.points_per_touch
        alive = clock <= window
        hit = alive & (lead_base + points >= threshold)
        delay[position[hit]] = clock[hit]
        score[position[hit]] = lead_base[hit] + points[hit]
        keep = alive & ~hit
        position, hourly, lead_ids, lead_base = (
            position[keep],
            hourly[keep],
            lead_ids[keep],
            lead_base[keep],
        )
        clock, points = clock[keep], points[keep]
        k += 1
    return delay, score


HAND_RAISER_SCORE = 1_000.0


def draw_leads(
    scenario: Scenario, calendar: Calendar, month_bounds: np.ndarray, streams: Streams
) -> Leads:
    """Every lead of the horizon, with the moment it becomes an MQL."""
    parts: list[dict[str, np.ndarray]] = []
    threshold = scenario.sla.marketing.mql_threshold
    for index, source in enumerate(scenario.sources):
        arrival = arrival_times(source, calendar, month_bounds, streams)
        n = len(arrival)
        ids = np.arange(n)
        fit = np.clip(source.fit.sample(streams.generator("fit", source.name), n), 0.0, 1.0)
        hand_raiser = streams.uniform("hand_raiser", source.name, ids) < source.hand_raiser_share
        rate = scenario.nurture.touches_per_week.sample(
            streams.generator("touches", source.name), n
        )
        # Hand-raisers skip nurture; each other lead's path depends only on its own draws.
        delay = np.zeros(n)
        score = HAND_RAISER_SCORE + fit * scenario.nurture.fit_points
        nurtured = np.flatnonzero(~hand_raiser)
        delay[nurtured], score[nurtured] = time_to_mql(
            scenario.nurture,
            threshold,
            fit[nurtured],
            rate[nurtured],
            streams.key("touch", source.name),
            nurtured,
        )
        parts.append(
            {
                "source": np.full(n, index),
                "local_id": ids,
                "arrival": arrival,
                "fit": fit,
                "hand_raiser": hand_raiser,
                "touch_rate": rate,
                "mql_time": arrival + delay,
                "score": score,
            }
        )
    return Leads(**{field: np.concatenate([p[field] for p in parts]) for field in parts[0]})


class LeadDraws:
    """Random numbers of the leads that reach Sales, one row per lead, from each lead's own streams."""

    def __init__(
        self, scenario: Scenario, leads: Leads, rows: np.ndarray, streams: Streams
    ) -> None:
        self._scenario, self._leads, self._rows, self._streams = scenario, leads, rows, streams

    def uniform(self, name: str, index: np.ndarray | int = 0) -> np.ndarray:
        """Uniforms for the rows (shape (rows,) or (rows, len(index)))."""
        index = np.asarray(index)
        shape = (len(self._rows), *index.shape)
        out = np.empty(shape)
        source = self._leads.source[self._rows]
        for s, spec in enumerate(self._scenario.sources):
            mask = source == s
            if mask.any():
                local = self._leads.local_id[self._rows[mask]]
                if index.ndim:
                    local = local[:, None]
                out[mask] = self._streams.uniform(name, spec.name, local, index)
        return out

    def draw(self, name: str, dist: Distribution, index: np.ndarray | int = 0) -> np.ndarray:
        return dist.ppf(self.uniform(name, index))
