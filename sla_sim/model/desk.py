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
from collections.abc import Callable, Iterator

import numpy as np
import simpy
from simpy.events import NORMAL, EventCallbacks

from sla_sim.model.decay import decay_curves
from sla_sim.model.events import Event, EventLog
from sla_sim.model.lead_hours import LeadHours
from sla_sim.model.leads import RECYCLE_TOUCH_OFFSET, LeadDraws, Leads, time_to_mql
from sla_sim.model.roster import Roster, draw_roster
from sla_sim.model.routing import LoadBoard, RoundRobin
from sla_sim.model.streams import Streams
from sla_sim.model.world import World
from sla_sim.scenario.calendar import Calendar

INF = math.inf
HANDOFF, ATTEMPT, CONNECT = Event.HANDOFF, Event.ATTEMPT, Event.CONNECT
OPPORTUNITY, NOT_QUALIFIED = Event.OPPORTUNITY, Event.NOT_QUALIFIED
LOOKAHEAD_PRIORITIES = ("fifo",)  # priorities under which no later attempt overtakes a waiting one


class Due(simpy.Event):
    """A moment for the lead in row `row` (an ignored handoff's lapse, an alert) or for a rep: a
    Timeout with one callback.

    The team desk makes one per attempt (its reps' wake-ups), so it is scheduled directly, without
    Timeout's check of the delay (never negative here) and the separate callback append; the
    attributes set are those Timeout sets, as SimPy's own Timeout inlines them. (The attempts of a
    cadence are held by `Dues`.)
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


class Dues:
    """Attempts that fall due later, held here rather than as one event each.

    Each is kept as (time, event id, row, attempt number), with the time and the id SimPy would
    have given its own event, so they are worked in the very order the event loop would have taken
    them: a pump event in the loop, at the earliest, works every attempt due before the loop's next
    event (by time, then priority, then id), then leaves a pump at the next. The loop holds more
    than one pump only when an attempt falls due before the pump already there. This reads the
    loop's clock, id counter and heap (`Environment._now`, `_eid`, `_queue`); tests/model/
    test_desk.py fails if SimPy orders its events otherwise.
    """

    def __init__(self, env: simpy.Environment, work: Callable[[int, int], None]) -> None:
        self.env, self.work = env, work
        self.held: list[tuple[float, int, int, int]] = []
        self.pumps: list[tuple[float, int]] = []  # (time, id) of each pump in the event loop
        self.pump = pump = simpy.Event(env)
        pump._ok, pump._value = True, None
        self.callbacks: EventCallbacks = [self._pumped]
        pump.callbacks = self.callbacks

    def add(self, delay: float, row: int, number: int) -> None:
        """Attempt `number` of the lead in row `row` falls due `delay` hours from now."""
        env = self.env
        at = env._now + delay  # where env.schedule would place its event
        eid = next(env._eid)
        heapq.heappush(self.held, (at, eid, row, number))
        pumps = self.pumps
        if not pumps or (at, eid) < pumps[0]:
            heapq.heappush(pumps, (at, eid))
            heapq.heappush(env._queue, (at, NORMAL, eid, self.pump))

    def _pumped(self, _: simpy.Event) -> None:
        self.pump.callbacks = self.callbacks  # the loop took them; the next pump needs them
        pumps, held = self.pumps, self.held
        heapq.heappop(pumps)
        env, work = self.env, self.work
        queue = env._queue
        while held:
            at, eid, row, number = held[0]
            if queue:
                head = queue[0]
                if head[0] < at or (
                    head[0] == at and (head[1] < NORMAL or (head[1] == NORMAL and head[2] < eid))
                ):
                    break
            heapq.heappop(held)
            env._now = at
            work(row, number)
        if held:
            at, eid = held[0][0], held[0][1]
            if not pumps or (at, eid) < pumps[0]:
                heapq.heappush(pumps, (at, eid))
                heapq.heappush(queue, (at, NORMAL, eid, self.pump))


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
        # A team that changes over the year (SPEC §10): each rep is there in their own hours.
        self.roster: Roster | None = None
        self.rep_calendar: list[Calendar] = []
        if team.varies:
            self.roster = draw_roster(scenario, world.calendar, world.month_bounds, streams)
            self.reps = len(self.roster)
            self.rep_calendar = [
                self.roster.working_calendar(self.calendar, rep) for rep in range(self.reps)
            ]
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
        if self.roster is not None:  # keyed by when each can next start
            self.free_heap = sorted(
                (self.rep_calendar[rep].next_open(0.0), rep) for rep in range(self.reps)
            )
        self.free_at = [0.0] * self.reps
        self.lookahead = self.priority in LOOKAHEAD_PRIORITIES
        self.least_loaded = self.routing == "least_loaded"
        # Under least_loaded each rep's load (`_least_loaded`) is kept on a board: one more when an
        # attempt is given to the rep, one less once its booking has ended, which the heap of
        # (busy until, rep) tells when the next lead is routed.
        self.loads_booked = self.least_loaded  # the team desk counts its own way
        self.board = LoadBoard(self.reps)
        self.ends: list[tuple[float, int]] = []
        self.turns = RoundRobin(self.reps)
        self.next_rep = 0  # round robin over a changing team (`_route`)
        self.presence_changes: list[tuple[float, int, bool]] = []
        self.presence_next = 0
        if self.roster is not None and self.least_loaded:
            self.presence_changes = self.roster.presence_changes()
            for rep in range(self.reps):
                self.board.set_present(rep, self.roster.present(rep, 0.0))
        self.wake_time = [INF] * len(self.queues)
        self.owner = [0] * n
        self.seq = 0
        self.open_until = -INF
        self.open_from = INF
        self.dues = Dues(env, self._enqueue)  # the next attempt of each lead's cadence

    # -- arrivals at the desk ------------------------------------------------------------------

    def hand_off(self, row: int, episode: int) -> None:
        now = self.env.now
        self.write(self.pack(now, self.lead_of[row], HANDOFF, episode, -1, 0, 0.0))
        self.episode[row] = episode
        self.first_attempt[row] = row * self.width + episode * self.min_attempts
        self.window_end[row] = now + self.window_hours
        if self.patience is not None:
            self.cold_at[row] = now + self.patience[row * self.episodes + episode]
        if self.roster is not None:
            if self.routing != "shared_queue":
                self.owner[row] = self._route(now)
        elif self.routing == "round_robin":
            self.owner[row] = self.turns.next()
        elif self.least_loaded:
            self.owner[row] = self._least_loaded(now)
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

    def _next_start(self, rep: int, now: float) -> float:
        """When the rep can next start an attempt, in their own working hours (inf: never)."""
        free = self.free_at[rep]
        return self.rep_calendar[rep].next_open(free if free > now else now)

    def _route(self, now: float, current: int = -1) -> int:
        """The owner of a lead routed now, among the reps present who can still take it (round
        robin skips those away, as lead-routing tools do); when nobody can, the rep who can
        start soonest (or the `current` owner, if nobody ever can)."""
        roster = self.roster
        assert roster is not None
        reps = self.reps
        if self.routing == "round_robin":  # the next in turn who can take it
            for k in range(reps):
                rep = (self.next_rep + k) % reps
                if roster.present(rep, now) and self._next_start(rep, now) < INF:
                    self.next_rep = (rep + 1) % reps
                    return rep
        elif self.least_loaded:
            rep = self._least_loaded_there(now)
            if rep >= 0:
                return rep
        else:  # the team desk's own leads of a rep who left a shared queue: the least held
            able = [
                rep
                for rep in range(reps)
                if roster.present(rep, now) and self._next_start(rep, now) < INF
            ]
            if able:
                loads = [self._held(rep, now) for rep in able]
                return able[loads.index(min(loads))]
        starts = [self._next_start(rep, now) for rep in range(reps)]
        soonest = starts.index(min(starts))
        return soonest if starts[soonest] < INF or current < 0 else current

    def _held(self, rep: int, now: float) -> int:  # noqa: ARG002 (the team desk's reads it)
        """Leads waiting for the rep or in an attempt with them (kept on the board)."""
        return self.board.load(rep)

    def _least_loaded_there(self, now: float) -> int:
        """`_least_loaded` over a changing team: the board follows who is there (the roster's
        moments of joining, leaving and days away, applied as they pass), and a rep it offers
        who cannot take the lead now (away, or no working hour left) is passed over."""
        roster = self.roster
        assert roster is not None
        board, changes = self.board, self.presence_changes
        i = self.presence_next
        while i < len(changes) and changes[i][0] <= now:
            board.set_present(changes[i][1], changes[i][2])
            i += 1
        self.presence_next = i
        passed: list[int] = []
        while True:
            rep = self._least_loaded(now)
            if rep < 0 or (roster.present(rep, now) and self._next_start(rep, now) < INF):
                break
            board.set_present(rep, False)
            passed.append(rep)
        for other in passed:
            board.set_present(other, True)
        return rep

    def _least_loaded(self, now: float) -> int:
        """The rep with the fewest leads waiting for them or in an attempt with them now (the
        lowest on a tie): the attempts in their queue, and those booked whose end is after now
        (not started yet, or in progress; a lead found gone is booked from its start to its start).
        """
        ends, board = self.ends, self.board
        while ends and ends[0][0] <= now:
            board.add(heapq.heappop(ends)[1], -1)
        return board.least()

    def _enqueue(self, row: int, number: int) -> None:
        now = self.env.now
        queue = self.owner[row] if self.per_rep else 0
        if self.roster is not None:
            queue = self._owner_there(row, now) if self.per_rep else 0
        if self.loads_booked:
            self.board.add(queue, 1)  # until its booking ends (see _least_loaded)
        heap = self.queues[queue]
        if self.roster is not None:
            if self.lookahead and not heap:
                start, rep = self._slot(queue, now)
                if start < self.horizon:
                    self._serve(rep, row, number, start)
                    return
        elif self.lookahead and not heap:
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

    def _owner_there(self, row: int, now: float) -> int:
        """The lead's owner, or a new one routed now if the owner has left the team (their
        waiting leads go back to routing)."""
        owner = self.owner[row]
        if self._next_start(owner, now) == INF:
            owner = self.owner[row] = self._route(now, owner)
        return owner

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
            if start == INF and self.roster is not None and self.per_rep:
                self._release(queue)
                return
            if start > now and not self.lookahead:
                self._wake(queue, start)
                return
            if start >= self.horizon:
                return  # still waiting when the horizon ends
            _, _, row, number = heapq.heappop(heap)
            self._serve(rep, row, number, start)

    def _slot(self, queue: int, now: float) -> tuple[float, int]:
        """The rep of this queue free soonest, and when they can start (in open hours)."""
        if self.roster is not None:
            return self._slot_in_roster(queue, now)
        free, rep = (self.free_at[queue], queue) if self.per_rep else self.free_heap[0]
        start = free if free > now else now
        if not self.open_from <= start < self.open_until:
            start = self._open_at(start)
        return start, rep

    def _slot_in_roster(self, queue: int, now: float) -> tuple[float, int]:
        """`_slot` for a team that changes: each rep starts in their own working hours; on the
        shared queue the heap holds when each can next start, corrected here for reps whose
        moment passed while they were away."""
        if self.per_rep:
            free = self.free_at[queue]
            return self.rep_calendar[queue].next_open(free if free > now else now), queue
        heap = self.free_heap
        while True:
            start, rep = heap[0]
            if start >= now:
                return start, rep
            start = self.rep_calendar[rep].next_open(now)
            if start == now:
                return start, rep
            heapq.heapreplace(heap, (start, rep))

    def _serve(self, rep: int, row: int, number: int, start: float) -> None:
        """Rep `rep` makes attempt `number` on the lead at `start` (now, or booked for later), logs
        its outcome and schedules the next attempt of the cadence; or finds the lead gone (cold, or
        its window passed) and moves on.

        This runs once per attempt, the hottest path of a run: it reads per-attempt lists made in
        advance and binds attributes to locals rather than calling helpers.
        """
        if start > self.window_end[row] or (number == 0 and start > self.cold_at[row]):
            self._expire(row, number, start)
            if self.loads_booked:
                heapq.heappush(self.ends, (start, rep))
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
                    self.dues.add(due - self.env.now, row, made)
        if self.roster is not None:
            busy_until = self._busy_in_roster(rep, start, hours)
        elif self.per_rep:
            busy_until = start + hours / self.share
            self.free_at[rep] = busy_until
        else:
            busy_until = start + hours / self.share
            heapq.heapreplace(self.free_heap, (busy_until, rep))
        if self.loads_booked:
            heapq.heappush(self.ends, (busy_until, rep))

    def _busy_in_roster(self, rep: int, start: float, hours: float) -> float:
        """Until when an attempt of `hours` from `start` holds the rep: longer while they ramp
        (and on the shared queue, the heap learns when they can next start)."""
        assert self.roster is not None
        busy_until = start + hours / (self.share * self.roster.rate(rep, start))
        self.free_at[rep] = busy_until
        if not self.per_rep:
            heapq.heapreplace(self.free_heap, (self.rep_calendar[rep].next_open(busy_until), rep))
        return busy_until

    def _release(self, queue: int) -> None:
        """The rep of this queue has left the team: what waits for them goes back to routing."""
        now = self.env.now
        if self._route(now, queue) == queue:
            return  # nobody else will be there: the leads wait out the horizon
        heap = self.queues[queue]
        entries = [(row, number) for _, _, row, number in heap]
        heap.clear()
        if self.loads_booked:
            self.board.add(queue, -len(entries))  # counted again with their new owners
        for row, number in entries:
            self.owner[row] = self._route(now, queue)
            self._enqueue(row, number)

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
