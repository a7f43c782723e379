"""Sales' desk as real teams work it (SPEC §9): reps who take new leads only at certain times,
handoffs nobody picks up, and the response target enforced by alerts and reassignment.

`SalesDesk` (desk.py) is the ideal desk of SPEC §2, where a free rep takes the next waiting attempt
at once; a scenario that uses none of §9 runs there, event for event as before. This desk keeps its
draws, its attempts and their outcomes, and changes who takes which attempt when:

- A rep takes a new lead only in lead hours (`LeadHours`: always while open, inside the lead
  blocks, or in a session from a check of the queue until what was waiting at the check is done;
  what arrives meanwhile waits for the next check). An attempt
  holds its rep for its minutes, over the prospecting share when work is interleaved.
- A handoff is ignored with probability `team.ignore_share` (a uniform of the lead's own stream for
  each handoff): it joins no queue, and its episode lapses when its patience or follow-up window
  runs out, unless enforcement rescues it.
- Under enforcement, at `alert_at` of the response target (on the SLA clock) a lead still waiting
  for its first attempt is flagged: it goes ahead of every waiting attempt, is worked even if
  ignored, and any rep out of an attempt takes it, inside or outside lead hours, in open hours; an
  attempt taken from other work is logged as displaced. Under "reassign" a lead still unattempted
  `reassign_after_minutes` after its handoff (and again after each move, up to
  `max_reassignments`) moves to another rep than its owner — the one with the fewest leads waiting
  for them, then the one out of an attempt soonest — who owns it from then on (and takes it in
  their lead hours, or at once when it is alerted).

Attempts are given to reps when they are free, not booked ahead (an alert may overtake any waiting
attempt): each attempt's end wakes its rep, and a wake at the next lead hour waits for reps who
have work they may not take yet.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator

import numpy as np
import simpy

from sla_sim.model.desk import INF, Due, SalesDesk
from sla_sim.model.events import Event, EventLog
from sla_sim.model.leads import Leads
from sla_sim.model.streams import Streams
from sla_sim.model.world import World
from sla_sim.scenario.schema import Scenario

ALERTED_FIRST = 0  # the category of an alerted lead's entry: ahead of every other
SHARED = -1  # the owner of a lead on the team's shared queue
Entry = tuple[int, float, int, int, int]  # (category, key, sequence, row, attempt number)


def needs_team_desk(world: World | Scenario) -> bool:
    """Whether the scenario needs this desk: checks of the queue, enforcement or the new
    priorities. (Lead blocks and ignored handoffs alone run on the ideal desk, whose reps then
    start attempts only in the blocks: the same events, booked ahead.)"""
    scenario = world.scenario if isinstance(world, World) else world
    team, sales = scenario.team, scenario.sla.sales
    return (
        team.lead_work == "checks"
        or sales.enforcement != "none"
        or team.priority in ("new_first", "deadline")
    )


class TeamDesk(SalesDesk):
    """Sales' desk with lead hours, ignored handoffs and enforcement of the response target."""

    def __init__(
        self,
        env: simpy.Environment,
        world: World,
        leads: Leads,
        rows: np.ndarray,
        streams: Streams,
        log: EventLog,
    ) -> None:
        super().__init__(env, world, leads, rows, streams, log)
        scenario = world.scenario
        team, sales = scenario.team, scenario.sla.sales
        self.open_calendar = world.calendar  # alerts are worked in open hours, not only in blocks
        self.mode = team.lead_work
        self.lookahead = False
        self.per_rep = True  # SalesDesk._serve then records when each rep is next free
        # A rep's load here is the entries they hold and the attempt they are in: one more when an
        # entry is pushed or an attempt starts, one less when the entry is taken or moved, or once
        # the attempt has ended (on the heap of ends, as on the ideal desk).
        self.loads_booked = False
        n = len(rows)
        self.enforcement = sales.enforcement
        self.clock_business = sales.clock == "business"
        self.target = sales.first_response_hours
        self.alert_after = sales.alert_share * sales.first_response_hours
        self.reassign_after = (sales.reassign_after_minutes or 0.0) / 60.0
        self.max_reassignments = sales.reassignments_allowed
        self.new_first = self.priority == "new_first"
        self.by_deadline = self.priority == "deadline"

        reps = self.reps
        self.heaps: list[list[Entry]] = [[] for _ in range(reps + 1)]  # reps', then the team's
        self.held = [0] * reps  # valid entries in each rep's own heap (least_loaded)
        self.attempt_end = [0.0] * reps
        self.in_session = [False] * reps
        self.rep_wake = [-INF] * reps  # each rep's pending wake-up
        self.checks = self.mode == "checks"
        self.checked_by = 0  # the last entry queued before the last check
        self.window_at = INF
        self.token = [0] * n  # the sequence number of the lead's one valid entry (0: none)
        self.heap_of = [SHARED] * n
        self.waiting_first = [False] * n
        self.alerted = [False] * n
        self.moves = [0] * n
        self.deadline = [INF] * n
        self.alert_time = [INF] * n
        self.shared = self.routing == "shared_queue"
        self.freed = self._freed

    # -- the queue -------------------------------------------------------------------------------

    def _held(self, rep: int, now: float) -> int:
        return self.held[rep] + (self.attempt_end[rep] > now)

    def _enqueue(self, row: int, number: int) -> None:
        if number == 0:
            self._handed_off(row)
            return
        self._push(row, number)
        self._offer(row)

    def _handed_off(self, row: int) -> None:
        self._start_episode(row)
        self._push(row, 0)
        self._offer(row)

    def _ignore(self, row: int, episode: int) -> None:
        self._start_episode(row)
        self.token[row] = 0
        super()._ignore(row, episode)

    def _start_episode(self, row: int) -> None:
        """A handoff: the lead waits for its first attempt, and its alert and reassignment are
        set on the SLA clock."""
        now = self.env.now
        episode = self.episode[row]
        if self.shared:
            self.owner[row] = SHARED
        self.waiting_first[row] = True
        self.alerted[row] = False
        self.moves[row] = 0
        if self.by_deadline:
            self.deadline[row] = self._sla_after(now, self.target)
        if self.enforcement != "none":
            alert = self._sla_after(now, self.alert_after)
            self.alert_time[row] = alert  # alerted leads go in order of their alerts
            self._at(alert, row, episode, self._alert)
            if self.enforcement == "reassign":
                self._at(self._sla_after(now, self.reassign_after), row, episode, self._reassign)

    def _sla_after(self, moment: float, hours: float) -> float:
        """The moment `hours` of the SLA clock after `moment`."""
        if self.clock_business:
            return self.open_calendar.after_open_hours(moment, hours)
        return moment + hours

    def _at(self, moment: float, row: int, episode: int, callback: Callable[[Due], None]) -> None:
        if moment < self.horizon:
            env = self.env
            Due(env, max(moment - env.now, 0.0), row, episode, callback)

    def _push(self, row: int, number: int) -> None:
        """Put the lead's attempt `number` in its owner's heap (or the team's), replacing any
        entry it had."""
        now = self.env.now
        if self.alerted[row] and number == 0:
            category, key = ALERTED_FIRST, self.alert_time[row]
        else:
            priority = self.priority
            category = 2 if self.new_first and number else 1
            if priority == "newest_first":
                key = -now
            elif priority == "highest_score":
                key = -self.score[row]
            elif self.by_deadline and number == 0:
                key = self.deadline[row]
            else:
                key = now
        if self.token[row]:
            self._forget(row)
        owner = self.owner[row]
        self.seq += 1
        self.token[row] = self.seq
        self.heap_of[row] = owner
        if owner != SHARED:
            self.held[owner] += 1
            if self.least_loaded:
                self.board.add(owner, 1)
        heapq.heappush(self.heaps[owner], (category, key, self.seq, row, number))

    def _forget(self, row: int) -> None:
        """The lead's entry is no longer valid (it is taken, moved or re-queued)."""
        owner = self.heap_of[row]
        if owner != SHARED:
            self.held[owner] -= 1
            if self.least_loaded:
                self.board.add(owner, -1)
        self.token[row] = 0

    def _head(self, heap: list[Entry]) -> Entry | None:
        while heap:
            entry = heap[0]
            if self.token[entry[3]] == entry[2]:
                return entry
            heapq.heappop(heap)
        return None

    def _take(self, rep: int, alerted_only: bool, queued_by: int = -1) -> Entry | None:
        """The best entry rep `rep` may take now (from their own heap or the team's), removed;
        with `queued_by`, only an entry queued by then (its sequence number) or alerted."""
        own, team = self.heaps[rep], self.heaps[SHARED]
        later: list[tuple[list[Entry], Entry]] = []
        while True:
            a, b = self._head(own), self._head(team)
            best, heap = (a, own) if b is None or (a is not None and a < b) else (b, team)
            if best is None or (alerted_only and best[0] != ALERTED_FIRST):
                best = None
                break
            heapq.heappop(heap)
            if queued_by < 0 or best[0] == ALERTED_FIRST or best[2] <= queued_by:
                self._forget(best[3])
                break
            later.append((heap, best))  # queued after the check: it waits for the next one
        for heap, entry in later:
            heapq.heappush(heap, entry)
        return best

    def _has_work(self, rep: int) -> bool:
        return self._head(self.heaps[rep]) is not None or self._head(self.heaps[SHARED]) is not None

    # -- reps ------------------------------------------------------------------------------------

    def _offer(self, row: int) -> None:
        """Someone may take the lead's new entry: its owner, or on the team's queue any rep, the
        one free soonest first."""
        owner = self.heap_of[row]
        if owner != SHARED:
            end = self.attempt_end[owner]
            if end > self.env.now:  # in an attempt: its end wakes them (inlined _work)
                self._wake(owner, end)
            else:
                self._work(owner)
            return
        now = self.env.now
        free_at, attempt_end = self.free_at, self.attempt_end
        for rep in sorted(range(self.reps), key=free_at.__getitem__):
            if not self.token[row]:
                return
            if attempt_end[rep] <= now:
                self._work(rep)
        for rep in range(self.reps):  # not taken yet: whoever ends an attempt first takes it
            if attempt_end[rep] > now:
                self._wake(rep, attempt_end[rep])

    def _work(self, rep: int) -> None:
        """Rep `rep` takes what they may now, one attempt after another."""
        now = self.env.now
        attempt_end, free_at = self.attempt_end, self.free_at
        blocks, checks = self.mode == "blocks", self.checks
        roster = self.roster
        while True:
            if attempt_end[rep] > now:
                self._wake(rep, attempt_end[rep])  # work for them when the attempt ends
                return
            if roster is not None and not roster.present(rep, now):
                back = roster.next_present(rep, now)
                if back == INF:
                    self._release_rep(rep)
                elif self._has_work(rep):
                    self._wake(rep, back)
                return
            # SalesDesk._open_at keeps the interval of the desk's calendar (the lead blocks, or
            # the open hours) that holds `now`, which its _serve then reads for the next due time.
            start = self._open_at(now)
            in_work_hours = start == now
            opening = self.open_calendar.next_open(now) if blocks else start
            if opening > now:
                if self._has_work(rep):
                    self._wake_team(opening)
                return
            free = free_at[rep] <= now
            if not free:
                lead_time = False  # other work interleaved with the last attempt
            elif blocks:
                lead_time = in_work_hours
            elif checks:
                lead_time = self.in_session[rep]
            else:
                lead_time = True
            entry = self._take(rep, not lead_time, self.checked_by if checks else -1)
            if entry is None:
                if lead_time:
                    self.in_session[rep] = False
                elif self._has_work(rep):
                    if free:
                        self._wake_team(self.hours.next_start(now))
                    else:
                        self._wake(rep, free_at[rep])
                return
            row, number = entry[3], entry[4]
            if number == 0:
                self.waiting_first[row] = False
            if now > self.window_end[row] or (number == 0 and now > self.cold_at[row]):
                self._serve(rep, row, number, now)  # the lead is gone: closed, no attempt
                continue
            busy_until = free_at[rep]
            self._serve(rep, row, number, now)
            minutes = self.minutes_flat[self.first_attempt[row] + number]
            end = now + minutes / 60.0
            if roster is not None:  # a new rep takes longer while they ramp
                end = now + minutes / 60.0 / roster.rate(rep, now)
            attempt_end[rep] = end
            if self.least_loaded:
                self.board.add(rep, 1)
                heapq.heappush(self.ends, (end, rep))
            if not free and busy_until > free_at[rep]:
                free_at[rep] = busy_until
            if not lead_time:
                self.log.add(
                    now, self.lead_of[row], Event.DISPLACED, self.episode[row], rep, number, minutes
                )
            if end > now:
                if self._has_work(rep):
                    self._wake(rep, end)
                return

    def _release_rep(self, rep: int) -> None:
        """Rep `rep` has left the team: the leads waiting for them go back to routing."""
        now = self.env.now
        if self._route(now, rep) == rep:
            return  # nobody else will be there: the leads wait out the horizon
        entries = [e for e in self.heaps[rep] if self.token[e[3]] == e[2]]
        for _, _, _, row, number in entries:
            self.owner[row] = self._route(now, rep)
            self._push(row, number)
            self._offer(row)

    def _wake(self, rep: int, moment: float) -> None:
        now = self.env.now
        if now < self.rep_wake[rep] <= moment:
            return
        self.rep_wake[rep] = moment
        Due(self.env, moment - now, rep, 0, self.freed)

    def _freed(self, due: Due) -> None:
        self._work(due.row)

    def _wake_team(self, moment: float) -> None:
        """Wake every rep at `moment` (the next lead hour or opening), once."""
        now = self.env.now
        if moment >= self.horizon or now < self.window_at <= moment:
            return
        self.window_at = moment
        Due(self.env, moment - now, -1, 0, self._team_woken)

    def _team_woken(self, _: Due) -> None:
        now = self.env.now
        if self.window_at <= now + 1e-9:
            self.window_at = INF
        if self.checks and self.hours.is_check(now):
            self.in_session = [True] * self.reps
            self.checked_by = self.seq
        for rep in sorted(range(self.reps), key=self.free_at.__getitem__):
            self._work(rep)

    # -- enforcement -----------------------------------------------------------------------------

    def _waiting(self, due: Due) -> bool:
        """The lead of this alert or reassignment still waits for the episode's first attempt."""
        row = due.row
        return self.episode[row] == due.number and self.waiting_first[row]

    def _alert(self, due: Due) -> None:
        row = due.row
        if not self._waiting(due) or self.alerted[row]:
            return
        self.alerted[row] = True
        now = self.env.now
        owner = self.owner[row]
        self.log.add(now, self.lead_of[row], Event.ALERTED, self.episode[row], rep=owner)
        self._push(row, 0)
        self._offer(row)

    def _reassign(self, due: Due) -> None:
        row = due.row
        if not self._waiting(due):
            return
        owner = self.owner[row]
        now = self.env.now
        roster = self.roster
        others = [
            rep
            for rep in range(self.reps)
            if rep != owner and (roster is None or roster.present(rep, now))
        ]
        if not others:
            return
        held, attempt_end = self.held, self.attempt_end
        to = min(others, key=lambda rep: (held[rep], attempt_end[rep]))
        self.log.add(now, self.lead_of[row], Event.REASSIGNED, self.episode[row], to, owner)
        self.owner[row] = to
        self._push(row, 0)
        self.moves[row] += 1
        if self.moves[row] < self.max_reassignments:
            self._at(self._sla_after(now, self.reassign_after), row, due.number, self._reassign)
        self._offer(row)

    def _lapse(self, due: Due) -> None:
        """An ignored handoff, unless an alert or a reassignment rescued it."""
        row = due.row
        if not self._waiting(due) or self.token[row]:
            return
        self.waiting_first[row] = False
        super()._lapse(due)

    def waiting(self) -> Iterator[tuple[int, int]]:
        for heap in self.heaps:
            for _, _, seq, row, number in heap:
                if self.token[row] == seq:  # the entry still stands
                    yield row, number
