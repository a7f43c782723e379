"""What a team's CRM would have exported, had the simulation been the team (issue 13: proof by
round trip). One replication of a scenario becomes the three tables of a `CrmExport`
(`simulated_export`), and those are written as a profile's files, with the untidiness of real
exports switched on one by one (`write_export`). Reading them back and fitting must find the
scenario again.

How the simulation maps onto the CRM:

- Simulation time is hours from `scenario.start_date` 00:00, read as the wall clock of the team's
  time zone (`calendar.timezone`, UTC when the file has none). Moments are kept to the second and
  money to the cent, as a CRM keeps them.
- leads: every lead that arrived, numbered L000001, L000002, ... in the order they arrived.
  `handed_off_at` is its first handoff (a recycled lead keeps it), `first_attempt_at` its first
  attempt and `contacted_at` its first connect, of any handoff; `attempts` counts every attempt
  made to it, of every handoff, as a CRM's activity counter does. Its owner is the rep of its
  first attempt, or the rep who left it alone, or the one it was moved to (SPEC §9), as "Rep 01".
  `closed_at`, `won` and `amount` are those of its deal once the deal has closed. `score` is the
  model's score when it became an MQL (a hand-raiser's is above 1,000), `fit` its fit.
- deals: one per opportunity, numbered in the order they opened; open at the export date unless
  won or lost by then (with account executives, the AE who took it owns it).
- activities: one call per attempt, at its start, connected or not.
- Nothing after the export date (`as_of`) is in the export; what the CRM cannot see is not in it
  either (a lead gone cold, a handoff nobody picked up: it stays a handed-off lead).

The files take each profile's first header for every field it has (a profile without a column
simply lacks it; without a leads `won` column, a lead's close date is the day it became a
customer), and each CRM's own words for stages, outcomes, flags and lifecycle stages (`WORDS`:
HubSpot's "Closed Won", Salesforce's TRUE/FALSE, Pipedrive's won/lost/open, RD Station's
Portuguese). The untidiness (`Untidy`) draws from named streams of the seed, so one seed writes
the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from sla_sim import interrupts
from sla_sim.atomic import Staged
from sla_sim.crm.fields import FIELDS, LIFECYCLE, Table
from sla_sim.crm.profiles import PROFILES, Profile
from sla_sim.crm.tables import CrmExport
from sla_sim.model.events import Event
from sla_sim.model.leads import LeadDraws
from sla_sim.model.replication import Replication, run_replication
from sla_sim.model.streams import Streams
from sla_sim.model.world import World, build_world
from sla_sim.scenario.schema import Scenario

DEFAULT_TIMEZONE = "UTC"
STATUSES = (
    "lead",
    "mql",
    "rejected",
    "sql",
    "recycled",
    "disqualified",
    "opportunity",
    "customer",
)
"""A lead's lifecycle stage at the export date: not yet an MQL; an MQL Sales has not received
(yet); refused by Sales; handed off and being worked; back in nurture after no contact; closed
without a deal (not reached, or reached and not qualified); an opportunity (open or lost: a
lifecycle stage does not go back); a customer (its deal won)."""
PLACEHOLDER_CLOSE = dt.datetime(2099, 12, 31)
ISO_SECONDS = "%Y-%m-%dT%H:%M:%S"
DAY_FIRST = "%d/%m/%Y %H:%M"
MONTH_FIRST = "%m/%d/%Y %H:%M"
LINE_END = "\r\n"  # as spreadsheets and CRMs write CSV


# -- one replication as the CRM holds it -----------------------------------------------------------


def simulated_export(
    scenario: Scenario,
    *,
    seed: int = 0,
    replication: int = 0,
    as_of: dt.datetime | None = None,
) -> CrmExport:
    """Replication `replication` of the scenario's base (its variants left out) as its CRM would
    hold it at `as_of` (default: the horizon's end), in canonical fields (`crm.tables`).

    `as_of` is wall-clock time in the team's time zone (one with a zone is converted to it); it
    must lie inside the horizon, else ValueError says which moments are allowed."""
    world = build_world(scenario.expand()[0])
    cut = export_date(world, as_of)  # checked before the replication runs
    return export_of(run_replication(world, seed, replication), seed, cut)


def export_date(world: World, as_of: dt.datetime | None = None) -> dt.datetime:
    """The export date of a run of `world`: `as_of` in the team's wall clock (default: the
    horizon's end); ValueError when it lies outside the simulated period."""
    base = world.scenario
    timezone = base.calendar.timezone or DEFAULT_TIMEZONE
    start = dt.datetime.combine(base.scenario.start_date, dt.time())
    end = start + dt.timedelta(hours=world.horizon)
    if as_of is None:
        as_of = end
    elif as_of.tzinfo is not None:
        as_of = pd.Timestamp(as_of).tz_convert(timezone).tz_localize(None).to_pydatetime()
    as_of = as_of.replace(microsecond=0)
    if not start < as_of <= end:
        raise ValueError(
            f"outside the simulated period: the export date must lie after "
            f"{start:%Y-%m-%d %H:%M} and no later than {end:%Y-%m-%d %H:%M} (the horizon's end)"
        )
    return as_of


def exports_of_runs(
    scenario: Scenario, as_of: dt.datetime, seed: int, replications: Sequence[int]
) -> Iterator[tuple[int, CrmExport]]:
    """Each replication of `scenario` as its CRM would hold it at `as_of` (the unit of work of
    the backtest's and the calibration's workers): (replication, export)."""
    world = build_world(scenario)
    with np.errstate(all="ignore"):  # extreme draws overflow; the figures say so, not numpy
        for r in replications:
            interrupts.check()
            yield r, export_of(run_replication(world, seed, r), seed, as_of)


def export_of(run: Replication, seed: int, as_of: dt.datetime) -> CrmExport:
    """A replication that ran as its CRM would hold it at `as_of` (from `export_date`); `seed`
    is the run's, whose streams draw what the CRM shows and the run did not need."""
    base = run.world.scenario
    start = dt.datetime.combine(base.scenario.start_date, dt.time())
    cut = (as_of - start) / dt.timedelta(hours=1)
    tables = _Tables(run, cut, np.datetime64(start, "ns"), seed)
    as_of_stamp = pd.Timestamp(as_of)
    return CrmExport(
        leads=tables.leads(),
        deals=tables.deals(),
        activities=tables.activities(),
        profile="generic",
        detected=False,
        timezone=base.calendar.timezone or DEFAULT_TIMEZONE,
        start=pd.Timestamp(start),
        end=as_of_stamp.ceil("D"),
        as_of=as_of_stamp,
        missing=dict.fromkeys(FIELDS, ()),
    )


def _rep(rep: np.ndarray, prefix: str = "Rep") -> np.ndarray:
    """Reps by name ("Rep 01"); None where there is no rep (-1)."""
    rep = np.asarray(rep, dtype=int)
    names = np.array(
        [None, *(f"{prefix} {r + 1:02d}" for r in range(int(rep.max(initial=-1)) + 1))],
        dtype=object,
    )
    return names[np.maximum(rep, -1) + 1]


def _earliest(
    n: int, lead: np.ndarray, time: np.ndarray, value: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per lead 0..n-1: the time of its earliest row and that row's `value` (nan and -1 where it
    has none)."""
    first_time = np.full(n, np.nan)
    first_value = np.full(n, -1, dtype=value.dtype)
    order = np.lexsort((time, lead))
    leads, at = np.unique(lead[order], return_index=True)
    first_time[leads] = time[order][at]
    first_value[leads] = value[order][at]
    return first_time, first_value


class _Tables:
    """The three tables of one replication cut at `cut` hours."""

    def __init__(self, run: Replication, cut: float, start: np.datetime64, seed: int) -> None:
        self.run, self.cut, self.start = run, cut, start
        self.scenario = run.world.scenario
        leads = run.leads
        self.n = len(leads)
        columns = run.log.columns()
        seen = columns["time"] <= cut
        self.log = {name: values[seen] for name, values in columns.items()}
        arrived = np.flatnonzero(leads.arrival <= cut)
        order = self.order = arrived[np.lexsort((arrived, leads.arrival[arrived]))]
        width = max(6, len(str(len(order))))
        self.lead_id = np.full(self.n, None, dtype=object)
        self.lead_id[order] = [f"L{k + 1:0{width}d}" for k in range(len(order))]
        self._deal = self._deal_facts(seed)

    def _rows(self, *kinds: Event) -> np.ndarray:
        event = self.log["event"]
        mask = event == kinds[0]
        for kind in kinds[1:]:
            mask |= event == kind
        return mask

    def _first(self, *kinds: Event) -> tuple[np.ndarray, np.ndarray]:
        rows = self._rows(*kinds)
        return _earliest(
            self.n, self.log["lead"][rows], self.log["time"][rows], self.log["rep"][rows]
        )

    def moments(self, hours: np.ndarray) -> np.ndarray:
        """Simulation hours as wall-clock moments to the second (NaT where nan)."""
        hours = np.asarray(hours, dtype=float)
        out = np.full(len(hours), np.datetime64("NaT"), dtype="datetime64[ns]")
        known = np.isfinite(hours)
        seconds = np.round(hours[known] * 3600.0).astype("int64")
        out[known] = self.start + seconds.astype("timedelta64[s]")
        return out

    def _deal_facts(self, seed: int) -> dict[str, np.ndarray]:
        """Per opportunity by the cut: lead, opened, closed (nan: open), won, value, AE."""
        log = self.log
        opened = self._rows(Event.OPPORTUNITY)
        lead = log["lead"][opened]
        order = np.lexsort((lead, log["time"][opened]))
        lead, time = lead[order], log["time"][opened][order]
        run = self.run
        streams = Streams(seed, run.replication)
        draws = LeadDraws(self.scenario, run.leads, lead, streams)
        value = np.round(draws.draw("deal_value", self.scenario.deals.deal_value), 2)
        closed_at, outcome = _earliest(
            self.n,
            log["lead"][self._rows(Event.WON, Event.LOST)],
            log["time"][self._rows(Event.WON, Event.LOST)],
            log["event"][self._rows(Event.WON, Event.LOST)].astype(np.int64),
        )
        _, ae = self._first(Event.AE_ACCEPTED)
        return {
            "lead": lead,
            "opened": time,
            "closed": closed_at[lead],
            "won": outcome[lead] == Event.WON,
            "value": value,
            "ae": ae[lead],
        }

    def _owner(self) -> np.ndarray:
        """Each lead's rep: of its first attempt, else the one who left it alone, else the one
        it was moved to (-1: none)."""
        _, owner = self._first(Event.ATTEMPT, Event.CONNECT)
        for kind in (Event.IGNORED, Event.REASSIGNED):
            _, other = self._first(kind)
            owner = np.where(owner >= 0, owner, other)
        return owner

    def _status(self, mql: np.ndarray) -> np.ndarray:
        """Each lead's lifecycle stage at the cut (`STATUSES`)."""
        stage = {
            Event.REJECTED: "rejected",
            Event.HANDOFF: "sql",
            Event.RECYCLED: "recycled",
            Event.DISQUALIFIED: "disqualified",
            Event.NOT_QUALIFIED: "disqualified",
            Event.OPPORTUNITY: "opportunity",
            Event.WON: "customer",
        }
        rank = {kind: i for i, kind in enumerate(stage)}  # ties: the later stage
        rows = self._rows(*stage)
        event = self.log["event"][rows]
        precedence = np.array([rank[Event(e)] for e in event], dtype=float)
        order = np.lexsort((precedence, self.log["time"][rows], self.log["lead"][rows]))
        lead = self.log["lead"][rows][order]
        last = np.r_[lead[1:] != lead[:-1], True] if len(lead) else np.zeros(0, bool)
        status = np.where(np.isfinite(mql), "mql", "lead").astype(object)
        status[lead[last]] = [stage[Event(e)] for e in event[order][last]]
        return status

    def leads(self) -> pd.DataFrame:
        leads, order = self.run.leads, self.order
        names = np.array([s.name for s in self.scenario.sources], dtype=object)
        mql = np.where(leads.mql_time <= self.cut, leads.mql_time, np.nan)
        handed, _ = self._first(Event.HANDOFF)  # the first handoff (episode 0)
        attempt, _ = self._first(Event.ATTEMPT, Event.CONNECT)
        contact, _ = self._first(Event.CONNECT)
        opportunity, _ = self._first(Event.OPPORTUNITY)
        attempts = np.bincount(
            self.log["lead"][self._rows(Event.ATTEMPT, Event.CONNECT)], minlength=self.n
        )
        deal = self._deal
        closed = np.full(self.n, np.nan)
        won = pd.array([None] * self.n, dtype="boolean")
        amount = np.full(self.n, np.nan)
        done = np.isfinite(deal["closed"])
        closed[deal["lead"][done]] = deal["closed"][done]
        won[deal["lead"][done]] = deal["won"][done]
        amount[deal["lead"][done]] = deal["value"][done]
        score = np.where(np.isfinite(mql), np.round(leads.score, 1), np.nan)
        return pd.DataFrame(
            {
                "lead_id": self.lead_id[order],
                "created_at": self.moments(leads.arrival[order]),
                "source": names[leads.source[order]],
                "mql_at": self.moments(mql[order]),
                "handed_off_at": self.moments(handed[order]),
                "owner": _rep(self._owner()[order]),
                "first_attempt_at": self.moments(attempt[order]),
                "attempts": pd.array(attempts[order], dtype="Int64"),
                "contacted_at": self.moments(contact[order]),
                "opportunity_at": self.moments(opportunity[order]),
                "closed_at": self.moments(closed[order]),
                "won": won[order],
                "amount": amount[order],
                "score": score[order],
                "fit": np.round(leads.fit[order], 3),
                "status": self._status(mql)[order],
            }
        )

    def deals(self) -> pd.DataFrame:
        deal = self._deal
        lead = deal["lead"]
        done = np.isfinite(deal["closed"])
        width = max(6, len(str(len(lead))))
        owner = np.where(deal["ae"] >= 0, _rep(deal["ae"], "AE"), _rep(self._owner()[lead]))
        return pd.DataFrame(
            {
                "deal_id": [f"D{k + 1:0{width}d}" for k in range(len(lead))],
                "lead_id": self.lead_id[lead],
                "created_at": self.moments(deal["opened"]),
                "closed_at": self.moments(deal["closed"]),
                "won": pd.array(
                    [bool(w) if d else None for w, d in zip(deal["won"], done, strict=True)],
                    dtype="boolean",
                ),
                "stage": np.where(done, np.where(deal["won"], "won", "lost"), "open"),
                "amount": deal["value"],
                "owner": owner,
            }
        )

    def activities(self) -> pd.DataFrame:
        rows = self._rows(Event.ATTEMPT, Event.CONNECT)
        lead, time = self.log["lead"][rows], self.log["time"][rows]
        order = np.lexsort((lead, time))
        connected = self.log["event"][rows][order] == Event.CONNECT
        return pd.DataFrame(
            {
                "lead_id": self.lead_id[lead[order]],
                "at": self.moments(time[order]),
                "kind": np.full(len(order), "call", dtype=object),
                "outcome": np.where(connected, "connected", "no answer").astype(object),
                "owner": _rep(self.log["rep"][rows][order]),
                "connected": pd.array(connected, dtype="boolean"),
            }
        )


# -- the untidiness of real exports ------------------------------------------------------------------


@dataclass(frozen=True)
class Untidy:
    """What makes a real export untidy, each switched on by its name (`--untidy NAME`)."""

    semicolons: bool = False
    """';' between fields and a decimal comma (even for profiles that write ',')."""
    latin1: bool = False
    """Latin-1 encoding (else the profile's)."""
    bom: bool = False
    """UTF-8 with a byte-order mark."""
    day_first: bool = False
    """Moments written day first (31/01/2027 14:05)."""
    month_first: bool = False
    """Moments written month first (01/31/2027 14:05)."""
    offsets: bool = False
    """Moments in ISO 8601 with a UTC offset: some in the team's zone, the others in UTC ('Z')."""
    empty_rows: bool = False
    """A few rows with every field empty, and blank lines."""
    duplicate_ids: bool = False
    """A few leads and deals listed twice."""
    out_of_order: bool = False
    """A few leads with two lifecycle dates swapped."""
    deals_without_lead: bool = False
    """A few deals with no lead."""
    only_won_deals: bool = False
    """The deals file lists the won deals only."""
    placeholder_close: bool = False
    """Open deals carry a far-future close date (2099-12-31)."""
    renamed_stages: bool = False
    """Deal stages in another case or spacing ("CLOSED WON", " closed  won")."""
    personal_data: bool = False
    """Name, e-mail and phone columns with synthetic values (Lead 17, lead17@example.test,
    +1 555 0117), which a reader must never load."""

    def __post_init__(self) -> None:
        clashes = [
            ("latin1", "bom", "a file has one encoding"),
            ("day_first", "month_first", "a file writes its dates one way"),
            ("offsets", "day_first", "offsets are written in ISO 8601 (year first)"),
            ("offsets", "month_first", "offsets are written in ISO 8601 (year first)"),
        ]
        for a, b, why in clashes:
            if getattr(self, a) and getattr(self, b):
                raise ValueError(f"untidy {a} and {b} cannot be combined: {why}")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def of(cls, names: tuple[str, ...] | list[str]) -> Untidy:
        """The switches named on (ValueError for an unknown name or a clash)."""
        unknown = [name for name in names if name not in cls.names()]
        if unknown:
            raise ValueError(f"unknown untidy {unknown[0]!r}; allowed: {', '.join(cls.names())}")
        return cls(**dict.fromkeys(names, True))

    @property
    def on(self) -> tuple[str, ...]:
        return tuple(name for name in self.names() if getattr(self, name))


# -- each CRM's words ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """How a CRM writes the values of its fields (the headers are the profile's)."""

    won: str
    lost: str
    open: str
    connected: str
    not_connected: str
    call: str
    status: dict[str, str]
    personal: tuple[str, str, str]
    """The headers of a name, an e-mail and a phone."""
    true: str = "true"
    false: str = "false"
    open_flag: str = ""
    """The won flag of an open deal."""


WORDS: dict[str, Words] = {
    "generic": Words(
        "won",
        "lost",
        "open",
        "connected",
        "no answer",
        "call",
        {s: s for s in STATUSES},
        ("first_name", "email", "phone"),
    ),
    "hubspot": Words(
        "Closed Won",
        "Closed Lost",
        "Presentation Scheduled",
        "Connected",
        "No answer",
        "Call",
        {
            "lead": "Lead",
            "mql": "Marketing Qualified Lead",
            "rejected": "Other",
            "sql": "Sales Qualified Lead",
            "recycled": "Lead",
            "disqualified": "Other",
            "opportunity": "Opportunity",
            "customer": "Customer",
        },
        ("First Name", "Email", "Phone Number"),
    ),
    "salesforce": Words(
        "Closed Won",
        "Closed Lost",
        "Proposal/Price Quote",
        "Connected",
        "No Answer",
        "Call",
        {
            "lead": "Open - Not Contacted",
            "mql": "Open - Not Contacted",
            "rejected": "Closed - Not Converted",
            "sql": "Working - Contacted",
            "recycled": "Recycled",
            "disqualified": "Closed - Not Converted",
            "opportunity": "Closed - Converted",
            "customer": "Closed - Converted",
        },
        ("First Name", "Email", "Phone"),
        true="TRUE",
        false="FALSE",
        open_flag="FALSE",  # a checkbox: an open opportunity is not (yet) won
    ),
    "pipedrive": Words(
        "won",
        "lost",
        "open",
        "Connected",
        "No answer",
        "call",
        {
            "lead": "Open",
            "mql": "Open",
            "rejected": "Archived",
            "sql": "Open",
            "recycled": "Archived",
            "disqualified": "Archived",
            "opportunity": "Converted",
            "customer": "Converted",
        },
        ("Person - Name", "Person - Email", "Person - Phone"),
    ),
    "rdstation": Words(
        "Vendida",
        "Perdida",
        "Em andamento",
        "Conectado",
        "Não atendeu",
        "Ligação",
        {
            "lead": "Lead",
            "mql": "Lead Qualificado",
            "rejected": "Lead Qualificado",
            "sql": "Lead Qualificado",
            "recycled": "Lead",
            "disqualified": "Lead Qualificado",
            "opportunity": "Oportunidade",
            "customer": "Cliente",
        },
        ("Nome", "Email", "Telefone"),
        true="Sim",
        false="Não",
    ),
}


# -- the files -----------------------------------------------------------------------------------


class WrittenExport(dict[str, Path]):
    """The files written, by table; `rows` holds the rows each file has below its header (with
    the untidiness: duplicates, empty rows)."""

    def __init__(self, paths: dict[str, Path], rows: dict[str, int]) -> None:
        super().__init__(paths)
        self.rows = rows


def write_export(
    export: CrmExport,
    profile: str,
    folder: Path,
    untidy: Untidy = Untidy(),
    seed: int = 0,
) -> WrittenExport:
    """Write the export as `profile`'s CRM does: leads.csv, deals.csv and activities.csv (the
    tables it has) in `folder`, all together or none (`atomic.Staged`). Each file carries the
    profile's first header for each field it has, its separator, decimal mark, encoding and
    format of moments, unless `untidy` says otherwise; the same seed writes the same bytes.

    ValueError when `profile` is unknown, or a value cannot be written in the file's encoding."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; allowed: {', '.join(PROFILES)}")
    writer = _Writer(PROFILES[profile], WORDS[profile], untidy, seed, export.timezone)
    frames: dict[Table, pd.DataFrame | None] = {
        "leads": export.leads,
        "deals": export.deals,
        "activities": export.activities,
    }
    data: dict[str, bytes] = {}
    rows: dict[str, int] = {}
    for table, frame in frames.items():
        if frame is not None:
            data[table], rows[table] = writer.file(table, frame)
    paths = {name: folder / f"{name}.csv" for name in data}
    with Staged() as staged:
        for name, path in paths.items():
            staged.file(path, _bytes_writer(data[name]))
    return WrittenExport(paths, rows)


def _bytes_writer(data: bytes) -> Callable[[Path], object]:
    return lambda path: path.write_bytes(data)


def _number(value: float, decimals: int, mark: str) -> str:
    if not math.isfinite(value):
        return ""
    text = f"{value:.{decimals}f}"
    if decimals and decimals != 2:  # money keeps its cents; other numbers only what they need
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", mark) if mark != "." else text


class _Writer:
    """One profile's files of one export."""

    def __init__(
        self, profile: Profile, words: Words, untidy: Untidy, seed: int, timezone: str
    ) -> None:
        self.profile, self.words, self.untidy = profile, words, untidy
        self.streams = Streams(seed, 0)
        self.timezone = timezone
        self.separator = ";" if untidy.semicolons else profile.separator
        self.decimal = "," if untidy.semicolons else profile.decimal
        self.encoding = "latin-1" if untidy.latin1 else profile.encoding
        if untidy.bom:
            self.encoding = "utf-8-sig"
        self.time_format = profile.time_format
        if untidy.day_first:
            self.time_format = DAY_FIRST
        if untidy.month_first:
            self.time_format = MONTH_FIRST

    def rng(self, switch: str, table: Table) -> np.random.Generator:
        """The stream of one switch in one file: adding a switch shifts no other."""
        return self.streams.generator(f"untidy.{switch}", table)

    def few(
        self, switch: str, table: Table, candidates: np.ndarray, share: float = 0.02
    ) -> np.ndarray:
        """A few of `candidates` (positions), chosen by the switch's stream, in order."""
        if len(candidates) == 0:
            return candidates
        count = min(len(candidates), max(2, round(share * len(candidates))))
        return np.sort(self.rng(switch, table).choice(candidates, count, replace=False))

    # -- the table in the profile's columns ------------------------------------------------------

    def file(self, table: Table, frame: pd.DataFrame) -> tuple[bytes, int]:
        columns = self.profile.columns(table)
        kept = [f for f in FIELDS[table] if f.name in columns and f.name in frame.columns]
        if table == "leads" and "won" not in columns and {"won", "closed_at"} <= set(frame):
            # Without a won column, a lead's close date is the day it became a customer.
            frame = frame.assign(closed_at=frame["closed_at"].where(frame["won"].fillna(False)))
        frame = frame[[f.name for f in kept]].reset_index(drop=True).copy()
        if table == "leads":
            frame = self._leads_untidy(frame)
        elif table == "deals":
            frame = self._deals_untidy(frame)
        header = [columns[f.name][0] for f in kept]
        cells = {f.name: self._cells(table, f.name, f.kind, frame[f.name]) for f in kept}
        body = pd.DataFrame(cells, dtype=object)
        if table == "leads" and self.untidy.personal_data:
            header, body = self._personal(header, body)
        if table == "deals" and self.untidy.renamed_stages and "stage" in body:
            body["stage"] = self._renamed(body["stage"])
        lines = body.to_numpy().tolist()
        if self.untidy.duplicate_ids and table in ("leads", "deals"):
            lines = self._duplicated(table, lines)
        if self.untidy.empty_rows:
            lines = self._with_empty_rows(table, lines, len(header))
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.separator, lineterminator=LINE_END)
        writer.writerow(header)
        writer.writerows(lines)
        return self._encoded(table, out.getvalue()), len(lines)

    def _encoded(self, table: Table, text: str) -> bytes:
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError as error:
            bad = error.object[error.start : error.end]
            raise ValueError(
                f"{table}.csv: {bad!r} cannot be written in {self.encoding}; rename it in the "
                "scenario or write another encoding"
            ) from None

    def _cells(self, table: Table, name: str, kind: str, values: pd.Series) -> list[str]:
        words = self.words
        if kind == "time":
            return self._moments(table, values)
        if kind == "money":
            return [_number(v, 2, self.decimal) for v in values.astype(float)]
        if kind == "number":
            return [_number(v, 3, self.decimal) for v in values.astype(float)]
        if kind == "count":
            return ["" if pd.isna(v) else str(int(v)) for v in values]
        if kind == "flag":
            none = words.open_flag if table == "deals" else ""
            return [none if pd.isna(v) else words.true if v else words.false for v in values]
        if name == "stage":
            stage = {"won": words.won, "lost": words.lost, "open": words.open}
            return [stage.get(v, v) if isinstance(v, str) else "" for v in values]
        if name == "status":
            return [words.status.get(v, v) if isinstance(v, str) else "" for v in values]
        if name == "outcome":
            said = {"connected": words.connected, "no answer": words.not_connected}
            return [said.get(v, v) if isinstance(v, str) else "" for v in values]
        if name == "kind":
            return [words.call if v == "call" else v if isinstance(v, str) else "" for v in values]
        return ["" if pd.isna(v) else str(v) for v in values]

    def _moments(self, table: Table, values: pd.Series) -> list[str]:
        moments = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
        if not self.untidy.offsets:
            return moments.dt.strftime(self.time_format).fillna("").tolist()
        local = moments.dt.tz_localize(
            self.timezone, ambiguous=np.ones(len(moments), dtype=bool), nonexistent="shift_forward"
        )
        zoned = local.dt.strftime(ISO_SECONDS + "%z").fillna("")
        zoned = zoned.str.replace(r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)
        utc = local.dt.tz_convert("UTC").dt.strftime(ISO_SECONDS + "Z").fillna("")
        in_utc = self.rng("offsets", table).uniform(size=len(moments)) < 0.5
        return np.where(in_utc, utc, zoned).tolist()

    # -- untidiness of the rows ---------------------------------------------------------------------

    def _leads_untidy(self, frame: pd.DataFrame) -> pd.DataFrame:
        if not self.untidy.out_of_order:
            return frame
        moments = [name for name in LIFECYCLE if name in frame]
        values = frame[moments].to_numpy(dtype="datetime64[ns]")
        known = ~np.isnat(values)
        # Leads with two known moments that differ: one pair of neighbours is swapped.
        spread = np.array(
            [len(set(row[ok].tolist())) > 1 for row, ok in zip(values, known, strict=True)],
            dtype=bool,
        )
        chosen = self.few("out_of_order", "leads", np.flatnonzero(spread))
        rng = self.rng("out_of_order.pair", "leads")
        for row in chosen:
            present = np.flatnonzero(known[row])
            pairs = [
                (a, b) for a, b in itertools.pairwise(present) if values[row, a] != values[row, b]
            ]
            a, b = pairs[int(rng.integers(len(pairs)))]
            frame.loc[row, [moments[a], moments[b]]] = [values[row, b], values[row, a]]
        return frame

    def _deals_untidy(self, frame: pd.DataFrame) -> pd.DataFrame:
        untidy = self.untidy
        is_won = frame["won"].fillna(False).to_numpy(dtype=bool) if "won" in frame else None
        if is_won is None and "stage" in frame:
            is_won = (frame["stage"] == "won").to_numpy()
        if untidy.placeholder_close and "closed_at" in frame:
            is_open = (
                frame["won"].isna().to_numpy()
                if "won" in frame
                else (frame["stage"] == "open").to_numpy()
            )
            frame.loc[is_open, "closed_at"] = pd.Timestamp(PLACEHOLDER_CLOSE)
        if untidy.deals_without_lead and "lead_id" in frame:
            chosen = self.few("deals_without_lead", "deals", np.arange(len(frame)))
            frame.loc[chosen, "lead_id"] = None
        if untidy.only_won_deals and is_won is not None:
            frame = frame[is_won].reset_index(drop=True)
        return frame

    def _duplicated(self, table: Table, lines: list[list[str]]) -> list[list[str]]:
        """A few rows listed a second time, further down the file."""
        chosen = self.few("duplicate_ids", table, np.arange(len(lines)))
        rng = self.rng("duplicate_ids.place", table)
        out = list(lines)
        for row in chosen[::-1]:
            place = int(rng.integers(row + 1, len(lines) + 1))
            out.insert(place, list(lines[row]))
        return out

    def _with_empty_rows(self, table: Table, lines: list[list[str]], width: int) -> list[list[str]]:
        """A few rows with every field empty (as a spreadsheet saves them), and blank lines."""
        places = self.few("empty_rows", table, np.arange(len(lines) + 1), share=0.01)
        out = list(lines)
        for k, place in enumerate(places[::-1]):
            out.insert(int(place), [""] * width if k % 2 == 0 else [])
        return [*out, [""] * width]

    def _renamed(self, stages: pd.Series) -> list[str]:
        """Each stage in another case or spacing than the CRM's own."""
        variants: list[Callable[[str], str]] = [
            str.upper,
            str.lower,
            lambda s: f" {s} ",
            lambda s: "  ".join(s.split(" ")) if " " in s else f"{s} ",
            str.title,
        ]
        picks = self.rng("renamed_stages", "deals").integers(len(variants), size=len(stages))
        out = []
        for stage, pick in zip(stages, picks, strict=True):
            for step in range(len(variants)):
                renamed = variants[(pick + step) % len(variants)](stage)
                if renamed != stage:
                    break
            out.append(renamed if stage else stage)
        return out

    def _personal(self, header: list[str], body: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
        """Name, e-mail and phone beside the lead's id, all synthetic: a number per lead, the
        reserved domain example.test and the fictional 555-01xx phone numbers."""
        number = np.arange(1, len(body) + 1)
        name, email, phone = self.words.personal
        body = body.copy()
        body.insert(1, "_name", [f"Lead {k}" for k in number])
        body.insert(2, "_email", [f"lead{k}@example.test" for k in number])
        body.insert(3, "_phone", [f"+1 555 01{k % 100:02d}" for k in number])
        return [header[0], name, email, phone, *header[1:]], body
