"""`sla-sim export-crm`: a scenario's simulated CRM export as a profile's files, what it wrote
printed, and bad input refused with one message and exit 2, nothing written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sla_sim.crm.profiles import PROFILES

from conftest import SCENARIOS, sla_sim

BAD_INPUT = 2
FILES = ("leads.csv", "deals.csv", "activities.csv")


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baseline, two months long."""
    text = (SCENARIOS / "baseline.toml").read_text()
    assert "months = 12 " in text
    path = tmp_path_factory.mktemp("export") / "small.toml"
    path.write_text(text.replace("months = 12 ", "months = 2 ", 1))
    return path


def test_export_crm_writes_the_profiles_files_and_says_what_it_wrote(
    small: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    result = sla_sim(
        "export-crm", small, "--profile", "salesforce", "--out", out, "--seed", "4",
        "--untidy", "duplicate_ids", "--untidy", "bom", "--as-of", "2027-02-20",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    no_traceback(result)
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    for name, line in zip(FILES, lines, strict=True):
        path = out / name
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = data.decode("utf-8-sig").count("\r\n") - 1
        assert line == f"wrote {path} ({rows:,} rows)"
    header = (out / "leads.csv").read_text("utf-8-sig").splitlines()[0]
    assert header.startswith(",".join(PROFILES["salesforce"].columns("leads")["lead_id"][:1]))
    assert "2027-02-20 00:00 export of 'Baseline' (seed 4, replication 0)" in result.stderr
    assert "untidy: bom, duplicate_ids" in result.stderr


def test_export_crm_twice_with_one_seed_writes_the_same_bytes(small: Path, tmp_path: Path) -> None:
    files = []
    for name in ("one", "two"):
        out = tmp_path / name
        result = sla_sim(
            "export-crm", small, "--profile", "rdstation", "--out", out, "--replication", "2",
            "--untidy", "empty_rows",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        files.append([(out / name).read_bytes() for name in FILES])
    assert files[0] == files[1]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--as-of", "2028-01-01"], "--as-of 2028-01-01 00:00: outside the simulated period"),
        (["--untidy", "latin1", "--untidy", "bom"], "untidy latin1 and bom cannot be combined"),
        (["--untidy", "tidy"], "'tidy' is not one of 'semicolons'"),
        (["--profile", "zoho"], "'zoho' is not one of 'hubspot'"),
        (["--seed", "-1"], "-1 is not in the range x>=0"),
    ],
)
def test_export_crm_refuses_bad_options_and_writes_nothing(
    small: Path, tmp_path: Path, options: list[str], message: str
) -> None:
    out = tmp_path / "export"
    profile = [] if "--profile" in options else ["--profile", "generic"]
    result = sla_sim("export-crm", small, *profile, "--out", out, *options)
    assert result.returncode == BAD_INPUT
    no_traceback(result)
    assert message in result.stderr
    assert not out.exists()


def test_export_crm_refuses_a_bad_scenario_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "Bad"\n\n[[sources]]\nname = "Web"\nleads_per_month = -5\n')
    out = tmp_path / "export"
    result = sla_sim("export-crm", bad, "--profile", "hubspot", "--out", out)
    assert result.returncode == BAD_INPUT
    no_traceback(result)
    assert "bad.toml: sources[0].leads_per_month = -5: must be >= 0" in result.stderr
    assert not out.exists()
