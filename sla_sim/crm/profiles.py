"""Profiles: how each CRM names the canonical fields (`crm.fields`) in its exports, and how it
writes them.

A profile lists, for each table and canonical field, the column headers that hold it, the one
its export writes today first (HubSpot's older "Became a ... Date" lifecycle properties and the
newer "Date entered ..." ones are both read). It also says how the CRM writes a file: separator,
decimal mark, encoding and the order of day and month; the reader sniffs these anyway, since a
file opened and saved in a spreadsheet takes the spreadsheet's locale, and the export generator
(`experiments.export_crm`) writes them.

`auto` picks the profile whose headers match most of the leads file's columns
(`detect_profile`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sla_sim.crm.fields import Table

Headers = dict[str, tuple[str, ...]]

RETURNED_STATUSES = (
    "nurture",
    "nurturing",
    "recycle",
    "recycled",
    "returned to marketing",
    "returned to nurture",
    "back to nurture",
    "nutrição",
    "nutricao",
    "em nutrição",
    "reciclado",
    "devolvido ao marketing",
)
"""Lead statuses that say Sales returned the lead to Marketing's nurture (compared without case)."""
DISQUALIFIED_STATUSES = (
    "disqualified",
    "unqualified",
    "closed - not converted",
    "desqualificado",
    "descartado",
)
"""Lead statuses that say Sales disqualified the lead (compared without case)."""


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    headers: dict[Table, Headers]
    separator: str = ","
    decimal: str = "."
    encoding: str = "utf-8"
    day_first: bool = False
    time_format: str = "%Y-%m-%d %H:%M"
    """How its export writes a moment (`strftime`); the reader accepts any common format."""
    won_stages: tuple[str, ...] = ()
    lost_stages: tuple[str, ...] = ()
    connected_outcomes: tuple[str, ...] = ()
    """Activity outcomes that mean the lead was reached (compared without case)."""
    true_words: tuple[str, ...] = ("true", "yes", "1")
    false_words: tuple[str, ...] = ("false", "no", "0")
    notes: tuple[str, ...] = field(default=())
    returned_statuses: tuple[str, ...] = RETURNED_STATUSES
    """Statuses of a lead returned to nurture (`status`), for the review's returned leads."""
    disqualified_statuses: tuple[str, ...] = DISQUALIFIED_STATUSES
    """Statuses of a lead Sales disqualified."""

    def columns(self, table: Table) -> Headers:
        return self.headers.get(table, {})


GENERIC = Profile(
    "generic",
    "the canonical field names",
    {
        "leads": {
            name: (name,)
            for name in (
                "lead_id",
                "created_at",
                "source",
                "mql_at",
                "handed_off_at",
                "owner",
                "first_attempt_at",
                "attempts",
                "contacted_at",
                "opportunity_at",
                "closed_at",
                "won",
                "amount",
                "score",
                "fit",
                "status",
            )
        },
        "deals": {
            name: (name,)
            for name in (
                "deal_id",
                "lead_id",
                "created_at",
                "closed_at",
                "won",
                "stage",
                "amount",
                "owner",
            )
        },
        "activities": {name: (name,) for name in ("lead_id", "at", "kind", "outcome", "owner")},
    },
    time_format="%Y-%m-%dT%H:%M:%S",
    won_stages=("won", "closed won"),
    lost_stages=("lost", "closed lost"),
    connected_outcomes=("connected",),
)

_HS_STAGE = "(Lifecycle Stage Pipeline)"
HUBSPOT = Profile(
    "hubspot",
    "HubSpot (contacts, deals and calls exports)",
    {
        "leads": {
            "lead_id": ("Record ID", "Contact ID"),
            "created_at": ("Create Date",),
            "source": ("Original Traffic Source", "Original Source"),
            "mql_at": (
                f'Date entered "Marketing Qualified Lead {_HS_STAGE}"',
                "Became a Marketing Qualified Lead Date",
            ),
            "handed_off_at": ("Owner assigned date", "Contact owner assigned date"),
            "owner": ("Contact owner", "HubSpot Owner"),
            "first_attempt_at": ("Date of first engagement",),
            "attempts": ("Number of Sales Activities",),
            "contacted_at": (
                f'Date entered "Sales Qualified Lead {_HS_STAGE}"',
                "Became a Sales Qualified Lead Date",
            ),
            "opportunity_at": (
                f'Date entered "Opportunity {_HS_STAGE}"',
                "Became an Opportunity Date",
            ),
            "closed_at": (f'Date entered "Customer {_HS_STAGE}"', "Became a Customer Date"),
            "score": ("HubSpot Score",),
            "status": ("Lifecycle Stage",),
        },
        "deals": {
            "deal_id": ("Record ID", "Deal ID"),
            "lead_id": ("Associated Contact IDs", "Associated Contact ID"),
            "created_at": ("Create Date",),
            "closed_at": ("Close Date",),
            "stage": ("Deal Stage",),
            "amount": ("Amount",),
            "owner": ("Deal owner",),
        },
        "activities": {
            "lead_id": ("Associated Contact IDs", "Associated Contact ID"),
            "at": ("Activity date",),
            "kind": ("Activity type",),
            "outcome": ("Call outcome",),
            "owner": ("Activity assigned to",),
        },
    },
    time_format="%Y-%m-%d %H:%M",
    won_stages=("closed won",),
    lost_stages=("closed lost",),
    connected_outcomes=("connected",),
    # A contact Sales gives back goes back to the Lead stage; one it rules out, to Other.
    returned_statuses=(*RETURNED_STATUSES, "lead"),
    disqualified_statuses=(*DISQUALIFIED_STATUSES, "other"),
    notes=(
        "HubSpot's SQL date stands for the first contact: Sales accepts a contact it has "
        "reached. Map another property with --map contacted_at=COLUMN.",
    ),
)

SALESFORCE = Profile(
    "salesforce",
    "Salesforce (Lead, Opportunity and Task reports)",
    {
        "leads": {
            "lead_id": ("Lead ID",),
            "created_at": ("Created Date",),
            "source": ("Lead Source",),
            "mql_at": ("MQL Date",),
            "handed_off_at": ("Owner Assigned Date", "SAL Date"),
            "owner": ("Lead Owner",),
            "first_attempt_at": ("First Call Date/Time", "First Activity Date"),
            "attempts": ("Call Attempts", "Number of Activities"),
            "contacted_at": ("First Contact Date/Time", "Last Transfer Date"),
            "opportunity_at": ("Converted Date",),
            "score": ("Lead Score",),
            "status": ("Lead Status",),
        },
        "deals": {
            "deal_id": ("Opportunity ID",),
            "lead_id": ("Converted Lead ID", "Lead ID"),
            "created_at": ("Created Date",),
            "closed_at": ("Close Date",),
            "won": ("Won",),
            "stage": ("Stage",),
            "amount": ("Amount",),
            "owner": ("Opportunity Owner",),
        },
        "activities": {
            # A Task's "Date" is a date only: its created or completed time is the moment.
            "lead_id": ("Lead ID", "Name ID", "Who ID"),
            "at": ("Completed Date/Time", "Created Date"),
            "kind": ("Task Subtype", "Type"),
            "outcome": ("Call Result",),
            "owner": ("Assigned",),
        },
    },
    time_format="%m/%d/%Y %I:%M %p",
    won_stages=("closed won",),
    lost_stages=("closed lost",),
    connected_outcomes=("connected", "reached"),
    true_words=("true", "1", "yes"),
    false_words=("false", "0", "no"),
)

PIPEDRIVE = Profile(
    "pipedrive",
    'Pipedrive ("Lead - ...", "Deal - ...", "Activity - ..." exports)',
    {
        "leads": {
            "lead_id": ("Lead - ID", "Person - ID"),
            "created_at": ("Lead - Lead created", "Person - Person created"),
            "source": ("Lead - Source", "Lead - Source channel"),
            "mql_at": ("Lead - MQL date",),
            "handed_off_at": ("Lead - Owner assigned",),
            "owner": ("Lead - Owner", "Person - Owner"),
            "first_attempt_at": ("Lead - First activity time",),
            "attempts": ("Lead - Done activities", "Person - Done activities"),
            "contacted_at": ("Lead - First contact time",),
            "opportunity_at": ("Lead - Converted to deal",),
            "score": ("Lead - Score",),
            "status": ("Lead - Status",),
        },
        "deals": {
            "deal_id": ("Deal - ID",),
            "lead_id": ("Deal - Lead ID", "Deal - Person ID"),
            "created_at": ("Deal - Deal created",),
            "closed_at": ("Deal - Deal closed on", "Deal - Won time", "Deal - Expected close date"),
            "stage": ("Deal - Status", "Deal - Stage"),
            "amount": ("Deal - Value",),
            "owner": ("Deal - Owner",),
        },
        "activities": {
            "lead_id": ("Activity - Lead ID", "Activity - Person ID", "Activity - Deal ID"),
            "at": ("Activity - Marked as done time", "Activity - Add time"),
            "kind": ("Activity - Type",),
            "outcome": ("Activity - Outcome", "Activity - Note"),
            "owner": ("Activity - Assigned to user",),
        },
    },
    time_format="%Y-%m-%d %H:%M:%S",
    won_stages=("won",),
    lost_stages=("lost",),
    connected_outcomes=("connected", "reached"),
    # A lead given back or ruled out leaves the Leads Inbox for its archive.
    returned_statuses=(*RETURNED_STATUSES, "archived"),
    disqualified_statuses=(*DISQUALIFIED_STATUSES, "archived"),
)

RDSTATION = Profile(
    "rdstation",
    "RD Station (Marketing leads and CRM deals, Portuguese headers)",
    {
        "leads": {
            "lead_id": ("ID", "Identificador"),
            "created_at": ("Data de criação", "Data da primeira conversão"),
            "source": ("Origem da primeira conversão", "Origem"),
            "mql_at": ("Data de qualificação (MQL)", "Data de Lead Qualificado"),
            "handed_off_at": ("Data de envio para vendas", "Data de atribuição"),
            "owner": ("Dono do Lead", "Responsável"),
            "first_attempt_at": ("Data da primeira tentativa",),
            "attempts": ("Número de tentativas",),
            "contacted_at": ("Data do primeiro contato",),
            "opportunity_at": ("Data de oportunidade", "Data de marcação como oportunidade"),
            "closed_at": ("Data da venda",),
            "won": ("Venda ganha",),
            "amount": ("Valor da venda",),
            "score": ("Pontuação", "Lead Scoring"),
            "fit": ("Fit",),
            "status": ("Estágio no funil",),
        },
        "deals": {
            "deal_id": ("ID da negociação", "ID"),
            "lead_id": ("ID do lead", "ID do contato"),
            "created_at": ("Data de criação",),
            "closed_at": ("Data de fechamento",),
            "stage": ("Estado", "Etapa"),
            "amount": ("Valor", "Valor total"),
            "owner": ("Responsável",),
        },
        "activities": {
            "lead_id": ("ID do lead", "ID do contato"),
            "at": ("Data de conclusão", "Data"),
            "kind": ("Tipo",),
            "outcome": ("Resultado",),
            "owner": ("Responsável",),
        },
    },
    separator=";",
    decimal=",",
    encoding="latin-1",
    day_first=True,
    time_format="%d/%m/%Y %H:%M",
    won_stages=("vendida", "ganha", "ganho"),
    lost_stages=("perdida", "perdido"),
    connected_outcomes=("conectado", "atendeu", "contato realizado"),
    true_words=("sim", "true", "1", "verdadeiro"),
    false_words=("não", "nao", "false", "0", "falso"),
    returned_statuses=(*RETURNED_STATUSES, "lead"),  # back to the Lead stage of the funnel
)

PROFILES: dict[str, Profile] = {
    p.name: p for p in (HUBSPOT, SALESFORCE, PIPEDRIVE, RDSTATION, GENERIC)
}
PROFILE_NAMES = ("auto", *PROFILES)


def normalise_header(header: str) -> str:
    """A header compared without case, surrounding spaces, a BOM or doubled spaces."""
    return " ".join(header.replace("\ufeff", "").strip().casefold().split())


def normalise_word(word: str) -> str:
    """A value compared without case or doubled spaces (a status, an outcome)."""
    return " ".join(word.casefold().split())


def matches(profile: Profile, table: Table, headers: list[str]) -> int:
    """How many of `profile`'s fields of `table` are found among `headers`."""
    found = {normalise_header(h) for h in headers}
    return sum(
        any(normalise_header(alias) in found for alias in aliases)
        for aliases in profile.columns(table).values()
    )


def detect_profile(headers: list[str], table: Table = "leads") -> tuple[Profile, int]:
    """The profile whose headers match most of `headers` (ties: the order of PROFILES), and how
    many fields it matched."""
    best = max(PROFILES.values(), key=lambda p: matches(p, table, headers))
    return best, matches(best, table, headers)
