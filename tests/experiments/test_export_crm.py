"""The simulated CRM export: it holds what the replication did (the metrics count the same
leads, handoffs, contacts, opportunities, deals and revenue), nothing after its date, and it is
written as each CRM writes its files, untidy where asked, the same bytes for the same seed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sla_sim import load_scenario
from sla_sim.analysis.metrics import compute_metrics
from sla_sim.crm.fields import FIELDS, Table
from sla_sim.crm.profiles import PROFILES, normalise_header
from sla_sim.crm.tables import CrmExport
from sla_sim.experiments.export_crm import (
    LIFECYCLE,
    STATUSES,
    WORDS,
    Untidy,
    simulated_export,
    write_export,
)
from sla_sim.model.events import Event
from sla_sim.model.replication import run_replication
from sla_sim.model.world import build_world
from sla_sim.scenario.schema import Scenario

from conftest import SCENARIOS

TIMEZONE = "America/Sao_Paulo"
TABLES: tuple[Table, ...] = ("leads", "deals", "activities")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """The baseline over two months, in São Paulo, with a source named in Portuguese and deals
    that close within the period (its variants are left out of the export)."""
    return load_scenario(SCENARIOS / "baseline.toml").with_overrides(
        {
            "scenario.months": 2,
            "calendar.timezone": TIMEZONE,
            "sources.0.name": "Indicações",
            "sources.0.leads_per_month": 200,
            "deals.cycle_days": {"dist": "lognormal", "median": 12, "sigma": 0.5},
            "deals.win_prob": 0.6,
        }
    )


@pytest.fixture(scope="module")
def export(scenario: Scenario) -> CrmExport:
    return simulated_export(scenario, seed=3)


def read_file(path: Path, separator: str, encoding: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a written file (blank lines kept as empty rows)."""
    text = path.read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    return rows[0], rows[1:]


def column(header: list[str], rows: list[list[str]], name: str) -> list[str]:
    at = header.index(name)
    return [row[at] for row in rows if row and any(row)]


def written(
    export: CrmExport, profile: str, folder: Path, *switches: str, seed: int = 0
) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The export written as `profile` with the untidy `switches`, read back as text."""
    untidy = Untidy.of(list(switches))
    write_export(export, profile, folder, untidy, seed=seed)
    spec = PROFILES[profile]
    separator = ";" if untidy.semicolons else spec.separator
    encoding = "latin-1" if untidy.latin1 else "utf-8-sig" if untidy.bom else spec.encoding
    return {t: read_file(folder / f"{t}.csv", separator, encoding) for t in TABLES}


# -- what the export holds ------------------------------------------------------------------------


def test_the_export_counts_what_the_replications_metrics_count(
    scenario: Scenario, export: CrmExport
) -> None:
    metrics = compute_metrics(run_replication(build_world(scenario.expand()[0]), 3, 0))
    leads, deals, activities = export.leads, export.deals, export.activities
    assert deals is not None
    assert activities is not None
    assert len(leads) == metrics["leads"]
    assert leads["mql_at"].notna().sum() == metrics["mqls"]
    assert leads["handed_off_at"].notna().sum() == metrics["handed_off"]
    assert leads["contacted_at"].notna().sum() == metrics["contacted"]
    assert leads["opportunity_at"].notna().sum() == metrics["opportunities"] == len(deals)
    won = deals["won"].fillna(False).to_numpy(dtype=bool)
    assert won.sum() == (leads["won"] == True).sum() == metrics["closed_deals"]  # noqa: E712
    assert metrics["closed_deals"] > 5
    cents = 0.005 * len(deals) + 1e-6  # amounts are kept to the cent
    assert deals["amount"][won].sum() == pytest.approx(metrics["revenue"], abs=cents)
    is_open = deals["won"].isna().to_numpy()
    assert is_open.any()
    assert deals["amount"][is_open].sum() == pytest.approx(metrics["pipeline_value"], abs=cents)
    assert leads["attempts"].sum() == len(activities)
    connected = activities[activities["outcome"] == "connected"]["lead_id"]
    assert connected.nunique() == len(connected) == metrics["contacted"]
    never = leads["handed_off_at"].notna() & leads["contacted_at"].isna()
    assert never.sum() == metrics["leads_never_contacted"]


def test_the_export_is_in_canonical_fields_and_types(export: CrmExport) -> None:
    for table in TABLES:
        frame = getattr(export, table)
        assert list(frame.columns) == [f.name for f in FIELDS[table]]
        for f in FIELDS[table]:
            if f.kind == "time":
                assert frame[f.name].dtype == "datetime64[ns]", (table, f.name)
    assert export.leads["lead_id"].is_unique
    assert export.deals["deal_id"].is_unique
    assert export.leads["won"].dtype == "boolean"
    assert export.deals["won"].dtype == "boolean"
    assert export.leads["attempts"].dtype == "Int64"
    assert set(export.leads["status"]) <= set(STATUSES)
    assert set(export.deals["stage"]) == {"won", "lost", "open"}
    assert export.activities["at"].is_monotonic_increasing
    assert export.timezone == TIMEZONE
    assert export.start == pd.Timestamp("2027-01-04")
    assert export.as_of == pd.Timestamp("2027-03-04")
    assert set(export.deals["lead_id"]) <= set(export.leads["lead_id"])
    assert set(export.activities["lead_id"]) <= set(export.leads["lead_id"])


def test_each_leads_moments_come_in_lifecycle_order(export: CrmExport) -> None:
    moments = export.leads[list(LIFECYCLE)].to_numpy(dtype="datetime64[ns]")
    for row in moments:
        known = row[~np.isnat(row)]
        assert (np.diff(known) >= np.timedelta64(0)).all(), row


def test_a_recycled_lead_keeps_its_first_handoff_and_its_calls_of_every_handoff(
    scenario: Scenario, export: CrmExport
) -> None:
    run = run_replication(build_world(scenario.expand()[0]), 3, 0)
    columns = run.log.columns()
    called = (columns["event"] == Event.ATTEMPT) | (columns["event"] == Event.CONNECT)
    again = np.unique(columns["lead"][called & (columns["episode"] == 1)])
    assert len(again) > 0
    # The lead numbered by arrival: the export's rows are in arrival order.
    order = np.lexsort((np.arange(len(run.leads)), run.leads.arrival))
    row_of = np.empty(len(order), dtype=int)
    row_of[order] = np.arange(len(order))
    for lead in again[:5]:
        row = export.leads.iloc[row_of[lead]]
        handoffs = columns["time"][(columns["lead"] == lead) & (columns["event"] == Event.HANDOFF)]
        assert len(handoffs) == 2
        assert row["handed_off_at"] == pd.Timestamp("2027-01-04") + pd.Timedelta(
            seconds=round(handoffs.min() * 3600)
        )
        calls = export.activities[export.activities["lead_id"] == row["lead_id"]]
        assert len(calls) == row["attempts"] == np.count_nonzero(called & (columns["lead"] == lead))
        second = pd.Timestamp("2027-01-04") + pd.Timedelta(hours=handoffs.max())
        assert (calls["at"] >= row["handed_off_at"]).all()
        assert (calls["at"] > second).any()


def test_an_earlier_export_date_holds_only_what_had_happened_by_then(
    scenario: Scenario, export: CrmExport
) -> None:
    as_of = dt.datetime(2027, 2, 10, 12, 0)
    early = simulated_export(scenario, seed=3, as_of=as_of)
    stamp = pd.Timestamp(as_of)
    assert early.as_of == stamp
    assert early.end == pd.Timestamp("2027-02-11")
    for table in TABLES:
        frame = getattr(early, table)
        for f in FIELDS[table]:
            if f.kind == "time":
                assert (frame[f.name].dropna() <= stamp).all(), (table, f.name)
    full = export.leads.set_index("lead_id")
    seen = full[full["created_at"] <= stamp]
    assert list(early.leads["lead_id"]) == list(seen.index)
    assert early.leads["handed_off_at"].notna().sum() == (seen["handed_off_at"] <= stamp).sum()
    # A deal that closed after the export date is open in it, with its value.
    later = export.deals.set_index("deal_id")
    still_open = early.deals[early.deals["won"].isna()].set_index("deal_id")
    assert len(still_open) > 0
    closed_later = later.loc[still_open.index, "closed_at"]
    assert (closed_later.isna() | (closed_later > stamp)).all()
    assert (still_open["amount"] == later.loc[still_open.index, "amount"]).all()
    assert len(early.activities) == (export.activities["at"] <= stamp).sum()


def test_an_export_date_outside_the_horizon_is_refused(scenario: Scenario) -> None:
    for as_of in (dt.datetime(2027, 1, 4), dt.datetime(2027, 3, 4, 0, 0, 1)):
        with pytest.raises(ValueError, match="must lie after 2027-01-04 00:00 and no later than"):
            simulated_export(scenario, as_of=as_of)


def test_an_export_date_with_a_zone_is_read_in_the_teams_zone(scenario: Scenario) -> None:
    zoned = dt.datetime(2027, 2, 10, 15, 0, tzinfo=dt.UTC)  # 12:00 in São Paulo
    assert simulated_export(scenario, as_of=zoned).as_of == pd.Timestamp("2027-02-10 12:00")


def test_another_replication_or_seed_is_another_export(
    scenario: Scenario, export: CrmExport
) -> None:
    for other in (
        simulated_export(scenario, seed=3, replication=1),
        simulated_export(scenario, seed=4),
    ):
        assert not other.leads["created_at"].equals(export.leads["created_at"])


# -- the files of each profile ----------------------------------------------------------------------


@pytest.mark.parametrize("profile", list(PROFILES))
def test_each_profile_writes_its_headers_separator_encoding_and_formats(
    export: CrmExport, profile: str, tmp_path: Path
) -> None:
    spec, words = PROFILES[profile], WORDS[profile]
    files = written(export, profile, tmp_path)
    for table in TABLES:
        header, rows = files[table]
        frame = getattr(export, table)
        expected = [
            spec.columns(table)[f.name][0] for f in FIELDS[table] if f.name in spec.columns(table)
        ]
        assert header == expected, (profile, table)
        assert len(rows) == len(frame)
        assert all(len(row) == len(header) for row in rows)
    # Moments in the profile's own format, in the team's wall clock.
    header, rows = files["leads"]
    created = column(header, rows, spec.columns("leads")["created_at"][0])
    assert created == list(export.leads["created_at"].dt.strftime(spec.time_format))
    # Deals: won, lost and open in the CRM's words, amounts with its decimal mark.
    header, rows = files["deals"]
    stage = column(header, rows, spec.columns("deals")["stage"][0])
    assert set(stage) == {words.won, words.lost, words.open}
    assert {s for s in stage if s.casefold() in spec.won_stages} == {words.won}
    assert {s for s in stage if s.casefold() in spec.lost_stages} == {words.lost}
    amounts = column(header, rows, spec.columns("deals")["amount"][0])
    assert all(re.fullmatch(rf"\d+{re.escape(spec.decimal)}\d\d", a) for a in amounts)
    header, rows = files["activities"]
    outcome = column(header, rows, spec.columns("activities")["outcome"][0])
    assert {o for o in outcome if o.casefold() in spec.connected_outcomes} == {words.connected}


def test_the_crms_own_words(export: CrmExport, tmp_path: Path) -> None:
    header, rows = written(export, "hubspot", tmp_path / "h")["deals"]
    assert set(column(header, rows, "Deal Stage")) >= {"Closed Won", "Closed Lost"}
    header, rows = written(export, "salesforce", tmp_path / "s")["deals"]
    won = column(header, rows, "Won")
    assert set(won) == {"TRUE", "FALSE"}
    assert won.count("TRUE") == export.deals["won"].fillna(False).sum()
    header, rows = written(export, "pipedrive", tmp_path / "p")["deals"]
    assert set(column(header, rows, "Deal - Status")) == {"won", "lost", "open"}
    files = written(export, "rdstation", tmp_path / "r")
    header, rows = files["leads"]
    assert "Data de criação" in header
    assert "Estágio no funil" in header
    assert "Indicações" in column(header, rows, "Origem da primeira conversão")
    assert set(column(header, rows, "Venda ganha")) == {"", "Sim", "Não"}
    assert (tmp_path / "r" / "leads.csv").read_bytes().count("ç".encode("latin-1")) > 0


def test_a_profile_without_a_column_does_not_write_it(export: CrmExport, tmp_path: Path) -> None:
    header, rows = written(export, "hubspot", tmp_path)["leads"]
    assert all(
        normalise_header(h) not in {"won", "amount", "fit"} for h in header
    )  # HubSpot contacts have no won, amount or fit
    # Without a won column, the close date is the day a lead became a customer.
    customer = column(header, rows, 'Date entered "Customer (Lifecycle Stage Pipeline)"')
    won = export.leads["won"].fillna(False).to_numpy(dtype=bool)
    assert [bool(c) for c in customer] == list(won)


def test_an_unknown_profile_is_refused(export: CrmExport, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown profile 'zoho'; allowed: hubspot"):
        write_export(export, "zoho", tmp_path)
    assert not any(tmp_path.iterdir())


def test_the_files_are_written_together(export: CrmExport, tmp_path: Path) -> None:
    paths = write_export(export, "generic", tmp_path)
    assert sorted(paths) == sorted(TABLES)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    assert paths.rows == {t: len(getattr(export, t)) for t in TABLES}


# -- the same bytes ------------------------------------------------------------------------------------

MESSY = ("semicolons", "offsets", "empty_rows", "duplicate_ids", "out_of_order", "renamed_stages")


def test_the_same_seed_writes_the_same_bytes(scenario: Scenario, tmp_path: Path) -> None:
    def files(folder: str, seed: int) -> dict[str, bytes]:
        export = simulated_export(scenario, seed=seed)
        write_export(export, "hubspot", tmp_path / folder, Untidy.of(MESSY), seed=seed)
        return {t: (tmp_path / folder / f"{t}.csv").read_bytes() for t in TABLES}

    one, two, other = files("one", 5), files("two", 5), files("other", 6)
    assert one == two
    assert all(one[t] != other[t] for t in TABLES)


def test_another_seed_makes_other_rows_untidy(export: CrmExport, tmp_path: Path) -> None:
    a = written(export, "generic", tmp_path / "a", "duplicate_ids", seed=1)["leads"][1]
    b = written(export, "generic", tmp_path / "b", "duplicate_ids", seed=2)["leads"][1]
    assert a != b


# -- untidiness, switch by switch ----------------------------------------------------------------------


def _separator_and_decimal(export: CrmExport, folder: Path) -> None:
    header, rows = written(export, "generic", folder, "semicolons")["deals"]
    assert len(header) == len(FIELDS["deals"])
    assert all(re.fullmatch(r"\d+,\d\d", a) for a in column(header, rows, "amount"))
    fit = column(*written(export, "generic", folder, "semicolons")["leads"], "fit")
    assert any("," in f for f in fit)
    assert not any("." in f for f in fit)


def _latin1(export: CrmExport, folder: Path) -> None:
    written(export, "generic", folder, "latin1")
    data = (folder / "leads.csv").read_bytes()
    assert "Indicações".encode("latin-1") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def _bom(export: CrmExport, folder: Path) -> None:
    written(export, "rdstation", folder, "bom")
    for table in TABLES:
        data = (folder / f"{table}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert "Indicações" in data.decode("utf-8-sig") or table != "leads"


def _dates(first: str) -> Callable[[CrmExport, Path], None]:
    def check(export: CrmExport, folder: Path) -> None:
        header, rows = written(export, "pipedrive", folder, first)["leads"]
        created = column(header, rows, "Lead - Lead created")
        style = "%d/%m/%Y %H:%M" if first == "day_first" else "%m/%d/%Y %H:%M"
        assert created == list(export.leads["created_at"].dt.strftime(style))
        position = 0 if first == "day_first" else 1
        assert any(int(c.split("/")[position]) > 12 for c in created)

    return check


def _offsets(export: CrmExport, folder: Path) -> None:
    header, rows = written(export, "generic", folder, "offsets")["activities"]
    cells = column(header, rows, "at")
    assert any(c.endswith("Z") for c in cells)
    assert any(c.endswith("-03:00") for c in cells)
    moments = pd.to_datetime(pd.Series(cells), format="ISO8601", utc=True)
    wall = moments.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    assert (wall.to_numpy() == export.activities["at"].to_numpy()).all()


def _empty_rows(export: CrmExport, folder: Path) -> None:
    for table, (_, rows) in written(export, "salesforce", folder, "empty_rows").items():
        empty = [row for row in rows if not any(row)]
        assert len(empty) >= 2, table
        assert len(rows) - len(empty) == len(getattr(export, table))


def _duplicate_ids(export: CrmExport, folder: Path) -> None:
    files = written(export, "hubspot", folder, "duplicate_ids")
    for table in ("leads", "deals"):
        _header, rows = files[table]
        ids = [row[0] for row in rows]
        assert len(ids) > len(set(ids))
        assert set(ids) == set(getattr(export, table).iloc[:, 0])
        by_id: dict[str, list[str]] = {}
        for row in rows:
            assert by_id.setdefault(row[0], row) == row  # a copy, not another record


def _out_of_order(export: CrmExport, folder: Path) -> None:
    header, rows = written(export, "generic", folder, "out_of_order")["leads"]
    frame = pd.DataFrame(rows, columns=header)
    moments = frame[list(LIFECYCLE)].apply(pd.to_datetime).to_numpy(dtype="datetime64[ns]")
    backwards = [
        row
        for row in moments
        if (np.diff(row[~np.isnat(row)]) < np.timedelta64(0)).any()  # later before earlier
    ]
    assert len(backwards) >= 2
    assert frame["lead_id"].tolist() == export.leads["lead_id"].tolist()


def _deals_without_lead(export: CrmExport, folder: Path) -> None:
    header, rows = written(export, "generic", folder, "deals_without_lead")["deals"]
    leads = column(header, rows, "lead_id")
    assert 2 <= leads.count("") < len(leads)


def _only_won_deals(export: CrmExport, folder: Path) -> None:
    header, rows = written(export, "hubspot", folder, "only_won_deals")["deals"]
    assert set(column(header, rows, "Deal Stage")) == {"Closed Won"}
    assert len(rows) == export.deals["won"].fillna(False).sum()


def _placeholder_close(export: CrmExport, folder: Path) -> None:
    header, rows = written(export, "pipedrive", folder, "placeholder_close")["deals"]
    status = column(header, rows, "Deal - Status")
    closed = column(header, rows, "Deal - Deal closed on")
    assert {c for s, c in zip(status, closed, strict=True) if s == "open"} == {
        "2099-12-31 00:00:00"
    }
    assert all(c.startswith("2027-") for s, c in zip(status, closed, strict=True) if s != "open")


def _renamed_stages(export: CrmExport, folder: Path) -> None:
    header, rows = written(export, "hubspot", folder, "renamed_stages")["deals"]
    stage = column(header, rows, "Deal Stage")
    words = WORDS["hubspot"]
    own = {words.won, words.lost, words.open}
    assert not set(stage) & own
    assert {normalise_header(s) for s in stage} == {normalise_header(w) for w in own}


def _personal_data(export: CrmExport, folder: Path) -> None:
    files = written(export, "hubspot", folder, "personal_data")
    header, rows = files["leads"]
    assert header[:4] == ["Record ID", "First Name", "Email", "Phone Number"]
    assert all(re.fullmatch(r"Lead \d+", v) for v in column(header, rows, "First Name"))
    assert all(re.fullmatch(r"lead\d+@example\.test", v) for v in column(header, rows, "Email"))
    assert all(re.fullmatch(r"\+1 555 01\d\d", v) for v in column(header, rows, "Phone Number"))
    for table in ("deals", "activities"):
        assert "Email" not in files[table][0]


UNTIDY_CHECKS: dict[str, Callable[[CrmExport, Path], None]] = {
    "semicolons": _separator_and_decimal,
    "latin1": _latin1,
    "bom": _bom,
    "day_first": _dates("day_first"),
    "month_first": _dates("month_first"),
    "offsets": _offsets,
    "empty_rows": _empty_rows,
    "duplicate_ids": _duplicate_ids,
    "out_of_order": _out_of_order,
    "deals_without_lead": _deals_without_lead,
    "only_won_deals": _only_won_deals,
    "placeholder_close": _placeholder_close,
    "renamed_stages": _renamed_stages,
    "personal_data": _personal_data,
}


def test_every_untidy_switch_is_checked() -> None:
    assert sorted(UNTIDY_CHECKS) == sorted(Untidy.names())


@pytest.mark.parametrize("switch", list(UNTIDY_CHECKS))
def test_each_untidy_switch_changes_the_files_as_it_says(
    export: CrmExport, switch: str, tmp_path: Path
) -> None:
    UNTIDY_CHECKS[switch](export, tmp_path)


def test_switches_that_cannot_go_together_are_refused() -> None:
    for pair in (("latin1", "bom"), ("day_first", "month_first"), ("offsets", "day_first")):
        with pytest.raises(ValueError, match=f"untidy {pair[0]} and {pair[1]} cannot be combined"):
            Untidy.of(list(pair))
    with pytest.raises(ValueError, match="unknown untidy 'messy'; allowed: semicolons"):
        Untidy.of(["messy"])


def test_nothing_in_the_files_looks_like_a_person(export: CrmExport, tmp_path: Path) -> None:
    """Reps and leads are numbered; the only e-mails and phones are the synthetic ones."""
    for profile in PROFILES:
        for table, (header, rows) in written(export, profile, tmp_path / profile).items():
            text = "\n".join(",".join(row) for row in rows)
            assert "@" not in text, (profile, table)
            owner = PROFILES[profile].columns(table)["owner"][0]
            owners = set(column(header, rows, owner))
            assert all(re.fullmatch(r"(Rep|AE) \d\d", o) for o in owners - {""}), owners


def test_with_account_executives_and_a_changing_team_the_counts_still_hold() -> None:
    """A deal an account executive took is theirs; one still waiting for an AE is open."""
    document = load_scenario(SCENARIOS / "growth.toml").to_document()
    document["scenario"]["months"] = 2
    document["variants"] = []
    document["ae"] = {"reps": 1, "max_open_opportunities": 4}
    scenario = Scenario.model_validate(document)
    assert scenario.team.varies
    export = simulated_export(scenario, seed=2)
    metrics = compute_metrics(run_replication(build_world(scenario), 2, 0))
    deals = export.deals
    assert deals is not None
    assert len(deals) == metrics["opportunities"]
    assert deals["won"].fillna(False).sum() == metrics["closed_deals"]
    by_ae = deals["owner"].str.startswith("AE ")
    assert 0 < by_ae.sum() < len(deals)
    assert deals["won"][~by_ae].isna().all()  # no AE took them: still open
