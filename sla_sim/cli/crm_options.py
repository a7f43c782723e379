"""The options of the commands that read a CRM export (SPEC §11), declared once:
`crm_file_options` adds them to a command, and `read_export_from_options` reads the export they
name, or exits 2 with every problem."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from sla_sim.cli.common import fail
from sla_sim.crm.profiles import PROFILE_NAMES
from sla_sim.crm.read import parse_mapping, read_export
from sla_sim.crm.tables import CrmExport, ExportError

CRM_OPTIONS = ("deals", "activities", "profile", "mapping", "start", "end", "as_of", "timezone")
"""The keyword arguments `crm_file_options` gives a command."""


class _Day(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date such as 2027-01-31", param, ctx)


class _Moment(click.ParamType):
    """A date (the end of that day) or a date and time (with an optional UTC offset)."""

    name = "DATE[THH:MM]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            if len(text) == len("2027-03-31"):
                return dt.date.fromisoformat(text)
            return dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date or a moment such as 2027-03-31T18:00", param, ctx)


def _options() -> list[Callable[[Any], Any]]:
    file = click.Path(exists=True, dir_okay=False, path_type=Path)
    return [
        click.option("--deals", type=file, default=None, help="The deals (opportunities) file."),
        click.option(
            "--activities", type=file, default=None, help="The activities (calls, tasks) file."
        ),
        click.option(
            "--profile",
            type=click.Choice(PROFILE_NAMES),
            default="auto",
            show_default=True,
            help="The CRM that wrote the files; auto picks it by the leads file's headers.",
        ),
        click.option(
            "--map",
            "mapping",
            multiple=True,
            metavar="FIELD=COLUMN",
            help="The column holding a field, over the profile's (deals.FIELD and "
            "activities.FIELD for the other files); repeat for more.",
        ),
        click.option(
            "--from",
            "start",
            type=_Day(),
            default=None,
            help="Read leads created on or after this day [default: the first lead's].",
        ),
        click.option(
            "--to",
            "end",
            type=_Day(),
            default=None,
            help="Read leads created before this day [default: the day after the export date].",
        ),
        click.option(
            "--as-of",
            "as_of",
            type=_Moment(),
            default=None,
            help="The export date (a date is the end of that day): open deals and unanswered "
            "leads are censored here [default: the latest moment in the files].",
        ),
        click.option(
            "--timezone",
            default=None,
            metavar="TZ",
            help="The team's IANA time zone, e.g. America/Sao_Paulo: moments with an offset "
            "are converted to it, the others are taken as in it [default: UTC].",
        ),
    ]


def crm_file_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the export's options to a command, which takes them as the keyword arguments
    `CRM_OPTIONS` (pass them on to `read_export_from_options`)."""
    decorated = command
    for option in reversed(_options()):
        decorated = option(decorated)
    return decorated


def read_export_from_options(
    leads_path: Path | str,
    *,
    deals: Path | None = None,
    activities: Path | None = None,
    profile: str = "auto",
    mapping: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.date | dt.datetime | None = None,
    timezone: str | None = None,
) -> CrmExport:
    """The export the options name, or exit 2 with every problem (bad --map lines, and the
    files' problems) on standard error."""
    try:
        mapped = parse_mapping(mapping)
    except ExportError as error:
        fail(error.problems)
    try:
        return read_export(
            Path(leads_path),
            deals=deals,
            activities=activities,
            profile=profile,
            mapping=mapped,
            start=start,
            end=end,
            as_of=as_of,
            timezone=timezone,
        )
    except ExportError as error:
        fail(error.problems)
