"""The canonical fields of a CRM export (SPEC §11): what sla_sim reads from each file.

Three tables. `leads`, one row a lead or contact (required); `deals`, one row a deal; and
`activities`, one row an attempt (both optional). Every profile (`crm.profiles`) maps its own
column names onto these; `--map FIELD=COLUMN` overrides a profile (`deals.FIELD` and
`activities.FIELD` for the other two tables).

Only these fields are ever read: a name, an e-mail or a phone number is not a field, so its
column is never loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "time", "text", "count", "money", "number", "flag"]
Table = Literal["leads", "deals", "activities"]
TABLES: tuple[Table, ...] = ("leads", "deals", "activities")


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    meaning: str


LEAD_FIELDS = (
    Field("lead_id", "id", "the lead's or contact's id in the CRM (required)"),
    Field("created_at", "time", "when the lead entered the CRM (required, or mql_at)"),
    Field("source", "text", "where the lead came from (its original source)"),
    Field("mql_at", "time", "when it became a marketing qualified lead"),
    Field("handed_off_at", "time", "when Sales received it (or the owner was assigned)"),
    Field("owner", "text", "the rep who owns it"),
    Field("first_attempt_at", "time", "Sales' first attempt (first engagement)"),
    Field("attempts", "count", "attempts (sales activities) made"),
    Field("contacted_at", "time", "when Sales first reached the lead"),
    Field("opportunity_at", "time", "when it became an opportunity"),
    Field("closed_at", "time", "when its deal closed"),
    Field("won", "flag", "whether its deal was won"),
    Field("amount", "money", "the value of its deal"),
    Field("score", "number", "its lead score"),
    Field("fit", "number", "its fit with the ideal customer, 0 to 1"),
    Field("status", "text", "its lifecycle stage or lead status"),
)
DEAL_FIELDS = (
    Field("deal_id", "id", "the deal's id"),
    Field("lead_id", "id", "the lead or contact the deal came from"),
    Field("created_at", "time", "when the deal (opportunity) was created"),
    Field("closed_at", "time", "when it closed (open deals: empty or a placeholder)"),
    Field("won", "flag", "whether it was won"),
    Field("stage", "text", "its stage (read as won, lost or open where `won` is missing)"),
    Field("amount", "money", "its value"),
    Field("owner", "text", "the rep who owns it"),
)
ACTIVITY_FIELDS = (
    Field("lead_id", "id", "the lead or contact the attempt was made to"),
    Field("at", "time", "when it was made (a time, not only a date)"),
    Field("kind", "text", "call, e-mail, ..."),
    Field("outcome", "text", "what came of it (connected or not)"),
    Field("owner", "text", "the rep who made it"),
)
FIELDS: dict[Table, tuple[Field, ...]] = {
    "leads": LEAD_FIELDS,
    "deals": DEAL_FIELDS,
    "activities": ACTIVITY_FIELDS,
}
LIFECYCLE = (
    "created_at",
    "mql_at",
    "handed_off_at",
    "first_attempt_at",
    "contacted_at",
    "opportunity_at",
    "closed_at",
)
"""The leads' moments in the order a lead passes them."""
REQUIRED: dict[Table, tuple[tuple[str, ...], ...]] = {
    # Each inner tuple: at least one of these fields.
    "leads": (("lead_id",), ("created_at", "mql_at")),
    "deals": (("deal_id", "lead_id"), ("created_at", "closed_at")),
    "activities": (("lead_id",), ("at",)),
}


def field(table: Table, name: str) -> Field:
    """The canonical field `name` of `table`; KeyError when there is none."""
    for candidate in FIELDS[table]:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
