"""One replication: the leads drawn in bulk, handed off to the desk as they reach Sales, the event
loop run to the horizon, and the deals closed from the opportunities' own draws."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from sla_sim.model.ae_tier import accept_opportunities, win_decay
from sla_sim.model.desk import SalesDesk
from sla_sim.model.events import Event, EventLog
from sla_sim.model.leads import LeadDraws, Leads, draw_leads
from sla_sim.model.roster import Roster
from sla_sim.model.streams import Streams
from sla_sim.model.team_desk import TeamDesk, needs_team_desk
from sla_sim.model.world import World
from sla_sim.scenario.schema import AccountExecutives, headcount_by_month


@dataclass
class Replication:
    """What one replication produced: its leads, its event log, and its team over the year
    (None when the team does not change, SPEC §10)."""

    world: World
    replication: int
    leads: Leads
    log: EventLog
    roster: Roster | None = None

    def measured_as(self, world: World) -> Replication:
        """The same run measured under another scenario that differs only in MEASURED_ONLY
        keys (the events are the same; the deadlines and commitments they are held to differ)."""
        return Replication(world, self.replication, self.leads, self.log, self.roster)


class LeadArrivals:
    """Handed-off leads reach Sales one after another (first handoffs; recycles come back later).

    Each lead's arrival is scheduled when the previous one arrives, as a SimPy process yielding
    timeouts would do (same moments, same order of events), but as a chain of callbacks: there is
    one per lead, and a process costs a generator resumption on top of each timeout.
    """

    def __init__(
        self,
        env: simpy.Environment,
        times: list[float],
        rows: list[int],
        arrive: Callable[[int, int], None],
    ) -> None:
        self.env, self.times, self.rows, self.arrive = env, times, rows, arrive
        self.next = 0
        self._schedule()

    def _schedule(self) -> None:
        i = self.next
        if i < len(self.times):
            env = self.env
            env.timeout(self.times[i] - env.now, self.rows[i]).callbacks.append(self._arrived)
            self.next = i + 1

    def _arrived(self, event: simpy.Event) -> None:
        self.arrive(event.value, 0)  # type: ignore[arg-type]
        self._schedule()


def close_deals(world: World, leads: Leads, log: EventLog, streams: Streams) -> None:
    """Each opportunity closes after its cycle, won with probability `win_prob * fit`; with
    account executives (`[ae]`), the cycle starts when an AE accepts it, and the chance decays
    while it waits (`ae.win_half_life_days`)."""
    columns = log.columns()
    opportunity = columns["event"] == Event.OPPORTUNITY
    if not opportunity.any():
        return
    lead = columns["lead"][opportunity].copy()
    opened = columns["time"][opportunity].copy()
    episode = columns["episode"][opportunity].copy()
    deals = world.scenario.deals
    draws = LeadDraws(world.scenario, leads, lead, streams)
    if world.scenario.ae is not None:
        _close_accepted_deals(world, world.scenario.ae, leads, log, draws, lead, opened, episode)
        return
    closes = opened + draws.draw("cycle_days", deals.cycle_days) * 24.0
    won = draws.uniform("win") < deals.win_prob * leads.fit[lead]
    value = draws.draw("deal_value", deals.deal_value)
    for i in range(len(lead)):
        if closes[i] > world.horizon:
            log.add(world.horizon, int(lead[i]), Event.PIPELINE, int(episode[i]), value=value[i])
        elif won[i]:
            log.add(closes[i], int(lead[i]), Event.WON, int(episode[i]), value=value[i])
        else:
            log.add(closes[i], int(lead[i]), Event.LOST, int(episode[i]))


def _close_accepted_deals(
    world: World,
    ae: AccountExecutives,
    leads: Leads,
    log: EventLog,
    draws: LeadDraws,
    lead: np.ndarray,
    opened: np.ndarray,
    episode: np.ndarray,
) -> None:
    """The deals of the opportunities an AE accepts (the same draws as without AEs); the others
    are still waiting at the horizon."""
    scenario, horizon = world.scenario, world.horizon
    deals = scenario.deals
    cycle = draws.draw("cycle_days", deals.cycle_days) * 24.0
    headcount = headcount_by_month(ae.reps, ae.changes, scenario.scenario.months)
    accepted, owner = accept_opportunities(
        opened,
        cycle,
        headcount,
        ae.max_open_opportunities,
        world.month_bounds,
        world.calendar.next_open,
    )
    waited = np.where(np.isfinite(accepted), accepted, horizon) - opened
    chance = deals.win_prob * leads.fit[lead] * win_decay(waited, ae.win_half_life_days)
    won = draws.uniform("win") < chance
    value = draws.draw("deal_value", deals.deal_value)
    closes = accepted + cycle
    for i in range(len(lead)):
        who, what = int(lead[i]), int(episode[i])
        if not accepted[i] < horizon:
            log.add(horizon, who, Event.AE_WAITING, what, value=waited[i])
            continue
        log.add(accepted[i], who, Event.AE_ACCEPTED, what, int(owner[i]), value=waited[i])
        if closes[i] > horizon:
            log.add(horizon, who, Event.PIPELINE, what, value=value[i])
        elif won[i]:
            log.add(closes[i], who, Event.WON, what, value=value[i])
        else:
            log.add(closes[i], who, Event.LOST, what)


def run_replication(
    world: World, seed: int, replication: int, desk: type[SalesDesk] | None = None
) -> Replication:
    """Simulate one replication of the world's scenario over its horizon (on the desk its
    scenario needs, unless `desk` says which)."""
    scenario = world.scenario
    streams = Streams(seed, replication)
    leads = draw_leads(scenario, world.calendar, world.month_bounds, streams)
    log = EventLog()
    horizon = world.horizon

    mql = np.flatnonzero(leads.mql_time < horizon)
    first_sync = LeadDraws(scenario, leads, mql, streams).draw(
        "sync_delay", scenario.handoff.sync_delay_minutes, np.arange(1)
    )[:, 0]
    reach = leads.mql_time[mql] + first_sync / 60.0
    arrived = reach < horizon
    accepted = leads.fit[mql] >= scenario.handoff.accept_min_fit
    for lead, moment in zip(mql[arrived & ~accepted], reach[arrived & ~accepted], strict=True):
        log.add(float(moment), int(lead), Event.REJECTED)
    rows = mql[arrived & accepted]
    times = reach[arrived & accepted]

    env = simpy.Environment()
    kind = desk or (TeamDesk if needs_team_desk(world) else SalesDesk)
    sales = kind(env, world, leads, rows, streams, log)
    order = np.argsort(times, kind="stable")
    LeadArrivals(env, times[order].tolist(), order.tolist(), sales.hand_off)
    env.run(until=horizon)
    sales.close_books()
    close_deals(world, leads, log, streams)
    return Replication(world, replication, leads, log, sales.roster)
