"""Reading a team's CRM export as it comes (SPEC §11): the leads file, and the deals and
activities files when given, into one `CrmExport` in canonical fields.

What is read:

- Columns: the profile's first header found for each field (`crm.profiles`; `auto` picks the
  profile by the leads file's headers, and the other files are read with it), unless `--map
  FIELD=COLUMN` names another. Only those columns are loaded (pandas' `usecols`), so a name, an
  e-mail or a phone column never is.
- The file: `,`, `;` or tab separated (the one that splits the header row most; an Excel
  "sep=;" first line is obeyed), UTF-8 with or without a BOM, else Latin-1; headers compared
  without case, surrounding spaces or a BOM; rows numbered as a spreadsheet shows them.
- Moments: ISO ("2027-01-04T09:30:00-03:00") or day and month as numbers ("04/01/2027 9:30
  AM"), with or without a time. Whether a column writes the day or the month first is settled
  by a value above 12; a column none settles follows the file's settled columns, else the
  profile, with a note. A moment with an offset ("Z", "+01:00", "-0300") is converted to the
  time zone and kept as wall-clock time; one without is taken as written in it. The time zone
  is `timezone`, UTC when none is given (a note says so where a file carries offsets): the
  commands pass the team's (`--timezone`, or the terms' `calendar.timezone`).
- Numbers: either decimal mark, thousands separators, a currency and spaces ("R$ 1.234,56",
  "$1,234.56"); the column's values settle the mark, else the profile's (with a note where a
  value reads either way, "1.234").
- Owners: an e-mail address in an owner is dropped, leaving the name written with it ("Ana
  Souza <ana@x.com>" reads "Ana Souza"); a bare address reads the name it has elsewhere in the
  export, else "Owner N", numbered by first appearance across the files (`parse.Owners`).
- Ids: text; "123.0" (a spreadsheet's number) reads "123"; a cell listing several ids keeps the
  first (noted).
- The export date (`as_of`): by default the latest moment that happened in the files (not the
  close date of a deal not known to be closed). The period: leads created in [start, end), by
  default from the first lead's day to the day after the export date (an `end` beyond that is
  cut to it, with a note).

What is done with rows that cannot be used as they are (each a `ReadNote`, counted, with the
first rows):

- an empty row is skipped; one with more values than the header has columns is left out;
- a lead without an id, or without a readable creation or MQL time, is left out; one without a
  creation time but with an MQL time takes that as its creation;
- a repeated lead id keeps its row with the most fields filled (ties: the earliest created, then
  the first in the file), as the most complete record of the lead; the others are left out;
- a lifecycle moment before an earlier stage's (an MQL before the lead was created, a first
  attempt before the handoff) is raised to it: the stage happened, and not before the one it
  follows; in the response time such a lead reads as answered at once;
- an unreadable optional value is left empty; a column empty in every row is taken as missing;
- a deal without a lead, or whose lead is not in the leads file, is kept; an open deal (a stage
  neither won nor lost, or an empty won flag) has no close date, whatever the file says (a
  placeholder or an expected date); without a won flag or a stage, a close date after the
  export date is taken as expected; a deals file with only won deals sets `deals_only_won`;
- an activity without a lead, a time, or with a date alone is left out; one whose lead is not
  in the leads file is kept;
- deals and activities of leads created outside the period are left out.

What refuses the export (`ExportError`, every problem of every file at once): a file that
cannot be read, a required column not found (the message lists what was expected, what was
found and the closest profile), a `--map` that names no field or no column of the file, an
activity column of dates without times, a moment after the export date, a file none of whose
rows can be used (with the reasons), and a period without leads.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zoneinfo
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pandas as pd

from sla_sim.crm import parse
from sla_sim.crm.fields import FIELDS, LIFECYCLE, REQUIRED, TABLES, Field, Table
from sla_sim.crm.profiles import (
    PROFILE_NAMES,
    PROFILES,
    Profile,
    detect_profile,
    matches,
    normalise_header,
)
from sla_sim.crm.tables import CrmExport, ExportError, ReadNote
from sla_sim.scenario.schema import TIMEZONE_EXAMPLES

Source = Path | tuple[str, bytes]
"""A file on disk, or (file name, content) as the app receives an upload."""

DEFAULT_TIMEZONE = "UTC"
ROWS_SHOWN = 5
SEPARATORS = (",", ";", "\t")
HEADERS_SHOWN = 40
HEADER_BYTES = 1 << 20
TIME_WORDS = ("time", "created", "completed", "done", "hora", "criação", "conclusão")
"""Words of a header that may hold an activity's moment, suggested when `at` holds dates."""
SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
MAX_OUTCOMES_SHOWN = 20
"""Outcomes are listed in a note only when there are this few (a category, not free text)."""


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """`--map FIELD=COLUMN` options as {"FIELD": column, "deals.FIELD": column, ...}; every bad
    one in one ExportError that lists the fields."""
    problems: list[str] = []
    mapping: dict[str, str] = {}
    for item in items:
        name, equals, column = item.partition("=")
        name, column = name.strip(), column.strip()
        if not equals or not name or not column:
            problems.append(
                f'--map {item!r}: write FIELD=COLUMN, e.g. --map created_at="Create Date" '
                "(deals.FIELD and activities.FIELD for the other files)"
            )
            continue
        key = name.removeprefix("leads.")
        if key in mapping:
            problems.append(f"--map {name}: given twice ({mapping[key]!r} and {column!r})")
        mapping[key] = column
    problems += _split_mapping(mapping)[1]
    if problems:
        raise ExportError(problems)
    return mapping


def _split_mapping(mapping: Mapping[str, str]) -> tuple[dict[Table, dict[str, str]], list[str]]:
    """The mapping by table, and a line for each key that names no field."""
    by_table: dict[Table, dict[str, str]] = {table: {} for table in TABLES}
    problems = []
    for key, column in mapping.items():
        prefix, dot, name = key.rpartition(".")
        table = next((t for t in TABLES if t == (prefix if dot else "leads")), None)
        if table is not None and any(f.name == name for f in FIELDS[table]):
            by_table[table][name] = column
            continue
        listed = "; ".join(
            f"{t}: {', '.join(f.name for f in FIELDS[t])}"
            if t == "leads"
            else f"{t}.FIELD: {', '.join(f.name for f in FIELDS[t])}"
            for t in TABLES
        )
        problems.append(f"--map {key}={column}: {key!r} is not a field; the fields are {listed}")
    return by_table, problems


# -- files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _File:
    """One file of the export, its header row read (and nothing else yet)."""

    table: Table
    name: str
    source: Source
    headers: tuple[str, ...]
    separator: str
    skip: int
    """Lines before the first row (the header, and an Excel "sep=" line)."""
    encodings: tuple[str, ...]

    def position(self, column: str) -> int | None:
        wanted = normalise_header(column)
        for index, header in enumerate(self.headers):
            if normalise_header(header) == wanted:
                return index
        return None

    def listing(self) -> str:
        shown = ", ".join(repr(h) for h in self.headers[:HEADERS_SHOWN])
        more = len(self.headers) - HEADERS_SHOWN
        return shown + (f" and {more} more" if more > 0 else "")


def _file_name(source: Source) -> str:
    """The file's name without its folders (an upload may carry a Windows path)."""
    if isinstance(source, tuple):
        return Path(source[0].replace("\\", "/")).name
    return Path(source).name


@contextmanager
def _binary(source: Source) -> Iterator[IO[bytes]]:
    if isinstance(source, tuple):
        yield io.BytesIO(source[1])
    else:
        with Path(source).open("rb") as handle:
            yield handle


def _open(table: Table, source: Source, max_bytes: int | None) -> _File | str:
    """The file with its header row, or the problem that stops it being read."""
    name = _file_name(source)
    try:
        size = len(source[1]) if isinstance(source, tuple) else Path(source).stat().st_size
        with _binary(source) as handle:
            lines = [handle.readline(HEADER_BYTES)]
            if lines[0].removeprefix(codecs.BOM_UTF8)[:4].lower() == b"sep=":  # Excel's hint
                lines.append(handle.readline(HEADER_BYTES))
    except OSError as error:
        return f"{name}: cannot be read ({error.strerror or error})"
    if max_bytes is not None and size > max_bytes:
        return f"{name}: {size / 1e6:,.1f} MB; a file may be at most {max_bytes / 1e6:,.1f} MB"
    if lines[0].startswith(SPREADSHEET_MAGIC):
        return f"{name}: is a spreadsheet workbook, not a CSV file; save it as CSV and try again"
    encodings: tuple[str, ...] = ("utf-8-sig", "latin-1")
    try:
        texts = [line.decode("utf-8-sig") for line in lines]
    except UnicodeDecodeError:
        texts, encodings = [line.decode("latin-1") for line in lines], ("latin-1",)
    texts = [t.removeprefix("ï»¿").rstrip("\r\n") for t in texts]
    skip = 1
    separator = None
    if texts[0].casefold().startswith("sep=") and len(texts[0]) == 5:
        separator, skip, texts = texts[0][4], 2, texts[1:]
    header = texts[0]
    if not header.strip():
        return f"{name}: is empty (its first line should be the header row)"
    if separator is None:
        separator = max(SEPARATORS, key=lambda s: len(next(csv.reader([header], delimiter=s))))
    headers = tuple(h.strip() for h in next(csv.reader([header], delimiter=separator)))
    return _File(table, name, source, headers, separator, skip, encodings)


def _columns(
    file: _File, profile: Profile, mapped: dict[str, str], *, auto: bool
) -> tuple[dict[str, int], list[str]]:
    """Each field's column in `file`: the one `--map` names, else the profile's first header
    found; and the problems (a mapped column not in the file, a required field not found)."""
    prefix = "" if file.table == "leads" else f"{file.table}."
    found: dict[str, int] = {}
    problems = []
    for item in FIELDS[file.table]:
        if item.name in mapped:
            position = file.position(mapped[item.name])
            if position is None:
                problems.append(
                    f"--map {prefix}{item.name}={mapped[item.name]}: {file.name} has no column "
                    f"{mapped[item.name]!r}; its columns are {file.listing()}"
                )
            else:
                found[item.name] = position
            continue
        for alias in profile.columns(file.table).get(item.name, ()):
            position = file.position(alias)
            if position is not None:
                found[item.name] = position
                break
    if not problems:
        problems += _required(file, profile, found, auto=auto)
    return found, problems


def _required(file: _File, profile: Profile, found: dict[str, int], *, auto: bool) -> list[str]:
    """A line when a required field has no column: what was expected, what was found, and the
    profile whose headers the file matches best."""
    lacking = [group for group in REQUIRED[file.table] if not any(f in found for f in group)]
    if not lacking:
        return []
    prefix = "" if file.table == "leads" else f"{file.table}."

    def expected(name: str) -> str:
        aliases = profile.columns(file.table).get(name, ())
        return f"{name} ({' or '.join(repr(a) for a in aliases) or 'no header'})"

    wanted = "; ".join(" or ".join(expected(name) for name in group) for group in lacking)
    best, count = detect_profile(list(file.headers), file.table)
    whose = f"with the {profile.name} profile"
    if auto and count == 0:
        whose = f"in {profile.name}'s headers, nor in any other profile's"
    if count == 0:
        advice = ("" if auto else "no profile knows these columns: ") + (
            "name them with "
            f"--map {prefix}{lacking[0][0]}=COLUMN, or write the generic names "
            f"({', '.join(f.name for f in FIELDS[file.table])})"
        )
    elif best.name != profile.name and count > matches(profile, file.table, list(file.headers)):
        advice = (
            f"the closest profile is {best.name} ({count} of its fields found): "
            f"try --profile {best.name}"
        )
    else:
        advice = f"name the column with --map {prefix}{lacking[0][0]}=COLUMN"
    return [
        f"{file.name}: no column for {wanted} {whose}; its columns are {file.listing()}; {advice}"
    ]


class _Rows(io.RawIOBase):
    """A file's rows after its header, behind a first line of one empty value more than the
    header has columns: pandas then keeps a column for the values a row has beyond the
    header's, which says which rows have them (a separator inside an unquoted value)."""

    def __init__(self, first: bytes, rest: IO[bytes]) -> None:
        self._first = first
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._first:
            size = min(len(buffer), len(self._first))
            buffer[:size] = self._first[:size]
            self._first = self._first[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _load(file: _File, columns: dict[str, int]) -> tuple[pd.DataFrame, pd.Series] | str:
    """The mapped columns of `file` as raw text, indexed by the row numbers a spreadsheet shows
    (the header is row 1), and the mask of rows with more values than the header has columns.
    Only those columns are kept; the others are split but never stored."""
    width = len(file.headers)
    positions = sorted(set(columns.values()))
    first = file.separator.encode("ascii") * width + b"\n"
    frame = None
    for encoding in file.encodings:
        try:
            with _binary(file.source) as handle:
                for _ in range(file.skip):
                    handle.readline(HEADER_BYTES)
                rows = io.BufferedReader(_Rows(first, handle))
                frame = pd.read_csv(
                    rows,
                    sep=file.separator,
                    header=None,
                    names=list(range(width + 1)),
                    usecols=[*positions, width],
                    dtype=str,
                    na_filter=False,
                    skip_blank_lines=False,
                    encoding=encoding,
                    engine="c",
                )
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, ValueError, OSError) as error:
            return f"{file.name}: cannot be read as CSV ({error})"
    assert frame is not None  # Latin-1 decodes every byte
    frame = frame.iloc[1:].fillna("")
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    raw = pd.DataFrame({name: frame[position] for name, position in columns.items()})
    return raw, frame[width].str.strip() != ""


# -- reading ---------------------------------------------------------------------------------


def _rows(mask: pd.Series) -> list[int]:
    return [int(row) for row in mask.index[mask.to_numpy(dtype=bool)]]


@dataclass
class _Table:
    """One file being read: its raw text, the values read so far, and its columns' headers."""

    file: _File
    raw: pd.DataFrame
    columns: dict[str, int]
    read: dict[str, pd.Series] = field(default_factory=dict)
    reading: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Each column read, as what ("a moment"), and what it allows (for the notes)."""
    rows: int = 0
    """The file's rows, empty ones included."""

    def __post_init__(self) -> None:
        self.rows = len(self.raw)

    def header(self, name: str) -> str:
        return self.file.headers[self.columns[name]]

    def keep(self, rows: pd.Series) -> None:
        """Keep only the rows of `rows` (a mask on the current rows)."""
        self.raw = self.raw[rows]
        for name, values in self.read.items():
            self.read[name] = values[rows]


class _Reader:
    """Reads the files of one export, collecting notes and problems as it goes."""

    def __init__(self, profile: Profile, timezone: str, timezone_given: bool) -> None:
        self.profile = profile
        self.timezone = timezone
        self.timezone_given = timezone_given
        self.notes: list[ReadNote] = []
        self.problems: list[str] = []
        self.owners = parse.Owners()
        self.leads_file = ""

    def note(self, table: _Table, column: str | None, what: str, mask: pd.Series) -> None:
        rows = _rows(mask)
        if rows:
            header = table.header(column) if column else None
            self.notes.append(
                ReadNote(table.file.name, header, what, tuple(rows[:ROWS_SHOWN]), len(rows))
            )

    def refuse(self, table: _Table, column: str | None, what: str, mask: pd.Series) -> None:
        rows = _rows(mask)
        header = table.header(column) if column else None
        note = ReadNote(table.file.name, header, what, tuple(rows[:ROWS_SHOWN]), len(rows))
        self.problems.append(note.message())

    # -- values ------------------------------------------------------------------------------

    def values(self, table: _Table) -> None:
        """Read every mapped column by its field's kind, unreadable values left empty (and
        kept in a mask: `unreadable_notes` reports them once the table's rows are settled)."""
        items = [f for f in FIELDS[table.file.table] if f.name in table.columns]
        self.moments(table, [f.name for f in items if f.kind == "time"])
        for item in items:
            if item.kind != "time":
                self.value(table, item)

    def unreadable(
        self, table: _Table, name: str, mask: pd.Series, reading: str, allowed: str
    ) -> None:
        table.read[f"{name}:unreadable"] = mask
        table.reading[name] = (reading, allowed)

    def unreadable_notes(self, table: _Table, skip: Sequence[str] = ()) -> None:
        """A note per column on its values left empty, among the rows kept; `skip`: the
        required columns, whose unreadable rows the table has refused (with their own note)."""
        for name, (reading, allowed) in table.reading.items():
            mask = table.read[f"{name}:unreadable"]
            if name not in skip and mask.any():
                seen = parse.shown(table.raw[name][mask])
                what = f"left empty: not readable as {reading} (seen: {seen}; allowed: {allowed})"
                self.note(table, name, what, mask)

    def value(self, table: _Table, item: Field) -> None:
        raw, name, profile = table.raw[item.name], item.name, self.profile
        if item.kind == "id":
            ids, several = parse.parse_ids(raw)
            what = "read with the first id: the cell lists several"
            self.note(table, name, what, several)
            table.read[name] = ids
        elif item.kind == "text":
            table.read[name] = self.owners.read(raw) if name == "owner" else parse.text(raw)
        elif item.kind == "flag":
            flags, bad = parse.parse_flags(
                raw, true_words=profile.true_words, false_words=profile.false_words
            )
            words = ", ".join(repr(w) for w in (*profile.true_words, *profile.false_words))
            self.unreadable(table, name, bad, "yes or no", words)
            table.read[name] = flags
        else:
            numbers = parse.parse_numbers(raw, decimal=profile.decimal)
            values, bad = numbers.values, numbers.unreadable
            if item.kind == "count":
                whole = values.isna() | (values >= 0) & (values == values.round())
                bad = bad | ~whole
                values = values.where(whole)
                self.unreadable(table, name, bad, "a count", "a whole number, 0 or more")
                table.read[name] = values.round().astype("Int64")
                return
            if name == "fit":
                values, bad = self.fit(table, values, bad, numbers.percent)
            else:
                allowed = "a number such as 1234.56, 1.234,56 or R$ 1.234,56"
                self.unreadable(table, name, bad, "a number", allowed)
            if numbers.ambiguous:
                either = raw.str.contains(r"^\D*\d{1,3}[.,]\d{3}\D*$") & values.notna()
                what = (
                    f"read with {numbers.decimal!r} as the decimal mark, as {profile.name} "
                    f"writes it: these read either way (seen: {parse.shown(raw[either])}) and "
                    "no value of the column settles the mark"
                )
                self.note(table, name, what, either)
            table.read[name] = values.astype(float)

    def fit(
        self, table: _Table, values: pd.Series, bad: pd.Series, percent: pd.Series
    ) -> tuple[pd.Series, pd.Series]:
        """Fit is a share: a column on a 0-100 scale (every value, some above 1) is read as
        percentages, with a note."""
        plain = values.notna() & ~percent
        if (values[plain] > 1).any() and (values[plain] <= 100).all():
            self.note(
                table,
                "fit",
                "read as percentages: the column is on a 0-100 scale",
                plain & (values > 1),
            )
            values = values.where(~plain, values / 100.0)
        outside = values.notna() & ((values < 0) | (values > 1))
        self.unreadable(table, "fit", bad | outside, "a fit", "a number from 0 to 1, or 0% to 100%")
        return values.where(~outside), bad | outside

    def moments(self, table: _Table, names: list[str]) -> None:
        """The time columns of one file: the order of day and month settled per column, a
        column none settles taking the file's settled columns', else the profile's."""
        written = {name: parse.written_moments(table.raw[name]) for name in names}
        orders = {name: w.order() for name, w in written.items()}
        settled = {order for order, _ in orders.values() if order is not None}
        offsets = pd.Series(False, index=table.raw.index)
        for name, moments in written.items():
            order, slashed = orders[name]
            if order is None:
                if len(settled) == 1:
                    order = next(iter(settled))
                    reason = "as the file's other date columns show"
                else:
                    order = self.profile.day_first
                    reason = f"as {self.profile.name} writes them"
                if slashed:
                    how = "day" if order else "month"
                    what = (
                        f"read {how} first, {reason}: day and month are both 12 or less, so "
                        "no value of this column settles their order"
                    )
                    self.note(table, name, what, moments.slashed)
            read = moments.read(day_first=order, timezone=self.timezone)
            self.unreadable(table, name, read.unreadable, "a moment", parse.MOMENT_FORMS)
            offsets |= read.offset
            table.read[name] = read.at
            table.read[f"{name}:timed"] = read.timed
            table.read[f"{name}:dated"] = read.dated
        if not self.timezone_given:
            what = (
                "converted to UTC from the offsets their moments carry: give --timezone for "
                "the team's wall-clock time"
            )
            self.note(table, None, what, offsets)

    # -- rows --------------------------------------------------------------------------------

    def rows(self, table: _Table, extra: pd.Series) -> None:
        """Leave out empty rows and rows with more values than the header has columns."""
        empty = pd.concat([parse.is_empty(table.raw[c]) for c in table.raw], axis=1).all(axis=1)
        what = "skipped: nothing in the columns read"
        self.note(table, None, what, empty & ~extra)
        what = (
            "left out: more values than the header has columns (a separator inside an "
            f"unquoted value, such as a decimal comma in a {table.file.separator!r}-separated "
            "file?)"
        )
        self.note(table, None, what, extra)
        table.keep(~empty & ~extra)

    def unusable(self, table: _Table, noun: str) -> bool:
        """When a file has rows but none can be used: a problem, with the reasons (its notes),
        since what is left cannot be read as the file the user meant."""
        if len(table.raw) or not table.rows:
            return False
        reasons = [n.message() for n in self.notes if n.file == table.file.name]
        self.problems += [f"{table.file.name}: no {noun} can be read, of {table.rows:,} rows"]
        self.problems += reasons
        return True

    def required_id(self, table: _Table, name: str, what: str) -> None:
        if name in table.read:
            absent = table.read[name].isna()
            self.note(table, name, what, absent)
            table.keep(~absent)

    def duplicates(self, table: _Table, key: str, noun: str) -> None:
        """Keep one row per id: the one with the most fields filled (ties: the earliest
        created, then the first in the file)."""
        ids = table.read[key]
        repeated = ids.duplicated(keep=False)
        if not repeated.any():
            return
        names = [n for n in table.read if ":" not in n]
        filled = pd.concat([table.read[n].notna() for n in names], axis=1).sum(axis=1)
        created = table.read.get("created_at", pd.Series(pd.NaT, index=ids.index))
        order = pd.DataFrame({"id": ids, "filled": -filled, "created": created})
        order["row"] = order.index
        ranked = order.sort_values(["id", "filled", "created", "row"], na_position="last")
        dropped = ranked.duplicated("id", keep="first").reindex(ids.index)
        count = int(ids[repeated].nunique())
        what = (
            f"left out: {noun} id repeated ({count:,} {'id' if count == 1 else 'ids'}); each "
            "id keeps its row with the most fields filled (ties: the earliest created)"
        )
        self.note(table, key, what, dropped)
        table.keep(~dropped)

    def order(self, table: _Table, names: Sequence[str]) -> None:
        """Raise a moment that comes before an earlier stage's to that stage's, with a note per
        pair of columns."""
        present = [n for n in names if n in table.read]
        for index, name in enumerate(present[1:], start=1):
            earlier = pd.DataFrame({n: table.read[n] for n in present[:index]})
            latest = earlier.max(axis=1)
            early = table.read[name] < latest
            if not early.any():
                continue
            which = earlier.eq(latest, axis=0).idxmax(axis=1)
            for before in present[:index]:
                mask = early & (which == before)
                what = (
                    f"raised to {before} ({table.header(before)!r}): {name} came before it, "
                    "and a stage cannot come before the one it follows"
                )
                self.note(table, name, what, mask)
            table.read[name] = table.read[name].where(~early, latest)


@dataclass
class _Read:
    """The tables read, before the period and the export date are applied."""

    leads: _Table
    deals: _Table | None
    activities: _Table | None


def _read_leads(reader: _Reader, table: _Table, extra: pd.Series) -> None:
    """The leads: one row per lead id, each with its creation (or MQL) time."""
    reader.rows(table, extra)
    entry = "created_at" if "created_at" in table.columns else "mql_at"
    reader.values(table)
    reader.required_id(table, "lead_id", "left out: no lead id")
    read = table.read
    if entry == "created_at" and "mql_at" in read:
        borrowed = read["created_at"].isna() & read["mql_at"].notna()
        what = "read with their MQL time as the creation time: none readable" + _seen(
            table, "created_at", borrowed
        )
        reader.note(table, "created_at", what, borrowed)
        read["created_at"] = read["created_at"].where(~borrowed, read["mql_at"])
    none = read[entry].isna()
    also = " nor MQL time" if entry == "created_at" and "mql_at" in read else ""
    what = f"left out: no readable creation time{also}" + _seen(table, entry, none)
    reader.note(table, entry, what, none)
    table.keep(~none)
    reader.duplicates(table, "lead_id", "a lead")
    reader.unreadable_notes(table, skip=(entry,))
    reader.order(table, LIFECYCLE)


def _seen(table: _Table, name: str, mask: pd.Series) -> str:
    """What the unreadable values among `mask` were, and what is allowed, for a note."""
    seen = table.raw[name][mask & table.read[f"{name}:unreadable"]]
    return f" (seen: {parse.shown(seen)}; allowed: {parse.MOMENT_FORMS})" if len(seen) else ""


def _listed(words: Sequence[str]) -> str:
    return ", ".join(repr(w) for w in words) or "none"


def _won_from_stage(reader: _Reader, table: _Table) -> None:
    """A deal's `won` from its stage (won or lost stages of the profile, without case), or its
    won flag where the stage is in neither list; otherwise open."""
    read, profile = table.read, reader.profile
    if "stage" not in read:
        return
    stage = parse.words(read["stage"])
    won = pd.Series(pd.NA, index=stage.index, dtype="boolean")
    won[stage.isin([s.casefold() for s in profile.won_stages])] = True
    won[stage.isin([s.casefold() for s in profile.lost_stages])] = False
    flag = read.get("won")
    if flag is not None:
        won = won.where(won.notna() | ~flag.fillna(False), True)
    open_ = won.isna() & read["stage"].notna()
    if open_.any():
        counts = read["stage"][open_].value_counts()
        listed = ", ".join(f"{s!r} ({n:,})" for s, n in counts.head(8).items())
        more = f" and {len(counts) - 8} more" if len(counts) > 8 else ""
        what = (
            f"read as open: a stage neither won ({_listed(profile.won_stages)}) nor lost "
            f"({_listed(profile.lost_stages)}): {listed}{more}"
        )
        reader.note(table, "stage", what, open_)
    read["won"] = won


def _read_deals(reader: _Reader, table: _Table, extra: pd.Series, lead_ids: pd.Series) -> bool:
    """The deals; returns whether the file lists only won deals."""
    reader.rows(table, extra)
    reader.values(table)
    read = table.read
    ids = [read[n] for n in ("deal_id", "lead_id") if n in read]
    anonymous = pd.concat([i.isna() for i in ids], axis=1).all(axis=1)
    reader.note(table, None, "left out: neither a deal id nor a lead id", anonymous)
    table.keep(~anonymous)
    moments = [n for n in ("created_at", "closed_at") if n in read]
    undated = pd.concat([read[n].isna() for n in moments], axis=1).all(axis=1)
    what = "left out: no readable creation or close date"
    reader.note(table, moments[0], what + _seen(table, moments[0], undated), undated)
    table.keep(~undated)
    if "deal_id" in read:
        reader.duplicates(table, "deal_id", "a deal")
    reader.unreadable_notes(table, skip=moments if len(moments) == 1 else ())
    _won_from_stage(reader, table)
    if "won" in read:
        open_ = read["won"].isna()
        if "closed_at" in read:
            placeholder = open_ & read["closed_at"].notna()
            what = (
                "read as not closed: open deals with a close date (a placeholder or an "
                "expected date)"
            )
            reader.note(table, "closed_at", what, placeholder)
            read["closed_at"] = read["closed_at"].where(~placeholder)
            what = "without a close date, though won or lost"
            reader.note(table, "closed_at", what, ~open_ & read["closed_at"].isna())
    reader.order(table, ("created_at", "closed_at"))
    if "lead_id" in read:
        reader.note(table, "lead_id", "kept without a lead: no lead id", read["lead_id"].isna())
        unknown = read["lead_id"].notna() & ~read["lead_id"].isin(lead_ids)
        what = f"kept: their lead is not in {reader.leads_file}"
        reader.note(table, "lead_id", what, unknown)
    only_won = "won" in read and len(read["won"]) > 0 and bool(read["won"].fillna(False).all())
    if only_won:
        what = (
            "listed, all won: the file has no lost or open deal, so the win probability cannot "
            "be read from it alone"
        )
        reader.note(table, "won" if "won" in table.columns else "stage", what, read["won"])
    return only_won


def _read_activities(reader: _Reader, table: _Table, extra: pd.Series, lead_ids: pd.Series) -> None:
    reader.rows(table, extra)
    reader.values(table)
    read = table.read
    reader.required_id(table, "lead_id", "left out: no lead id")
    timed = read["at:timed"]
    if read["at"].notna().any() and not timed.any():
        suggested = [
            h
            for h in table.file.headers
            if h != table.header("at") and any(w in h.casefold() for w in TIME_WORDS)
        ]
        hint = f" such as {', '.join(repr(h) for h in suggested)}" if suggested else ""
        what = (
            f"with a date and no time of day (seen: {parse.shown(table.raw['at'])}): an "
            "attempt needs the moment it was made: map its created or completed time"
            f"{hint} with --map activities.at=COLUMN"
        )
        reader.refuse(table, "at", what, read["at"].notna())
        return
    none = read["at"].isna()
    what = "left out: no readable time" + _seen(table, "at", none)
    reader.note(table, "at", what, none)
    dated = read["at:dated"] & ~none
    what = "left out: a date without a time of day (an attempt needs its moment)"
    reader.note(table, "at", what, dated)
    table.keep(~none & ~dated)
    reader.unreadable_notes(table, skip=("at",))
    unknown = ~read["lead_id"].isin(lead_ids)
    reader.note(table, "lead_id", f"kept: their lead is not in {reader.leads_file}", unknown)
    if "outcome" in read:
        _connected(reader, table)


def _connected(reader: _Reader, table: _Table) -> None:
    """`connected` from the outcome: one of the profile's connected outcomes, without case."""
    outcome = table.read["outcome"]
    words = [w.casefold() for w in reader.profile.connected_outcomes]
    normal = parse.words(outcome)
    connected = normal.isin(words).astype("boolean").where(outcome.notna())
    if outcome.notna().any() and not connected.fillna(False).any():
        distinct = outcome.dropna().value_counts()
        listed = ", ".join(repr(w) for w in reader.profile.connected_outcomes)
        what = f"read as not reached: no outcome is a connected one ({listed})"
        if len(distinct) <= MAX_OUTCOMES_SHOWN:
            what += f"; outcomes seen: {', '.join(repr(o) for o in distinct.index)}"
        reader.note(table, "outcome", what, outcome.notna())
    table.read["connected"] = connected


# -- the export ------------------------------------------------------------------------------


def _timezone(name: str | None) -> tuple[str, list[str]]:
    if name is None:
        return DEFAULT_TIMEZONE, []
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        examples = ", ".join(f'"{n}"' for n in TIMEZONE_EXAMPLES)
        return DEFAULT_TIMEZONE, [
            f"--timezone {name!r}: must be an IANA time zone name such as {examples}"
        ]
    return name, []


def _moment(value: dt.date | dt.datetime, timezone: str) -> pd.Timestamp:
    """A moment given as an option: a date is the end of that day; one with a zone is taken to
    `timezone`'s wall clock."""
    if not isinstance(value, dt.datetime):
        return pd.Timestamp(dt.datetime.combine(value, dt.time.max))
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(timezone).tz_localize(None)
    return stamp


KEPT_EMPTY = {"deals": ("won", "closed_at")}
"""Fields kept though empty in every row: the deals' state (every deal open is an answer)."""


def _frame(reader: _Reader, table: _Table) -> pd.DataFrame:
    """The canonical columns of a table read, a column empty in every row left out (the field
    is missing, with a note)."""
    kind = table.file.table
    names = [f.name for f in FIELDS[kind] if f.name in table.read]
    if kind == "activities" and "connected" in table.read:
        names.append("connected")
    frame = pd.DataFrame({name: table.read[name] for name in names})
    for name in names:
        kept = name not in table.columns or name in KEPT_EMPTY.get(kind, ())
        if not kept and len(frame) and frame[name].isna().all():
            what = "empty in this column: the field is taken as missing"
            reader.notes.append(ReadNote(table.file.name, table.header(name), what, (), len(frame)))
            frame = frame.drop(columns=name)
    for item in FIELDS[kind]:
        if item.kind == "time" and item.name in frame:
            frame[item.name] = frame[item.name].astype("datetime64[ns]")
    return frame.reset_index(drop=True)


def read_export(
    leads: Source,
    *,
    deals: Source | None = None,
    activities: Source | None = None,
    profile: str = "auto",
    mapping: Mapping[str, str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.datetime | dt.date | None = None,
    timezone: str | None = None,
    max_bytes: int | None = None,
) -> CrmExport:
    """Read a CRM export (see the module's docstring for what is read and how): leads created
    in [start, end), moments as wall-clock time in `timezone` (UTC when None), `as_of` the
    export date (default: the latest moment in the files; a date alone is the end of that day).
    Raises ExportError with every problem at once."""
    problems: list[str] = []
    if profile not in PROFILE_NAMES:
        problems.append(f"--profile {profile!r}: must be one of {', '.join(PROFILE_NAMES)}")
    zone, wrong = _timezone(timezone)
    problems += wrong
    by_table, wrong = _split_mapping(mapping or {})
    problems += wrong
    sources: dict[Table, Source | None] = {
        "leads": leads,
        "deals": deals,
        "activities": activities,
    }
    files: dict[Table, _File] = {}
    for table, source in sources.items():
        if source is None:
            for name, column in by_table[table].items():
                problems.append(f"--map {table}.{name}={column}: no --{table} file was given")
            continue
        opened = _open(table, source, max_bytes)
        if isinstance(opened, str):
            problems.append(opened)
        else:
            files[table] = opened
    if start is not None and end is not None and start >= end:
        problems.append(f"--from {start} --to {end}: the period must end after it starts")
    if "leads" not in files:
        raise ExportError(problems)
    detected = profile not in PROFILES
    chosen = detect_profile(list(files["leads"].headers))[0] if detected else PROFILES[profile]
    reader = _Reader(chosen, zone, timezone is not None)
    reader.leads_file = files["leads"].name
    reader.problems = problems
    tables: dict[Table, tuple[_Table, pd.Series]] = {}
    for table, file in files.items():
        columns, wrong = _columns(file, chosen, by_table[table], auto=detected)
        if wrong:
            problems += wrong
            continue
        loaded = _load(file, columns)
        if isinstance(loaded, str):
            problems.append(loaded)
            continue
        raw, extra = loaded
        tables[table] = (_Table(file, raw, columns), extra)
    if "leads" not in tables:
        raise ExportError(problems)
    # Each file that could be opened is read, so that one message lists every problem.
    leads_table, extra = tables["leads"]
    _read_leads(reader, leads_table, extra)
    lead_ids = leads_table.read["lead_id"]
    if not leads_table.rows:
        problems.append(f"{leads_table.file.name}: has a header row and no lead")
    if reader.unusable(leads_table, "lead") or not leads_table.rows:
        raise ExportError(problems)
    only_won = False
    deals_table = activities_table = None
    if "deals" in tables:
        deals_table, extra = tables["deals"]
        only_won = _read_deals(reader, deals_table, extra, lead_ids)
        reader.unusable(deals_table, "deal")
    if "activities" in tables:
        activities_table, extra = tables["activities"]
        _read_activities(reader, activities_table, extra, lead_ids)
        reader.unusable(activities_table, "attempt")
    return _finish(
        reader,
        _Read(leads_table, deals_table, activities_table),
        profile=chosen,
        detected=profile == "auto",
        start=start,
        end=end,
        as_of=as_of,
        only_won=only_won,
    )


def _latest(read: _Read) -> pd.Timestamp | None:
    """The latest moment that happened: every moment of the files but the close dates of deals
    not known to be closed."""
    found = [read.leads.read[n].max() for n in LIFECYCLE if n in read.leads.read]
    if read.deals is not None:
        deals = read.deals.read
        if "created_at" in deals:
            found.append(deals["created_at"].max())
        if "closed_at" in deals and "won" in deals:
            found.append(deals["closed_at"][deals["won"].notna()].max())
    if read.activities is not None:
        found.append(read.activities.read["at"].max())
    stamps = [f for f in found if not pd.isna(f)]
    return max(stamps) if stamps else None


def _after(reader: _Reader, read: _Read, as_of: pd.Timestamp) -> None:
    """Refuse every moment after the export date, one line per column."""
    when = f"{as_of:%Y-%m-%d %H:%M}"
    for table in (read.leads, read.deals, read.activities):
        if table is None:
            continue
        for item in FIELDS[table.file.table]:
            if item.kind != "time" or item.name not in table.read:
                continue
            late = table.read[item.name] > as_of
            if late.any():
                what = (
                    f"after the export date {when} (seen: "
                    f"{parse.shown(table.raw[item.name][late])}); allowed: up to the export "
                    "date (--as-of; by default the latest moment in the files)"
                )
                reader.refuse(table, item.name, what, late)


def _finish(
    reader: _Reader,
    read: _Read,
    *,
    profile: Profile,
    detected: bool,
    start: dt.date | None,
    end: dt.date | None,
    as_of: dt.date | dt.datetime | None,
    only_won: bool,
) -> CrmExport:
    """The export date, the period and the frames."""
    leads, deals, activities = read.leads, read.deals, read.activities
    if as_of is None:
        latest = _latest(read)
        assert latest is not None  # every lead has a moment
        export_date = pd.Timestamp(latest)
    else:
        export_date = _moment(as_of, reader.timezone)
    if deals is not None and "closed_at" in deals.read and "won" not in deals.read:
        placeholder = deals.read["closed_at"] > export_date
        what = "read as open deals with an expected close date: they close after the export date"
        reader.note(deals, "closed_at", what, placeholder)
        deals.read["closed_at"] = deals.read["closed_at"].where(~placeholder)
    _after(reader, read, export_date)
    entry = leads.read["created_at" if "created_at" in leads.read else "mql_at"]
    last_day = export_date.floor("D") + pd.Timedelta(days=1)
    period_start = pd.Timestamp(start) if start is not None else entry.min().floor("D")
    period_end = pd.Timestamp(end) if end is not None else last_day
    if period_end > last_day:
        what = (
            f"read for a period cut at the export's last day, {last_day:%Y-%m-%d} "
            f"(--to {end} is after the export date {export_date:%Y-%m-%d %H:%M})"
        )
        reader.notes.append(ReadNote(leads.file.name, None, what, (), len(entry)))
        period_end = last_day
    inside = (entry >= period_start) & (entry < period_end)
    period = f"[{period_start:%Y-%m-%d}, {period_end:%Y-%m-%d})"
    asked_end = pd.Timestamp(end) if end is not None else period_end
    if period_start >= period_end and end is None:
        reader.problems.append(
            f"{leads.file.name}: --from {period_start:%Y-%m-%d} leaves no period: it is after "
            f"the export's last day, {last_day - pd.Timedelta(days=1):%Y-%m-%d} (the export "
            f"date {export_date:%Y-%m-%d %H:%M}); allowed: a --from up to that day"
        )
    elif not inside.any() and period_start < asked_end:  # else --from, --to say it
        asked = f"[{period_start:%Y-%m-%d}, {asked_end:%Y-%m-%d})"
        first, last = entry.min(), entry.max()
        reader.problems.append(
            f"{leads.file.name}: no lead was created in the period {asked} (--from, --to); "
            f"its leads were created from {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        )
    if reader.problems:
        raise ExportError(reader.problems)
    outside = set(leads.read["lead_id"][~inside])
    reader.note(leads, None, f"left out: created outside the period {period}", ~inside)
    leads.keep(inside)
    for table, noun in ((deals, "deals"), (activities, "attempts")):
        if table is not None and "lead_id" in table.read:
            away = table.read["lead_id"].isin(outside)
            what = f"left out: {noun} of leads created outside the period {period}"
            reader.note(table, "lead_id", what, away)
            table.keep(~away)
    frames: dict[Table, pd.DataFrame] = {
        table.file.table: _frame(reader, table)
        for table in (leads, deals, activities)
        if table is not None
    }
    if activities is not None:
        frames["activities"] = (
            frames["activities"].sort_values("at", kind="stable").reset_index(drop=True)
        )
    return CrmExport(
        leads=frames["leads"],
        deals=frames.get("deals"),
        activities=frames.get("activities"),
        profile=profile.name,
        detected=detected,
        timezone=reader.timezone,
        start=period_start,
        end=period_end,
        as_of=export_date,
        missing={
            table: tuple(f.name for f in FIELDS[table] if f.name not in frame.columns)
            for table, frame in frames.items()
        },
        notes=tuple(reader.notes),
        files={table.file.table: table.file.name for table in (leads, deals, activities) if table},
        deals_only_won=only_won,
    )
