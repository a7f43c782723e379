"""Sales' desk, the part of a replication that runs in SimPy: handed-off leads waiting for a rep,
reps working queued attempts, and each attempt's outcome.

Only what competes for the reps runs in the event loop. Leads, their fits and the moment each becomes
an MQL are drawn in bulk beforehand (`leads.py`, `replication.py`); so are the random numbers of each handed-off lead's
attempts, taken from its own streams. In the loop, a handed-off lead waits in the queue for a rep; each
attempt occupies a rep for its minutes (plus the rep's other work, `prospecting_share`), connects or
not according to how long the lead has waited, and schedules the next attempt of the cadence. Reps
start attempts only while the calendar is open. A lead's patience is checked when a rep picks it up,
and deals are closed after the run from the opportunities' own draws (`replication.py`).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Iterator

import numpy as np
import simpy
from simpy.events import NORMAL

from sla_sim.model.decay import decay_curves
from sla_sim.model.events import Event, EventLog
from sla_sim.model.lead_hours import LeadHours
from sla_sim.model.leads import RECYCLE_TOUCH_OFFSET, LeadDraws, Leads, time_to_mql
from sla_sim.model.streams import Streams
from sla_sim.model.world import World

INF = math.inf
HANDOFF, ATTEMPT, CONNECT = Event.HANDOFF, Event.ATTEMPT, Event.CONNECT
OPPORTUNITY, NOT_QUALIFIED = Event.OPPORTUNITY, Event.NOT_QUALIFIED
LOOKAHEAD_PRIORITIES = ("fifo",)  # priorities under which no later attempt overtakes a waiting one


class Due(simpy.Event):
    """Attempt `number` of the lead in row `row` falls due: a Timeout with one callback.

    There is one per attempt, so it is scheduled directly, without Timeout's check of the delay
    (never negative here) and the separate callback append; the attributes set are those Timeout
    sets, as SimPy's own Timeout inlines them.
    """

    def __init__(
        self,
        env: simpy.Environment,
        delay: float,
        row: int,
        number: int,
        callback: Callable[[Due], None],
    ) -> None:
        self.env = env
        self.callbacks = [callback]
        self._value = None
        self._ok = True
        self.row, self.number = row, number
        env.schedule(self, NORMAL, delay)


class SalesDesk:
    """Sales' desk: the queue of due attempts and the reps who work it."""

    def __init__(
        self,
        env: simpy.Environment,
        world: World,
        leads: Leads,
        rows: np.ndarray,
        streams: Streams,
        log: EventLog,
    ) -> None:
        scenario = world.scenario
        self.env, self.log = env, log
        self.horizon = world.horizon
        team, sales, response = scenario.team, scenario.sla.sales, scenario.response
        self.reps = team.reps
        self.share = team.prospecting_share
        # When reps start attempts: the open hours, or only the lead blocks (SPEC §9), worked
        # back to back.
        self.hours = LeadHours(team, world.calendar, self.horizon)
        self.calendar = self.hours.blocks or world.calendar
        if team.lead_work != "interleaved":
            self.share = 1.0
        self.routing, self.priority = team.routing, team.priority
        self.min_attempts = sales.min_attempts
        self.gaps = list(sales.retry_gap_hours)
        self.window_hours = sales.follow_up_window_days * 24.0
        self.recycle = sales.on_no_contact == "recycle"
        self.max_recycles = sales.max_recycles if self.recycle else 0
        last_gap = len(self.gaps) - 1
        # The gap after attempt n of an episode (the last gap repeats).
        self.gap_after = [self.gaps[min(n, last_gap)] for n in range(self.min_attempts)]

        episodes = 1 + self.max_recycles
        self.width = self.min_attempts * episodes
        self.episodes = episodes
        draws = LeadDraws(scenario, leads, rows, streams)
        width_index = np.arange(self.width)
        self.lead_of = rows.tolist()
        self.score = leads.score[rows].tolist()
        # Each attempt's connect draw (and each lead's qualify draw) succeeds while the lead is
        # younger than an age found once here, so the loop compares ages instead of decaying.
        connect_decay, qualify_decay = decay_curves(response)
        self.connects_until = (
            connect_decay.latest_age(draws.uniform("connect", width_index), response.connect_prob)
            .ravel()
            .tolist()
        )
        minutes = draws.draw("attempt_minutes", team.attempt_minutes, width_index)
        self.minutes_flat = minutes.ravel().tolist()
        with np.errstate(divide="ignore"):
            scaled = draws.uniform("qualify") / leads.fit[rows]  # qualify_prob * fit * decay
        self.qualifies_until = qualify_decay.latest_age(scaled, response.qualify_prob).tolist()
        episode_index = np.arange(episodes)
        patience = response.patience_hours
        self.patience = (
            draws.draw("patience", patience, episode_index).ravel().tolist() if patience else None
        )
        self.sync_hours = (
            draws.draw("sync_delay", scenario.handoff.sync_delay_minutes, episode_index) / 60.0
        )
        # Handoffs nobody picks up (SPEC §9): a uniform of the lead's own stream per handoff.
        self.ignore_share = team.ignore_share
        self.ignored_draw = (
            draws.uniform("ignore", episode_index).ravel().tolist()
            if team.ignore_share > 0
            else None
        )
        self.requalify = np.full((len(rows), max(self.max_recycles, 1)), INF)
        for r in range(self.max_recycles):
            for s, spec in enumerate(scenario.sources):
                mask = leads.source[rows] == s
                if not mask.any():
                    continue
                delay, _ = time_to_mql(
                    scenario.nurture,
                    scenario.sla.marketing.mql_threshold,
                    leads.fit[rows[mask]],
                    leads.touch_rate[rows[mask]],
                    streams.key("touch", spec.name),
                    leads.local_id[rows[mask]],
                    touch_offset=RECYCLE_TOUCH_OFFSET * (r + 1),
                    need_touch=True,
                )
                self.requalify[mask, r] = delay

        n = len(rows)
        self.mql_at = leads.mql_time[rows].tolist()
        self.window_end = [INF] * n
        self.cold_at = [INF] * n
        self.episode = [0] * n
        # Where the current episode's first attempt sits in the per-attempt lists, for each lead.
        self.first_attempt = [0] * n
        shared = self.routing == "shared_queue"
        self.per_rep = not shared
        self.pack, self.write = log.pack, log.write
        self.queues: list[list[tuple[float, int, int, int]]] = [
            [] for _ in range(1 if shared else self.reps)
        ]
        # When each rep is next free: a heap of (time, rep) for the shared queue, a list otherwise.
        self.free_heap = [(0.0, rep) for rep in range(self.reps)]
        self.free_at = [0.0] * self.reps
        # (start, busy until) of each rep's attempts not yet over, for least_loaded routing.
        self.booked: list[deque[tuple[float, float]]] = [deque() for _ in range(self.reps)]
        self.lookahead = self.priority in LOOKAHEAD_PRIORITIES
        self.least_loaded = self.routing == "least_loaded"
        self.wake_time = [INF] * len(self.queues)
        self.owner = [0] * n
        self.next_rep = 0
        self.seq = 0
        self.open_until = -INF
        self.open_from = INF
        self.retry = self._retry  # bound once: one callback per attempt

    # -- arrivals at the desk ------------------------------------------------------------------

    def hand_off(self, row: int, episode: int) -> None:
        now = self.env.now
        self.write(self.pack(now, self.lead_of[row], HANDOFF, episode, -1, 0, 0.0))
        self.episode[row] = episode
        self.first_attempt[row] = row * self.width + episode * self.min_attempts
        self.window_end[row] = now + self.window_hours
        if self.patience is not None:
            self.cold_at[row] = now + self.patience[row * self.episodes + episode]
        if self.routing == "round_robin":
            self.owner[row] = self.next_rep
            self.next_rep = (self.next_rep + 1) % self.reps
        elif self.routing == "least_loaded":
            loads = [self._load(rep, now) for rep in range(self.reps)]
            self.owner[row] = loads.index(min(loads))
        draw = self.ignored_draw
        if draw is not None and draw[row * self.episodes + episode] < self.ignore_share:
            self._ignore(row, episode)
            return
        self._enqueue(row, 0)

    def _ignore(self, row: int, episode: int) -> None:
        """Nobody picks the handoff up: it joins no queue, and its episode lapses when its
        patience or its follow-up window runs out."""
        rep = -1 if self.routing == "shared_queue" else self.owner[row]
        self.log.add(self.env.now, self.lead_of[row], Event.IGNORED, episode, rep=rep)
        moment = min(self.cold_at[row], self.window_end[row])
        if moment < self.horizon:
            env = self.env
            Due(env, moment - env.now, row, episode, self._lapse)

    def _lapse(self, due: Due) -> None:
        """An ignored handoff's patience or window has run out: it goes cold, or its follow-up
        window ends without an attempt."""
        row = due.row
        if self.cold_at[row] <= self.window_end[row]:
            self.log.add(self.cold_at[row], self.lead_of[row], Event.COLD, self.episode[row])
        else:
            self._no_contact(row, 0, self.window_end[row])

    def _load(self, rep: int, now: float) -> int:
        """Leads waiting for this rep or in an attempt with them now."""
        booked = self.booked[rep]
        while len(booked) > 1 and booked[1][0] <= now:
            booked.popleft()
        if booked and booked[0][0] <= now and booked[0][1] <= now:
            booked.popleft()
        waiting = sum(1 for start, _ in booked if start > now)
        return len(self.queues[rep]) + waiting + (len(booked) > waiting)

    def _enqueue(self, row: int, number: int) -> None:
        now = self.env.now
        queue = self.owner[row] if self.per_rep else 0
        heap = self.queues[queue]
        if self.lookahead and not heap:
            # Nobody waits ahead of it (fifo books every attempt at once): straight to the rep
            # free soonest, without passing through the queue (`_slot`, inlined: once per attempt).
            free, rep = (self.free_at[queue], queue) if self.per_rep else self.free_heap[0]
            start = free if free > now else now
            if not self.open_from <= start < self.open_until:
                start = self._open_at(start)
            if start < self.horizon:
                self._serve(rep, row, number, start)
                return
        priority = self.priority
        if priority == "fifo":
            key = now
        elif priority == "newest_first":
            key = -now
        else:
            key = -self.score[row]
        self.seq += 1
        heapq.heappush(heap, (key, self.seq, row, number))
        self._dispatch(queue)

    def _retry(self, due: Due) -> None:
        self._enqueue(due.row, due.number)

    # -- reps ----------------------------------------------------------------------------------

    def _open_at(self, t: float) -> float:
        """`t` when the calendar is open then, else the next opening."""
        if self.open_from <= t < self.open_until:
            return t
        calendar = self.calendar
        if calendar.always_open:
            self.open_from, self.open_until = -INF, INF
            return t
        t = calendar.next_open(t)
        if t < INF:
            self.open_from, self.open_until = calendar.current_interval(t)
        return t

    def _dispatch(self, queue: int) -> None:
        """Give waiting attempts to reps: each to the rep free soonest, in open hours only.

        A rep is free once the time it is busy until has passed. Under fifo nothing that falls due
        later can overtake a waiting attempt, so its start is known now (the rep's free time, or
        the next opening) and it is booked at once: no event is needed when the rep frees up.
        Under the other priorities a newer or better lead may still arrive, so the desk waits for
        that moment (one wake-up) and decides then.
        """
        heap = self.queues[queue]
        now = self.env.now
        while heap:
            start, rep = self._slot(queue, now)
            if start > now and not self.lookahead:
                self._wake(queue, start)
                return
            if start >= self.horizon:
                return  # still waiting when the horizon ends
            _, _, row, number = heapq.heappop(heap)
            self._serve(rep, row, number, start)

    def _slot(self, queue: int, now: float) -> tuple[float, int]:
        """The rep of this queue free soonest, and when they can start (in open hours)."""
        free, rep = (self.free_at[queue], queue) if self.per_rep else self.free_heap[0]
        start = free if free > now else now
        if not self.open_from <= start < self.open_until:
            start = self._open_at(start)
        return start, rep

    def _serve(self, rep: int, row: int, number: int, start: float) -> None:
        """Rep `rep` makes attempt `number` on the lead at `start` (now, or booked for later), logs
        its outcome and schedules the next attempt of the cadence; or finds the lead gone (cold, or
        its window passed) and moves on.

        This runs once per attempt, the hottest path of a run: it reads per-attempt lists made in
        advance and binds attributes to locals rather than calling helpers.
        """
        if start > self.window_end[row] or (number == 0 and start > self.cold_at[row]):
            self._expire(row, number, start)
            if self.least_loaded:
                self.booked[rep].append((start, start))
            return
        episode = self.episode[row]
        j = self.first_attempt[row] + number
        age = start - self.mql_at[row]
        connected = age < self.connects_until[j]
        lead = self.lead_of[row]
        minutes = self.minutes_flat[j]
        hours = minutes / 60.0
        write, pack = self.write, self.pack
        kind = CONNECT if connected else ATTEMPT
        write(pack(start, lead, kind, episode, rep, number, minutes))
        if connected:
            kind = OPPORTUNITY if age < self.qualifies_until[row] else NOT_QUALIFIED
            write(pack(start, lead, kind, episode, -1, 0, 0.0))
        else:
            made = number + 1
            if made >= self.min_attempts:
                self._no_contact(row, made, start + hours)
            else:
                due = start + self.gap_after[number]
                if not self.open_from <= due < self.open_until:  # else open: skip the lookup
                    due = self.calendar.next_open(due)
                if due > self.window_end[row]:
                    self._no_contact(row, made, start + hours)
                elif due < self.horizon:
                    env = self.env
                    Due(env, due - env.now, row, made, self.retry)
        busy_until = start + hours / self.share
        if self.per_rep:
            self.free_at[rep] = busy_until
        else:
            heapq.heapreplace(self.free_heap, (busy_until, rep))
        if self.least_loaded:
            self.booked[rep].append((start, busy_until))

    def _wake(self, queue: int, moment: float) -> None:
        if moment >= self.wake_time[queue] or moment >= self.horizon:
            return
        self.wake_time[queue] = moment
        self.env.timeout(moment - self.env.now, queue).callbacks.append(self._woken)

    def _woken(self, event: simpy.Event) -> None:
        queue: int = event.value  # type: ignore[assignment]
        if self.wake_time[queue] == self.env.now:
            self.wake_time[queue] = INF
        self._dispatch(queue)

    def _expire(self, row: int, number: int, start: float) -> None:
        """Close the lead's episode found gone at `start`: cold before its first attempt, or past
        its follow-up window."""
        if number == 0 and start > self.cold_at[row]:
            self.log.add(self.cold_at[row], self.lead_of[row], Event.COLD, self.episode[row])
        else:
            self._no_contact(row, number, self.window_end[row])

    # -- leaving the desk ----------------------------------------------------------------------

    def _no_contact(self, row: int, attempts: int, moment: float, schedule: bool = True) -> None:
        lead, episode = self.lead_of[row], self.episode[row]
        self.log.add(moment, lead, Event.NO_CONTACT, episode, number=attempts)
        if episode >= self.max_recycles:
            self.log.add(moment, lead, Event.DISQUALIFIED, episode)
            return
        self.log.add(moment, lead, Event.RECYCLED, episode)
        back = moment + self.requalify[row, episode]
        handoff = back + self.sync_hours[row, episode + 1]
        if schedule and handoff < self.horizon:
            # An episode found expired when a rep picks it up closed in the past.
            delay = max(handoff - self.env.now, 0.0)
            self.env.timeout(delay, (row, episode + 1, back)).callbacks.append(self._hand_back)

    def _hand_back(self, event: simpy.Event) -> None:
        row, episode, back = event.value  # type: ignore[misc]
        self.mql_at[row] = back
        self.hand_off(row, episode)

    def waiting(self) -> Iterator[tuple[int, int]]:
        """(row, attempt number) of every attempt still waiting in a queue."""
        for heap in self.queues:
            for _, _, row, number in heap:
                yield row, number

    def close_books(self) -> None:
        """At the horizon: leads left in a queue whose patience or window ran out are closed."""
        for row, number in self.waiting():
            if number == 0 and self.cold_at[row] < self.horizon:
                self.log.add(self.cold_at[row], self.lead_of[row], Event.COLD, self.episode[row])
            elif self.window_end[row] < self.horizon:
                self._no_contact(row, number, self.window_end[row], schedule=False)
