"""A CRM export as read: its three tables in canonical fields, the period, and what was refused.

The reader (`crm.read`) fills a `CrmExport`; calibration, the backtest and the review read only
this. Conventions of the frames:

- columns are canonical field names (`crm.fields`), only those found (see `missing`);
- ids are strings (`lead_id`, `deal_id`);
- moments are `datetime64[ns]` without a zone, as wall-clock time in `timezone` (a timestamp with
  an offset is converted to it; one without is taken as already in it), NaT where empty;
- `won` is a nullable boolean (pandas "boolean"); counts are nullable integers ("Int64"); money
  and numbers floats;
- `leads` has one row per lead (duplicates merged, see the notes); `deals` one row per deal;
  `activities` one row per attempt, sorted by `at`;
- `deals.won` is read from a won flag or from the stage (the profile's won and lost stages; any
  other stage is open, `won` missing); an open deal has no `closed_at`;
- `activities.connected` (nullable boolean) says whether the attempt reached the lead, read from
  `outcome` by the profile's connected outcomes (only where `outcome` was read).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sla_sim.crm.fields import Table


@dataclass(frozen=True)
class ReadNote:
    """Rows of a file that could not be used as they are, and what was done with them."""

    file: str
    column: str | None
    what: str
    rows: tuple[int, ...]
    """Row numbers as a spreadsheet shows them (the header is row 1), the first few."""
    count: int

    def message(self) -> str:
        where = f"{self.file}, column {self.column!r}" if self.column else self.file
        shown = ", ".join(str(r) for r in self.rows)
        more = f" and {self.count - len(self.rows)} more" if self.count > len(self.rows) else ""
        rows = f" (rows {shown}{more})" if self.rows else ""
        return f"{where}: {self.count:,} row{'s' if self.count != 1 else ''} {self.what}{rows}"


class ExportError(Exception):
    """An export that cannot be used; `problems` holds one line per problem, each naming the
    file, the column and the rows."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CrmExport:
    leads: pd.DataFrame
    deals: pd.DataFrame | None
    activities: pd.DataFrame | None
    profile: str
    """The profile that read the files; `detected` says whether `auto` chose it."""
    detected: bool
    timezone: str
    start: pd.Timestamp
    """The period: leads created in [start, end), as `--from` and `--to` say (default: the
    first lead's day and the day after `as_of`)."""
    end: pd.Timestamp
    as_of: pd.Timestamp
    """The export date: open deals and unanswered leads are censored here."""
    missing: dict[Table, tuple[str, ...]]
    """Canonical fields not found in each file read."""
    notes: tuple[ReadNote, ...] = field(default=())
    files: dict[Table, str] = field(default_factory=dict)
    """The name (not the path) of each file read."""
    deals_only_won: bool = False
    """The deals file lists only won deals (no lost, no open): the win probability cannot be
    read from the deals alone."""

    def has(self, table: Table, name: str) -> bool:
        frame = {"leads": self.leads, "deals": self.deals, "activities": self.activities}[table]
        return frame is not None and name in frame.columns
