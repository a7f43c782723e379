"""Reading CRM exports as they come (SPEC §11, issue 13): every profile's own files, `auto`
choosing each, the untidy files of real exports read or refused with a message that names the
file, the column and the rows, and personal data never loaded.

Every file here is written by the test, from hand-written rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_sim.cli.crm_options import CRM_OPTIONS, crm_file_options, read_export_from_options
from sla_sim.crm.fields import FIELDS
from sla_sim.crm.profiles import PROFILES, Profile
from sla_sim.crm.read import parse_mapping, read_export
from sla_sim.crm.tables import CrmExport, ExportError, ReadNote

# -- files written as a profile writes them --------------------------------------------------

# What a lead's own columns hold: never loaded, never shown.
PERSONAL = {
    "First Name": ("Zeferina", "Bartolomeu", "Quiteria"),
    "Email": ("zeferina@lead.example", "bartolomeu@lead.example", "quiteria@lead.example"),
    "Phone Number": ("+55 11 98765-4321", "+1 415 555 0199", "+351 912 345 678"),
}
BASE = dt.datetime(2027, 1, 4, 9, 30)
HOUR = dt.timedelta(hours=1)
# Lead i's moments: created, then each stage an hour or a day later.
LEAD_TIMES = {
    "created_at": (BASE, BASE + 24 * HOUR, BASE + 48 * HOUR),
    "mql_at": (BASE + HOUR, BASE + 25 * HOUR, BASE + 49 * HOUR),
    "handed_off_at": (BASE + 2 * HOUR, BASE + 26 * HOUR, BASE + 50 * HOUR),
    "first_attempt_at": (BASE + 3 * HOUR, BASE + 27 * HOUR, BASE + 51 * HOUR),
    "contacted_at": (BASE + 4 * HOUR, BASE + 28 * HOUR, BASE + 52 * HOUR),
    "opportunity_at": (BASE + 5 * HOUR, BASE + 29 * HOUR, BASE + 53 * HOUR),
    "closed_at": (BASE + 240 * HOUR, BASE + 250 * HOUR, BASE + 260 * HOUR),
}
OWNERS = ("Ana Souza <ana.souza@team.example>", "carlos@team.example", "Ana Souza")


def money(value: float, profile: Profile) -> str:
    """`value` as the profile writes money: thousands separator and decimal mark."""
    text = f"{value:,.2f}"
    if profile.decimal == ",":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def csv_bytes(rows: list[list[str]], profile: Profile) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=profile.separator, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(profile.encoding)


def leads_rows(profile: Profile) -> list[list[str]]:
    """Three leads in the profile's first headers and formats, with a lead's personal columns
    between them."""
    columns = profile.columns("leads")
    header, values = [], []
    for name, aliases in columns.items():
        header.append(aliases[0])
        if name == "lead_id":
            values.append(["101", "102", "103"])
        elif name in LEAD_TIMES:
            values.append([t.strftime(profile.time_format) for t in LEAD_TIMES[name]])
        elif name == "source":
            values.append(["Paid Search", "Orgânico", "Paid Search"])
        elif name == "owner":
            values.append(list(OWNERS))
        elif name == "attempts":
            values.append(["3", "0", "12"])
        elif name == "won":
            values.append([profile.true_words[0], profile.false_words[0], ""])
        elif name == "amount":
            values.append([money(1234.5, profile), "", money(99, profile)])
        elif name in ("score", "fit"):
            values.append(["0.8", "0.25", "1"] if name == "fit" else ["42", "7", "100"])
        else:
            values.append(["Lead", "Customer", "Lead"])
    header[1:1] = list(PERSONAL)
    values[1:1] = [list(v) for v in PERSONAL.values()]
    return [header, *[[column[i] for column in values] for i in range(3)]]


def deals_rows(profile: Profile) -> list[list[str]]:
    """Three deals: won (lead 101), lost (102) and open (103, with an expected close date)."""
    stages = {
        "won": profile.won_stages[0].title(),
        "lost": profile.lost_stages[0].title(),
        "open": "Negotiation",
    }
    rows: list[list[str]] = [[], [], [], []]
    for name, aliases in profile.columns("deals").items():
        rows[0].append(aliases[0])
        for i, state in enumerate(("won", "lost", "open")):
            created = BASE + (6 + 24 * i) * HOUR
            value = {
                "deal_id": f"D{i + 1}",
                "lead_id": f"{101 + i}",
                "created_at": created.strftime(profile.time_format),
                "closed_at": (created + 200 * HOUR).strftime(profile.time_format),
                "won": profile.true_words[0] if state == "won" else profile.false_words[0],
                "stage": stages[state],
                "amount": money(5000 + i, profile),
                "owner": "Ana Souza",
            }[name]
            rows[i + 1].append(value)
    return rows


def activities_rows(profile: Profile) -> list[list[str]]:
    """Two attempts to lead 101 (the second connects) and one to 102."""
    reached = profile.connected_outcomes[0].title()
    attempts = [("101", 3, "No answer"), ("101", 4, reached), ("102", 27, "No answer")]
    rows: list[list[str]] = [[] for _ in range(4)]
    for name, aliases in profile.columns("activities").items():
        rows[0].append(aliases[0])
        for i, (lead, hours, outcome) in enumerate(attempts):
            value = {
                "lead_id": lead,
                "at": (BASE + hours * HOUR).strftime(profile.time_format),
                "kind": "Call",
                "outcome": outcome,
                "owner": "carlos@team.example",
            }[name]
            rows[i + 1].append(value)
    return rows


def profile_files(profile: Profile) -> dict[str, tuple[str, bytes]]:
    return {
        "leads": ("leads.csv", csv_bytes(leads_rows(profile), profile)),
        "deals": ("deals.csv", csv_bytes(deals_rows(profile), profile)),
        "activities": ("activities.csv", csv_bytes(activities_rows(profile), profile)),
    }


def everything_shown(export: CrmExport) -> str:
    """All an export holds, as text: its repr, every cell of its frames, its notes."""
    frames = [f for f in (export.leads, export.deals, export.activities) if f is not None]
    return "\n".join(
        [repr(export), *(f.to_csv() for f in frames), *(n.message() for n in export.notes)]
    )


# -- each profile ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROFILES))
@pytest.mark.parametrize("chosen", ["named", "auto"])
def test_each_profile_reads_its_own_files(name: str, chosen: str) -> None:
    profile = PROFILES[name]
    files = profile_files(profile)
    export = read_export(
        files["leads"],
        deals=files["deals"],
        activities=files["activities"],
        profile=name if chosen == "named" else "auto",
    )
    assert (export.profile, export.detected) == (name, chosen == "auto")
    leads = export.leads
    assert list(leads["lead_id"]) == ["101", "102", "103"]
    for field, times in LEAD_TIMES.items():
        if field in profile.columns("leads"):
            assert list(leads[field]) == [pd.Timestamp(t) for t in times], field
    assert set(export.missing["leads"]) == {
        f.name for f in FIELDS["leads"] if f.name not in profile.columns("leads")
    }
    assert list(leads["owner"]) == ["Ana Souza", "Owner 1", "Ana Souza"]
    assert list(leads["attempts"]) == [3, 0, 12]
    assert list(leads["source"]) == ["Paid Search", "Orgânico", "Paid Search"]
    if "amount" in leads:
        assert leads["amount"].tolist()[0] == 1234.5
        assert leads["amount"].tolist()[2] == 99
    deals = export.deals
    assert deals is not None
    assert deals["won"].tolist() == [True, False, pd.NA]
    assert deals["closed_at"].isna().tolist() == [False, False, True]  # open: not closed
    assert deals["amount"].tolist() == [5000, 5001, 5002]
    assert not export.deals_only_won
    activities = export.activities
    assert activities is not None
    assert activities["lead_id"].tolist() == ["101", "101", "102"]
    assert activities["at"].tolist() == [pd.Timestamp(BASE + h * HOUR) for h in (3, 4, 27)]
    assert activities["connected"].tolist() == [False, True, False]
    assert activities["outcome"].tolist()[1] == profile.connected_outcomes[0].title()
    assert activities["owner"].tolist() == ["Owner 1"] * 3  # the same address as in leads
    # The export date: the latest moment but the open deal's expected close.
    latest = max(
        [t for f, times in LEAD_TIMES.items() if f in profile.columns("leads") for t in times]
        + [BASE + (6 + 24 * i + 200) * HOUR for i in (0, 1)]
    )
    assert export.as_of == pd.Timestamp(latest)
    assert export.start == pd.Timestamp("2027-01-04")
    assert export.end == pd.Timestamp(latest.date() + dt.timedelta(days=1))
    assert export.files == {
        "leads": "leads.csv",
        "deals": "deals.csv",
        "activities": "activities.csv",
    }
    shown = everything_shown(export)
    for values in PERSONAL.values():
        for value in values:
            assert value not in shown
    assert "@" not in shown


def test_personal_columns_are_never_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """pandas splits the file, but keeps only the columns of canonical fields: no cell a reader
    ever holds is a lead's name, e-mail or phone."""
    loaded: list[pd.DataFrame] = []
    read_csv = pd.read_csv

    def spy(*args: object, **kwargs: object) -> pd.DataFrame:
        frame = read_csv(*args, **kwargs)  # type: ignore[call-overload]
        loaded.append(frame)
        return frame

    monkeypatch.setattr(pd, "read_csv", spy)
    files = profile_files(PROFILES["hubspot"])
    read_export(files["leads"], deals=files["deals"], activities=files["activities"])
    assert len(loaded) == 3
    cells = "\n".join(frame.to_csv() for frame in loaded)
    for values in PERSONAL.values():
        for value in values:
            assert value not in cells


# -- untidy files ----------------------------------------------------------------------------

GENERIC_LEADS = [
    ["lead_id", "created_at", "source", "amount", "email"],
    ["1", "2027-01-04 09:00", "Ads", "1234.5", "zeferina@lead.example"],
    ["2", "2027-01-05 10:00", "Web; organic", "12", "bartolomeu@lead.example"],
]


def text_file(rows: list[list[str]], separator: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def read_text(text: str, encoding: str = "utf-8", **options: object) -> CrmExport:
    return read_export(("leads.csv", text.encode(encoding)), **options)  # type: ignore[arg-type]


def problems_of(text: str, **options: object) -> list[str]:
    with pytest.raises(ExportError) as caught:
        read_text(text, **options)
    return caught.value.problems


def note_about(export: CrmExport, column: str | None, words: str) -> ReadNote:
    found = [n for n in export.notes if n.column == column and words in n.what]
    assert found, [n.message() for n in export.notes]
    return found[0]


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_separators_are_sniffed(separator: str) -> None:
    export = read_text(text_file(GENERIC_LEADS, separator))
    assert export.leads["source"].tolist() == ["Ads", "Web; organic"]
    assert export.leads["amount"].tolist() == [1234.5, 12.0]


def test_an_excel_sep_line_is_obeyed() -> None:
    export = read_text("sep=;\n" + text_file(GENERIC_LEADS, ";"))
    assert export.leads["lead_id"].tolist() == ["1", "2"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (["1.234,56", "1234,56", "12,5"], [1234.56, 1234.56, 12.5]),
        (["1,234.56", "1234.56", "12.5"], [1234.56, 1234.56, 12.5]),
        (["R$ 1.234,56", "R$ 10,00", "-3,5"], [1234.56, 10.0, -3.5]),
        (["$1,234,567", "$12.50", "(1,000.00)"], [1234567.0, 12.5, -1000.0]),
        (["1 234,56", "1\u00a0000,5", "7"], [1234.56, 1000.5, 7.0]),
    ],
)
def test_decimal_marks_and_thousands(written: list[str], expected: list[float]) -> None:
    rows = [["lead_id", "created_at", "amount"]]
    rows += [[str(i), "2027-01-04", value] for i, value in enumerate(written)]
    export = read_text(text_file(rows, ";"))
    assert export.leads["amount"].tolist() == pytest.approx(expected)


def test_a_number_that_reads_either_way_follows_the_profile_with_a_note() -> None:
    rows = [["lead_id", "created_at", "amount"], ["1", "2027-01-04", "1.234"]]
    export = read_text(text_file(rows, ";"), profile="generic")
    assert export.leads["amount"].tolist() == [1.234]
    note = note_about(export, "amount", "read either way (seen: '1.234')")
    assert note.rows == (2,)
    rows = [["ID", "Data de criação", "Valor da venda"], ["1", "04/01/2027", "1.234"]]
    export = read_text(text_file(rows, ";"), profile="rdstation")
    assert export.leads["amount"].tolist() == [1234.0]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_encodings(encoding: str) -> None:
    rows = [
        ["ID", "Data de criação", "Origem da primeira conversão", "Email"],
        ["7", "13/01/2027 08:00", "Orgânico", "joão@lead.example"],
    ]
    export = read_text(text_file(rows, ";"), encoding=encoding)
    assert export.profile == "rdstation"
    assert export.leads["source"].tolist() == ["Orgânico"]
    assert export.leads["created_at"].tolist() == [pd.Timestamp("2027-01-13 08:00")]


def test_headers_with_stray_spaces_a_bom_and_other_case() -> None:
    text = "\ufeff  LEAD_ID ,Created_At  ,  source\n1,2027-01-04,Ads\n"
    export = read_text(text)
    assert (export.profile, export.leads["source"].tolist()) == ("generic", ["Ads"])
    export = read_text(" record id ,CREATE DATE,original traffic source\n1,2027-01-04,Ads\n")
    assert (export.profile, export.leads["source"].tolist()) == ("hubspot", ["Ads"])


def test_empty_rows_are_skipped_and_counted() -> None:
    text = "lead_id;created_at;source\n1;2027-01-04;Ads\n\n;;\n2;2027-01-05;Web\n;  ;\n"
    export = read_text(text)
    assert export.leads["lead_id"].tolist() == ["1", "2"]
    note = note_about(export, None, "nothing in the columns read")
    assert (note.rows, note.count) == ((3, 4, 6), 3)


def test_quoted_fields_hold_separators_quotes_and_new_lines() -> None:
    text = (
        'lead_id,created_at,source,notes\n1,2027-01-04,"Ads, paid","two\nlines"\n'
        '2,2027-01-05,"Say ""hi""",x\n'
    )
    export = read_text(text)
    assert export.leads["source"].tolist() == ["Ads, paid", 'Say "hi"']


def test_a_row_with_more_values_than_the_header_is_left_out() -> None:
    text = "lead_id,created_at,amount\n1,2027-01-04,12\n2,2027-01-05,1234,56\n3,2027-01-06,7\n"
    export = read_text(text)
    assert export.leads["lead_id"].tolist() == ["1", "3"]
    note = note_about(export, None, "more values than the header")
    assert (note.rows, note.count) == ((3,), 1)


def lead_dates(*created: str, extra: dict[str, list[str]] | None = None) -> str:
    columns = {"lead_id": [str(i) for i in range(len(created))], "created_at": list(created)}
    columns.update(extra or {})
    header = list(columns)
    return text_file([header, *[[columns[h][i] for h in header] for i in range(len(created))]])


def test_day_first_settled_by_a_day_above_twelve() -> None:
    export = read_text(lead_dates("04/01/2027 09:00", "13/01/2027 10:00"))
    assert export.leads["created_at"].tolist() == [
        pd.Timestamp("2027-01-04 09:00"),
        pd.Timestamp("2027-01-13 10:00"),
    ]
    assert not [n for n in export.notes if "settles" in n.what]


def test_month_first_settled_by_a_day_above_twelve() -> None:
    export = read_text(lead_dates("01/04/2027 9:00 AM", "1/13/2027 1:30 PM"))
    assert export.leads["created_at"].tolist() == [
        pd.Timestamp("2027-01-04 09:00"),
        pd.Timestamp("2027-01-13 13:30"),
    ]


def test_an_ambiguous_column_follows_the_profile_and_says_so() -> None:
    rows = [["ID", "Data de criação"], ["1", "04/01/2027 09:00"], ["2", "05/01/2027 09:00"]]
    export = read_text(text_file(rows, ";"))
    assert export.leads["created_at"].tolist() == [
        pd.Timestamp("2027-01-04 09:00"),
        pd.Timestamp("2027-01-05 09:00"),
    ]
    note = note_about(export, "Data de criação", "day first, as rdstation writes them")
    assert (note.file, note.rows, note.count) == ("leads.csv", (2, 3), 2)
    export = read_text(lead_dates("04/01/2027 09:00", "05/01/2027 09:00"), profile="generic")
    assert export.leads["created_at"].tolist()[0] == pd.Timestamp("2027-04-01 09:00")
    assert "month first, as generic writes them" in note_about(export, "created_at", "first").what


def test_an_ambiguous_column_follows_the_files_settled_columns() -> None:
    text = text_file(
        [
            ["lead_id", "created_at", "mql_at"],
            ["1", "04/01/2027 09:00", "25/01/2027 10:00"],
            ["2", "10/01/2027 09:00", "11/02/2027 10:00"],
        ]
    )
    export = read_text(text, profile="generic")  # generic writes the month first
    assert export.leads["created_at"].tolist() == [
        pd.Timestamp("2027-01-04 09:00"),
        pd.Timestamp("2027-01-10 09:00"),
    ]
    assert export.leads["mql_at"].tolist()[1] == pd.Timestamp("2027-02-11 10:00")
    note = note_about(export, "created_at", "as the file's other date columns show")
    assert note.what.startswith("read day first")
    assert not [n for n in export.notes if n.column == "mql_at"]


def test_offsets_are_converted_to_the_time_zone_and_plain_moments_taken_as_in_it() -> None:
    text = lead_dates(
        "2027-01-04T12:00:00Z",
        "2027-01-04T12:00:00+01:00",
        "2027-01-04 12:00:00 -0300",
        "2027-01-04T12:00:00",
        "2027-01-04",
    )
    export = read_text(text, timezone="America/Sao_Paulo")
    assert export.leads["created_at"].tolist() == [
        pd.Timestamp("2027-01-04 09:00"),
        pd.Timestamp("2027-01-04 08:00"),
        pd.Timestamp("2027-01-04 12:00"),
        pd.Timestamp("2027-01-04 12:00"),
        pd.Timestamp("2027-01-04 00:00"),
    ]
    assert str(export.leads["created_at"].dtype) == "datetime64[ns]"
    assert export.timezone == "America/Sao_Paulo"
    assert not [n for n in export.notes if "--timezone" in n.what]


def test_without_a_time_zone_moments_are_read_in_utc_and_offsets_say_so() -> None:
    export = read_text(lead_dates("2027-01-04T12:00:00-03:00", "2027-01-04T12:00:00"))
    assert export.timezone == "UTC"
    assert export.leads["created_at"].tolist() == [
        pd.Timestamp("2027-01-04 15:00"),
        pd.Timestamp("2027-01-04 12:00"),
    ]
    note = note_about(export, None, "--timezone")
    assert (note.rows, note.count) == ((2,), 1)


def test_a_wrong_time_zone_is_refused() -> None:
    (problem,) = problems_of(lead_dates("2027-01-04"), timezone="Mars/Olympus")
    assert "--timezone 'Mars/Olympus'" in problem
    assert "America/Sao_Paulo" in problem


def test_a_repeated_lead_id_keeps_its_fullest_row() -> None:
    text = text_file(
        [
            ["lead_id", "created_at", "source", "mql_at"],
            ["1", "2027-01-04", "", ""],
            ["1", "2027-01-05", "Ads", "2027-01-06"],
            ["2", "2027-01-06", "Web", ""],
            ["2", "2027-01-05", "Web", ""],
            ["1", "2027-01-07", "Ads", ""],
        ]
    )
    export = read_text(text)
    leads = export.leads.set_index("lead_id")
    assert leads.loc["1", "source"] == "Ads"
    assert leads.loc["1", "mql_at"] == pd.Timestamp("2027-01-06")
    assert leads.loc["2", "created_at"] == pd.Timestamp("2027-01-05")  # a tie: the earliest
    note = note_about(export, "lead_id", "repeated (2 ids)")
    assert (note.rows, note.count) == ((2, 4, 6), 3)


def test_lifecycle_moments_out_of_order_are_raised_with_a_note() -> None:
    text = text_file(
        [
            ["lead_id", "created_at", "mql_at", "handed_off_at", "first_attempt_at"],
            ["1", "2027-01-04 10:00", "2027-01-04 09:00", "2027-01-04 11:00", "2027-01-04 12:00"],
            ["2", "2027-01-04 10:00", "2027-01-04 10:30", "2027-01-04 11:00", "2027-01-04 10:45"],
            ["3", "2027-01-04 10:00", "", "2027-01-04 11:00", "2027-01-04 09:00"],
        ]
    )
    export = read_text(text)
    leads = export.leads
    assert leads["mql_at"].tolist()[0] == pd.Timestamp("2027-01-04 10:00")
    assert leads["first_attempt_at"].tolist()[1:] == [pd.Timestamp("2027-01-04 11:00")] * 2
    mql = note_about(export, "mql_at", "raised to created_at")
    assert (mql.rows, mql.count) == ((2,), 1)
    attempt = note_about(export, "first_attempt_at", "raised to handed_off_at")
    assert (attempt.rows, attempt.count) == ((3, 4), 2)


def test_unreadable_values() -> None:
    """A lead without an id or a readable creation time is left out; an unreadable optional
    value is left empty; each with the column, the rows and the value seen."""
    text = text_file(
        [
            ["lead_id", "created_at", "mql_at", "attempts", "fit", "won"],
            ["1", "2027-01-04", "31/02/2027", "3", "0.5", "yes"],
            ["", "2027-01-04", "", "2", "0.5", "no"],
            ["3", "soon", "", "many", "2000", "maybe"],
            ["4", "2027-13-45", "2027-01-09", "-1", "", ""],
            ["5", "2027-01-05", "", "1.5", "", ""],
        ]
    )
    export = read_text(text)
    assert export.leads["lead_id"].tolist() == ["1", "4", "5"]
    assert export.leads["created_at"].tolist()[1] == pd.Timestamp("2027-01-09")  # its MQL
    assert export.leads["attempts"].isna().tolist() == [False, True, True]
    messages = "\n".join(n.message() for n in export.notes)
    assert "leads.csv, column 'lead_id': 1 row left out: no lead id (rows 3)" in messages
    refused = note_about(export, "created_at", "left out: no readable creation time")
    assert (refused.rows, "'soon'" in refused.what) == ((4,), True)
    borrowed = note_about(export, "created_at", "MQL time as the creation time")
    assert borrowed.rows == (5,)
    assert "'2027-13-45'" in borrowed.what
    mql = note_about(export, "mql_at", "left empty")
    assert mql.rows == (2,)
    assert "'31/02/2027'" in mql.what
    assert "allowed" in mql.what
    attempts = note_about(export, "attempts", "left empty")
    assert attempts.rows == (5, 6)
    assert "'-1'" in attempts.what
    assert "whole number" in attempts.what


def test_owners_keep_names_not_addresses() -> None:
    text = text_file(
        [
            ["lead_id", "created_at", "owner"],
            ["1", "2027-01-04", "Ana Souza <ana@team.example>"],
            ["2", "2027-01-04", "bea@team.example"],
            ["3", "2027-01-04", "carla@team.example"],
            ["4", "2027-01-04", "BEA@team.example"],
            ["5", "2027-01-04", "ana@team.example"],
            ["6", "2027-01-04", "dora@team.example (Dora Lima)"],
            ["7", "2027-01-04", "Eva"],
        ]
    )
    owners = read_text(text).leads["owner"].tolist()
    assert owners == ["Ana Souza", "Owner 1", "Owner 2", "Owner 1", "Ana Souza", "Dora Lima", "Eva"]


def test_several_ids_in_one_cell_keep_the_first() -> None:
    leads = ("leads.csv", lead_dates("2027-01-04", "2027-01-05").encode())
    deals = ("deals.csv", b"deal_id,lead_id,created_at,won\nD1,1;0,2027-01-06,true\n")
    export = read_export(leads, deals=deals)
    assert export.deals is not None
    assert export.deals["lead_id"].tolist() == ["1"]
    assert note_about(export, "lead_id", "the first id").rows == (2,)


# -- deals -----------------------------------------------------------------------------------

LEADS_FOR_DEALS = (
    "leads.csv",
    lead_dates("2027-01-04 09:00", "2027-01-05 09:00", "2027-01-06 09:00").encode(),
)


def read_deals(text: str, **options: object) -> CrmExport:
    return read_export(LEADS_FOR_DEALS, deals=("deals.csv", text.encode()), **options)  # type: ignore[arg-type]


def test_won_from_the_stage_without_case() -> None:
    text = (
        "deal_id,lead_id,created_at,closed_at,stage\n"
        "D1,0,2027-01-10,2027-02-01,CLOSED WON\nD2,1,2027-01-10,2027-02-02,Closed  lost\n"
        "D3,2,2027-01-10,2027-03-31,Negotiation\nD4,2,2027-01-10,2027-02-03,Contract signed\n"
    )
    export = read_deals(text)
    deals = export.deals
    assert deals is not None
    assert deals["won"].tolist() == [True, False, pd.NA, pd.NA]
    assert deals["closed_at"].isna().tolist() == [False, False, True, True]
    assert export.as_of == pd.Timestamp("2027-02-02")  # open deals' dates are not the export's
    stage = note_about(export, "stage", "read as open")
    assert "'Negotiation' (1)" in stage.what
    assert "'Contract signed' (1)" in stage.what
    assert stage.rows == (4, 5)
    assert note_about(export, "closed_at", "placeholder").rows == (4, 5)


def test_won_from_a_won_flag() -> None:
    text = (
        "Opportunity ID,Converted Lead ID,Created Date,Close Date,Won,Stage\n"
        "D1,0,1/10/2027 9:00 AM,1/20/2027 9:00 AM,true,Closed Won\n"
        "D2,1,1/10/2027 9:00 AM,1/20/2027 9:00 AM,false,Closed Lost\n"
        "D3,2,1/10/2027 9:00 AM,12/31/2099 9:00 AM,false,Prospecting\n"
        "D4,2,1/10/2027 9:00 AM,1/21/2027 9:00 AM,true,Signed\n"
    )
    export = read_deals(
        text, profile="salesforce", mapping={"lead_id": "lead_id", "created_at": "created_at"}
    )
    assert export.deals is not None
    assert export.deals["won"].tolist() == [True, False, pd.NA, True]


def test_deals_without_a_lead_or_with_an_unknown_one_are_kept() -> None:
    text = "deal_id,lead_id,created_at,won\nD1,0,2027-01-10,true\nD2,,2027-01-10,false\nD3,99,2027-01-10,true\n"
    export = read_deals(text)
    assert export.deals is not None
    assert export.deals["deal_id"].tolist() == ["D1", "D2", "D3"]
    assert note_about(export, "lead_id", "no lead id").rows == (3,)
    assert note_about(export, "lead_id", "not in leads.csv").rows == (4,)


def test_a_file_of_won_deals_only_is_flagged() -> None:
    text = "deal_id,lead_id,created_at,stage\nD1,0,2027-01-10,won\nD2,1,2027-01-11,Won\n"
    export = read_deals(text)
    assert export.deals_only_won
    note = note_about(export, "stage", "all won")
    assert note.count == 2
    assert "win probability" in note.what
    text = "deal_id,lead_id,created_at,stage\nD1,0,2027-01-10,won\nD2,1,2027-01-11,open\n"
    assert not read_deals(text).deals_only_won


# -- activities ------------------------------------------------------------------------------


def read_activities(text: str, **options: object) -> CrmExport:
    return read_export(LEADS_FOR_DEALS, activities=("tasks.csv", text.encode()), **options)  # type: ignore[arg-type]


def test_a_task_date_is_not_a_moment() -> None:
    """Salesforce's Task "Date" is a date: mapped as `at`, it is refused with the column and
    the time columns the file has."""
    text = (
        "Lead ID,Date,Created Date,Call Result,Email\n"
        "0,1/4/2027,1/4/2027 10:00 AM,Connected,zeferina@lead.example\n"
        "1,1/5/2027,1/5/2027 11:00 AM,No answer,bartolomeu@lead.example\n"
    )
    leads = ("leads.csv", b"Lead ID,Created Date\n0,1/4/2027 9:00 AM\n1,1/4/2027 9:30 AM\n")
    tasks = ("tasks.csv", text.encode())
    with pytest.raises(ExportError) as caught:
        read_export(leads, activities=tasks, mapping={"activities.at": "Date"})
    (problem,) = caught.value.problems
    assert problem.startswith("tasks.csv, column 'Date': 2 rows with a date and no time of day")
    assert "'Created Date'" in problem
    assert "--map activities.at=COLUMN" in problem
    assert "(rows 2, 3)" in problem
    export = read_export(leads, activities=tasks)
    assert export.activities is not None
    assert export.activities["at"].tolist() == [
        pd.Timestamp("2027-01-04 10:00"),
        pd.Timestamp("2027-01-05 11:00"),
    ]
    assert export.activities["connected"].tolist() == [True, False]


def test_activities_without_a_time_or_lead_are_left_out() -> None:
    text = (
        "lead_id,at,outcome\n0,2027-01-04 10:00,connected\n,2027-01-04 11:00,connected\n"
        "1,2027-01-05,busy\n2,,busy\n7,2027-01-06 08:00,\n0,2027-01-04 09:00,BUSY\n"
    )
    export = read_activities(text)
    activities = export.activities
    assert activities is not None
    assert activities["lead_id"].tolist() == ["0", "0", "7"]  # sorted by time
    assert activities["connected"].tolist() == [False, True, pd.NA]
    assert note_about(export, "lead_id", "no lead id").rows == (3,)
    assert note_about(export, "at", "without a time of day").rows == (4,)
    assert note_about(export, "at", "no readable time").rows == (5,)
    assert note_about(export, "lead_id", "not in leads.csv").rows == (6,)


# -- the export date and the period ----------------------------------------------------------


def test_the_export_date_defaults_to_the_latest_moment() -> None:
    activities = ("calls.csv", b"lead_id,at\n0,2027-01-09 17:45\n")
    export = read_export(LEADS_FOR_DEALS, activities=activities)
    assert export.as_of == pd.Timestamp("2027-01-09 17:45")
    assert (export.start, export.end) == (pd.Timestamp("2027-01-04"), pd.Timestamp("2027-01-10"))


def test_moments_after_the_export_date_are_refused() -> None:
    activities = ("calls.csv", b"lead_id,at\n0,2027-01-05 17:45\n1,2027-01-06 10:00\n")
    with pytest.raises(ExportError) as caught:
        read_export(LEADS_FOR_DEALS, activities=activities, as_of=dt.date(2027, 1, 5))
    leads, calls = caught.value.problems
    assert leads.startswith("leads.csv, column 'created_at': 1 row after the export date")
    assert "2027-01-05 23:59" in leads
    assert "'2027-01-06 09:00'" in leads
    assert "(rows 4)" in leads
    assert calls.startswith("calls.csv, column 'at': 1 row after the export date")
    export = read_export(LEADS_FOR_DEALS, activities=activities, as_of=dt.datetime(2027, 1, 6, 12))
    assert export.as_of == pd.Timestamp("2027-01-06 12:00")


def test_the_period_reads_leads_created_in_it() -> None:
    activities = ("calls.csv", b"lead_id,at\n0,2027-01-04 10:00\n1,2027-01-05 10:00\n")
    export = read_export(
        LEADS_FOR_DEALS, activities=activities, start=dt.date(2027, 1, 5), end=dt.date(2027, 1, 6)
    )
    assert export.leads["lead_id"].tolist() == ["1"]
    assert export.activities is not None
    assert export.activities["lead_id"].tolist() == ["1"]
    assert note_about(export, None, "outside the period [2027-01-05, 2027-01-06)").rows == (2, 4)


def test_an_empty_period_is_one_message() -> None:
    with pytest.raises(ExportError) as caught:
        read_export(LEADS_FOR_DEALS, start=dt.date(2027, 3, 1), end=dt.date(2027, 4, 1))
    assert caught.value.problems == [
        "leads.csv: no lead was created in the period [2027-03-01, 2027-04-01) (--from, --to); "
        "its leads were created from 2027-01-04 to 2027-01-06"
    ]


# -- files that cannot be read ---------------------------------------------------------------


def test_a_file_with_none_of_the_required_columns() -> None:
    text = "Name,Email,Phone\nZeferina,zeferina@lead.example,123\n"
    (problem,) = problems_of(text, profile="hubspot")
    assert problem.startswith("leads.csv: no column for lead_id ('Record ID' or 'Contact ID')")
    assert "its columns are 'Name', 'Email', 'Phone'" in problem
    assert "no profile knows these columns" in problem
    text = "Lead ID,Created Date,Lead Source\n1,1/4/2027 9:00 AM,Web\n"
    (problem,) = problems_of(text, profile="pipedrive")
    assert "no column for lead_id ('Lead - ID' or 'Person - ID')" in problem
    assert (
        "the closest profile is salesforce (3 of its fields found): try --profile salesforce"
        in problem
    )


def test_every_problem_at_once_with_file_names_not_paths(tmp_path: Path) -> None:
    leads = tmp_path / "upload-3f9a" / "leads.csv"
    leads.parent.mkdir()
    leads.write_text("Name\nZeferina\n")
    with pytest.raises(ExportError) as caught:
        read_export(
            leads,
            deals=("tmp/x/deals.csv", b"stage\nwon\n"),
            activities=tmp_path / "missing.csv",
            timezone="Nowhere/Town",
        )
    problems = caught.value.problems
    assert len(problems) == 4
    assert problems[0].startswith("--timezone 'Nowhere/Town'")
    assert problems[1].startswith("missing.csv: cannot be read")
    assert problems[2].startswith("leads.csv: no column for lead_id")
    assert problems[3].startswith("deals.csv: no column for deal_id")
    assert not any(str(tmp_path) in p for p in problems)
    with pytest.raises(ExportError) as caught:
        read_export(("a/leads.csv", b"lead_id\n1\n"), deals=("b/deals.csv", b"stage\nwon\n"))
    assert [p.split(":")[0] for p in caught.value.problems] == ["leads.csv", "deals.csv"]


def test_a_file_none_of_whose_rows_can_be_used_says_why() -> None:
    text = "lead_id,created_at\n,2027-01-04\n2,someday\n"
    problems = problems_of(text)
    assert problems[0] == "leads.csv: no lead can be read, of 2 rows"
    assert "leads.csv, column 'lead_id': 1 row left out: no lead id (rows 2)" in problems
    assert any("'someday'" in p and "(rows 3)" in p for p in problems)


def test_an_upload_is_named_without_its_folders() -> None:
    with pytest.raises(ExportError) as caught:
        read_export(("C:\\Users\\ana\\Downloads\\contacts.csv", b"Name\nZeferina\n"))
    assert caught.value.problems[0].startswith("contacts.csv: no column for lead_id")


def test_a_fit_on_a_0_to_100_scale_reads_as_shares() -> None:
    rows = [["lead_id", "created_at", "fit"], ["1", "2027-01-04", "80"], ["2", "2027-01-04", "5%"]]
    rows += [["3", "2027-01-04", "0.5"], ["4", "2027-01-04", "-20"]]
    export = read_text(text_file(rows))
    assert export.leads["fit"].tolist()[:2] == [0.8, 0.05]
    assert export.leads["fit"].isna().tolist() == [False, False, False, True]
    assert note_about(export, "fit", "left empty").rows == (5,)


def test_a_period_past_the_export_date_is_cut_to_it() -> None:
    export = read_export(LEADS_FOR_DEALS, start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 1))
    assert (export.start, export.end) == (pd.Timestamp("2027-01-01"), pd.Timestamp("2027-01-07"))
    assert "--to 2027-12-01 is after the export date" in note_about(export, None, "cut").what


def test_a_workbook_an_empty_file_and_a_big_upload_are_refused() -> None:
    assert "save it as CSV" in problems_of("PK\x03\x04rest")[0]
    assert problems_of("")[0] == "leads.csv: is empty (its first line should be the header row)"
    text = lead_dates("2027-01-04")
    assert "at most 0.0 MB" in problems_of(text, max_bytes=10)[0]
    assert read_text(text, max_bytes=len(text)).leads["lead_id"].tolist() == ["0"]


# -- --map -----------------------------------------------------------------------------------


def test_map_overrides_the_profile() -> None:
    text = "Record ID,Create Date,Signup,Original Source\n1,2027-01-04 09:00,2027-01-03 08:00,Ads\n"
    export = read_text(
        text, mapping=parse_mapping(["created_at=signup", "source = Original Source"])
    )
    assert export.profile == "hubspot"
    assert export.leads["created_at"].tolist() == [pd.Timestamp("2027-01-03 08:00")]
    assert export.leads["source"].tolist() == ["Ads"]


def test_bad_maps() -> None:
    with pytest.raises(ExportError) as caught:
        parse_mapping(["created", "colour=Colour", "deals.stage=Deal Stage", "deals.nope=X"])
    bad, colour, nope = caught.value.problems
    assert bad.startswith("--map 'created': write FIELD=COLUMN")
    assert colour.startswith("--map colour=Colour: 'colour' is not a field; the fields are ")
    assert "leads: lead_id, created_at" in colour
    assert "deals.FIELD: deal_id" in colour
    assert nope.startswith("--map deals.nope=X")
    text = lead_dates("2027-01-04")
    deals, source = problems_of(text, mapping={"source": "Origin", "deals.stage": "Stage"})
    assert deals == "--map deals.stage=Stage: no --deals file was given"
    assert source.startswith("--map source=Origin: leads.csv has no column 'Origin'")
    assert "its columns are 'lead_id', 'created_at'" in source
    problems = problems_of(text, mapping={"deals.stage": "Stage"})
    assert problems == ["--map deals.stage=Stage: no --deals file was given"]


# -- properties ------------------------------------------------------------------------------

ZONES = ("UTC", "America/Sao_Paulo", "America/New_York", "Europe/Lisbon", "Asia/Kolkata")


def offset_text(minutes: int, style: str) -> str:
    if minutes == 0 and style == "Z":
        return "Z"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}" if style == ":" else f"{sign}{hours:02d}{rest:02d}"


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(PROFILES)),
    instant=st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31)),
    minutes=st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: q * 15),
    style=st.sampled_from(["Z", ":", ""]),
    zone=st.sampled_from(ZONES),
)
def test_a_moment_with_any_offset_reads_back_as_the_same_instant(
    name: str, instant: dt.datetime, minutes: int, style: str, zone: str
) -> None:
    profile = PROFILES[name]
    instant = instant.replace(second=0, microsecond=0)
    written_at = instant + dt.timedelta(minutes=minutes)  # the wall clock at that offset
    text = written_at.strftime(profile.time_format)
    text += ("" if "T" in profile.time_format else " ") + offset_text(minutes, style)
    header = profile.columns("leads")
    rows = [[header["lead_id"][0], header["created_at"][0]], ["1", text]]
    export = read_export(("leads.csv", csv_bytes(rows, profile)), profile=name, timezone=zone)
    expected = pd.Timestamp(instant, tz="UTC").tz_convert(zone).tz_localize(None)
    assert export.leads["created_at"].tolist() == [expected]


@settings(max_examples=60, deadline=None)
@given(
    cents=st.integers(min_value=-(10**9), max_value=10**9),
    decimal=st.sampled_from([",", "."]),
    thousands=st.booleans(),
)
def test_an_amount_reads_back_in_either_convention(
    cents: int, decimal: str, thousands: bool
) -> None:
    value = cents / 100
    text = f"{value:,.2f}" if thousands else f"{value:.2f}"
    if decimal == ",":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    rows = [["lead_id", "created_at", "amount"], ["1", "2027-01-04", text]]
    export = read_text(text_file(rows, ";"))
    assert export.leads["amount"].tolist() == [pytest.approx(value)]


# -- the command line's options --------------------------------------------------------------


@click.command()
@click.argument("leads", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@crm_file_options
def show(leads: Path, **options: object) -> None:
    assert set(options) == set(CRM_OPTIONS)
    export = read_export_from_options(leads, **options)  # type: ignore[arg-type]
    click.echo(f"{export.profile} {len(export.leads)} {export.as_of} {export.end:%Y-%m-%d}")


def test_the_options_read_an_export(tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("Record ID,Create Date,Signup\n1,2027-01-04 09:00,2027-01-03 08:00\n")
    calls = tmp_path / "calls.csv"
    calls.write_text("Associated Contact IDs,Activity date\n1,2027-01-05 10:00\n")
    result = CliRunner().invoke(
        show,
        [
            str(leads),
            "--activities",
            str(calls),
            "--map",
            "created_at=Signup",
            "--as-of",
            "2027-01-06",
            "--timezone",
            "America/Sao_Paulo",
            "--from",
            "2027-01-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "hubspot 1 2027-01-06 23:59:59.999999 2027-01-07\n"


def test_the_options_exit_2_with_every_problem(tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,created_at\n1,2027-01-04 09:00\n2,2027-01-09 09:00\n")
    result = CliRunner().invoke(
        show, [str(leads), "--as-of", "2027-01-05T12:00", "--profile", "generic"]
    )
    assert result.exit_code == 2
    assert re.search(
        r"error: leads.csv, column 'created_at': 1 row after the export date", result.stderr
    )
    assert "Traceback" not in result.stderr
    result = CliRunner().invoke(show, [str(leads), "--map", "nothing", "--map", "x=y"])
    assert result.exit_code == 2
    assert result.stderr.count("error: --map") == 2
    result = CliRunner().invoke(show, [str(leads), "--as-of", "soon"])
    assert result.exit_code == 2
    assert "'soon' is not a date" in result.stderr
