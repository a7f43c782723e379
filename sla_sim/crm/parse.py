"""Values of a CRM export as they are written: moments, numbers, flags, ids and owners.

Each reader takes a column of raw strings (the file's text, nothing converted) and returns the
values with a mask of those it could not read, so the caller can say which rows they were. A
column is read as a whole: whether dates are day-first and whether a comma is the decimal mark
are decided from all its values, because one value ("04/01/2027", "1,234") rarely settles it
and the file was written by one program.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

EMPTY_WORDS = frozenset({"", "-", "--", "null", "none", "n/a", "na", "nan", "#n/a", "(no value)"})
"""What exports and spreadsheets write for "no value": read as empty, not as unreadable."""


def is_empty(values: pd.Series) -> pd.Series:
    """Whether each raw value says nothing (blank, or one of `EMPTY_WORDS`)."""
    return values.str.strip().str.lower().isin(EMPTY_WORDS)


def words(values: pd.Series) -> pd.Series:
    """Text compared without case or doubled spaces (stages, outcomes)."""
    return values.str.strip().str.casefold().str.replace(r"\s+", " ", regex=True)


def text(values: pd.Series) -> pd.Series:
    """Values as text without surrounding spaces; empty ones missing."""
    stripped = values.str.strip()
    return stripped.where(~is_empty(values))


def shown(values: pd.Series, count: int = 3) -> str:
    """The first few distinct raw values of a column, quoted, for a message."""
    first = list(dict.fromkeys(values.str.strip()))[:count]
    return ", ".join(repr(v) for v in first)


# -- moments ---------------------------------------------------------------------------------

_MOMENT = re.compile(
    r"""^\s*
    (?:(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})
      |(?P<first>\d{1,2})[-/.](?P<second>\d{1,2})[-/.](?P<last>\d{4}|\d{2}))
    (?:(?:T|\s+|,\s*)
      (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<seconds>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?
      \s*(?P<half>[AaPp]\.?\s?[Mm]\.?)?)?
    \s*(?P<zone>Z|(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?|UTC|GMT)?
    \s*$""",
    re.VERBOSE,
)
_MOMENT_RE2 = re.sub(r"\s+", "", _MOMENT.pattern)
"""The same pattern without its layout, as Arrow's regular expressions (RE2) take it: a column
is split in one vectorised pass."""
_ZONE = re.compile(r"(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?")
_NUMERIC_PARTS = ("year", "month", "day", "first", "second", "last", "hour", "minute", "seconds")

MOMENT_FORMS = (
    "a date (2027-01-04, 04/01/2027 or 1/4/2027) with an optional time (09:30, 9:30 AM) and "
    "offset (Z, +01:00, -0300)"
)


@dataclass(frozen=True)
class Moments:
    """A column of moments as read: wall-clock time in the reader's time zone."""

    at: pd.Series
    """datetime64[ns] without a zone; NaT where empty or unreadable."""
    unreadable: pd.Series
    """Written, but not a moment (or not a valid one: 31/02/2027, 25:00)."""
    timed: pd.Series
    """Written with a time of day other than midnight."""
    dated: pd.Series
    """Written as a date alone (read as its midnight)."""
    offset: pd.Series
    """Written with a UTC offset (and converted to the time zone)."""


@dataclass(frozen=True)
class WrittenMoments:
    """A column of moments split into the parts each value writes, before the order of day and
    month is chosen. Numeric parts are floats, NaN where a value does not write them."""

    index: pd.Index
    parts: dict[str, np.ndarray]
    fraction: np.ndarray
    """Fractions of a second (0 where none is written)."""
    half: np.ndarray
    """"a" or "p" where a value writes AM or PM."""
    zone: np.ndarray
    """The zone as written ("Z", "-03:00"), None where none is."""
    empty: np.ndarray

    @property
    def slashed(self) -> pd.Series:
        """Values that write day and month as numbers before the year."""
        return pd.Series(~np.isnan(self.parts["first"]), index=self.index)

    def order(self) -> tuple[bool | None, bool]:
        """Whether the values write the day first (None when no value settles it: every day and
        month 12 or less), and whether any value writes day and month before the year."""
        first, second = self.parts["first"], self.parts["second"]
        day_first, month_first = int((first > 12).sum()), int((second > 12).sum())
        slashed = bool((~np.isnan(first)).any())
        if day_first == month_first == 0:
            return None, slashed
        # Both kinds: the file mixes orders; the values against the majority read as invalid.
        return day_first >= month_first, slashed

    def read(self, *, day_first: bool, timezone: str) -> Moments:
        """The moments, day and month taken in the order given; those with an offset converted
        to `timezone`, the others taken as already in it."""
        parts = self.parts
        iso = ~np.isnan(parts["year"])
        last = parts["last"]
        year = np.where(iso, parts["year"], np.where(last >= 100, last, last + 2000))
        month = np.where(iso, parts["month"], parts["second" if day_first else "first"])
        day = np.where(iso, parts["day"], parts["first" if day_first else "second"])
        hour = np.nan_to_num(parts["hour"])
        minute, seconds = np.nan_to_num(parts["minute"]), np.nan_to_num(parts["seconds"])
        half = self.half
        plain = pd.isna(half)
        with np.errstate(invalid="ignore"):
            good = ~np.isnan(year) & (month >= 1) & (month <= 12) & (day >= 1)
            good &= np.where(plain, hour <= 23, (hour >= 1) & (hour <= 12))
            good &= (minute <= 59) & (seconds <= 59)
        hour = np.where(plain, hour, hour % 12 + np.where(half == "p", 12, 0))
        months = np.where(good, (year - 1970) * 12 + month - 1, 0).astype("int64")
        start = months.astype("datetime64[M]").astype("datetime64[D]")
        length = (months + 1).astype("datetime64[M]").astype("datetime64[D]") - start
        good &= day <= length.astype("int64")
        nanos = (
            (np.where(good, day, 1) - 1) * 86_400e9
            + (hour * 3600 + minute * 60 + seconds + self.fraction) * 1e9
        ).astype("int64")
        wall = start.astype("datetime64[ns]") + nanos.astype("timedelta64[ns]")
        wall = np.where(good, wall, np.datetime64("NaT"))
        timed = good & (nanos % 86_400_000_000_000 != 0)
        minutes = _offset_minutes(self.zone)
        offset = good & ~np.isnan(minutes)
        at = pd.Series(wall, index=self.index, dtype="datetime64[ns]")
        if offset.any():
            utc = at[offset] - pd.to_timedelta(minutes[offset], unit="min")
            local = utc.dt.tz_localize("UTC").dt.tz_convert(timezone).dt.tz_localize(None)
            at[offset] = local.astype("datetime64[ns]")

        def series(mask: np.ndarray) -> pd.Series:
            return pd.Series(mask, index=self.index, dtype=bool)

        return Moments(
            at=at,
            unreadable=series(~self.empty & ~good),
            timed=series(timed),
            dated=series(good & np.isnan(parts["hour"])),
            offset=series(offset),
        )


def written_moments(values: pd.Series) -> WrittenMoments:
    """Split each value of a column into the parts of a moment."""
    empty = is_empty(values).to_numpy(dtype=bool)
    text = pa.array(values.where(~empty, "").to_numpy(dtype=object), type=pa.string())
    found = pc.extract_regex(text, _MOMENT_RE2)

    def part(name: str) -> pa.Array:
        written = found.field(name)
        return pc.if_else(pc.equal(written, ""), None, written)  # a group that took no part

    parts = {
        name: pc.cast(part(name), pa.float64()).to_numpy(zero_copy_only=False)
        for name in _NUMERIC_PARTS
    }
    fraction = pc.binary_join_element_wise("0", part("fraction"), ".")
    half = pc.utf8_slice_codeunits(pc.utf8_lower(part("half")), 0, 1)
    return WrittenMoments(
        index=values.index,
        parts=parts,
        fraction=np.nan_to_num(pc.cast(fraction, pa.float64()).to_numpy(zero_copy_only=False)),
        half=half.to_numpy(zero_copy_only=False),
        zone=part("zone").to_numpy(zero_copy_only=False),
        empty=empty,
    )


def _offset_minutes(zones: np.ndarray) -> np.ndarray:
    """Minutes east of UTC of each written zone ("Z", "+01:00", "-0300", "GMT-3"); NaN where
    none is written."""
    minutes: dict[object, float] = {None: np.nan}
    for zone in pd.unique(zones):
        if zone is None or zone in minutes:
            continue
        found = _ZONE.search(str(zone))
        if found is None:
            minutes[zone] = 0.0  # "Z", "UTC", "GMT"
            continue
        sign = -1.0 if found["sign"] == "-" else 1.0
        minutes[zone] = sign * (int(found["hours"]) * 60 + int(found["minutes"] or 0))
    return pd.Series(zones, dtype=object).map(minutes).to_numpy(dtype=float)


# -- numbers ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"^(?P<sign>[-+])?(?P<digits>\d[\d.,]*|[.,]\d+)(?P<percent>%)?$")
_DECORATION = re.compile(r"[A-Za-z$€£¥\s\u00a0\u202f']")


@dataclass(frozen=True)
class Numbers:
    values: pd.Series
    """float; NaN where empty or unreadable."""
    unreadable: pd.Series
    decimal: str
    """The decimal mark the column was read with."""
    settled: bool
    """Whether a value settled the decimal mark (otherwise the caller's was used)."""
    ambiguous: int
    """Distinct values that read either way ("1,234") when nothing settled the mark."""
    percent: pd.Series
    """Written with a % sign (already divided by 100)."""


def _mark_evidence(digits: str) -> str | None:
    """The decimal mark `digits` shows ("," or "."), "?" when it could be either, None when it
    has no mark."""
    commas, dots = digits.count(","), digits.count(".")
    if commas and dots:
        return "," if digits.rfind(",") > digits.rfind(".") else "."
    if not commas and not dots:
        return None
    mark = "," if commas else "."
    if commas + dots > 1:
        return "." if mark == "," else ","  # repeated: a thousands separator
    after = len(digits) - digits.index(mark) - 1
    return "?" if after == 3 and digits.index(mark) > 0 else mark


def _number(digits: str, decimal: str) -> float | None:
    thousands = "." if decimal == "," else ","
    whole, _, fraction = digits.partition(decimal)
    if decimal in fraction or thousands in fraction:
        return None
    if thousands in whole:
        groups = whole.split(thousands)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
        whole = "".join(groups)
    if not whole and not fraction:
        return None
    return float(f"{whole or '0'}.{fraction or '0'}")


def parse_numbers(values: pd.Series, *, decimal: str) -> Numbers:
    """Numbers written with either decimal mark, thousands separators, a currency, spaces or a
    % sign ("R$ 1.234,56", "$1,234.56", "1234,56", "12%"). The decimal mark is the column's:
    the one its values show ("1.234,56", "12,5"), or `decimal` when none shows it."""
    empty = is_empty(values)
    distinct = values[~empty].str.strip().unique()
    written: dict[str, tuple[str, str, bool] | None] = {}
    evidence = {",": 0, ".": 0, "?": 0}
    for value in distinct:
        cleaned = _DECORATION.sub("", value)
        if cleaned.startswith("(") and cleaned.endswith(")"):
            cleaned = "-" + cleaned[1:-1]
        match = _NUMBER.match(cleaned)
        if not match:
            written[value] = None
            continue
        written[value] = (match["sign"] or "", match["digits"], bool(match["percent"]))
        mark = _mark_evidence(match["digits"])
        if mark is not None:
            evidence[mark] += 1
    settled = bool(evidence[","] or evidence["."])
    if settled:
        decimal = "," if evidence[","] > evidence["."] else "."
    read: dict[str, tuple[float, bool] | None] = {}
    for value, parts in written.items():
        number = _number(parts[1], decimal) if parts else None
        if parts is None or number is None:
            read[value] = None
        else:
            sign, _, share = parts
            signed = -number if sign == "-" else number
            read[value] = (signed / 100.0 if share else signed, share)
    stripped = values.str.strip()
    found = stripped.map(lambda v: read.get(v))
    result = found.map(lambda r: np.nan if r is None else r[0]).astype(float)
    percent = found.map(lambda r: bool(r is not None and r[1])).astype(bool)
    unreadable = (~empty & result.isna()).astype(bool)
    return Numbers(
        values=result,
        unreadable=unreadable,
        decimal=decimal,
        settled=settled,
        ambiguous=0 if settled else evidence["?"],
        percent=percent,
    )


# -- flags, ids, owners ----------------------------------------------------------------------


def parse_flags(
    values: pd.Series, *, true_words: tuple[str, ...], false_words: tuple[str, ...]
) -> tuple[pd.Series, pd.Series]:
    """Yes/no values by the profile's words (compared without case): a nullable boolean, and
    the mask of values that are neither."""
    words = values.str.strip().str.casefold()
    empty = is_empty(values)
    flags = pd.Series(pd.NA, index=values.index, dtype="boolean")
    flags[words.isin([w.casefold() for w in true_words])] = True
    flags[words.isin([w.casefold() for w in false_words])] = False
    return flags, (~empty & flags.isna()).astype(bool)


_SEVERAL = r"\s*[;,|]\s*"


def parse_ids(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Ids as text, the same in every file: "123.0" (a spreadsheet's number) reads "123". A cell
    listing several ids ("101;102", HubSpot's associated contacts) keeps the first; the mask says
    which cells listed more than one."""
    ids = text(values)
    several = ids.str.contains(_SEVERAL, regex=True).fillna(False).astype(bool)
    if several.any():
        ids[several] = ids[several].str.split(_SEVERAL, n=1, regex=True).str[0]
    ids = ids.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return ids, several


_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;]+@[^\s<>()\[\]\"',;]+")
_LEFTOVER = " \t<>()[]\"',;:-"


@dataclass
class Owners:
    """Owners without their e-mail addresses, one name per rep across the files of an export.

    "Ana Souza <ana@x.com>" and "ana@x.com (Ana Souza)" read "Ana Souza"; a bare address reads
    the name it has elsewhere in the export, or "Owner N", numbered by first appearance. No
    address is kept."""

    names: dict[str, str] = field(default_factory=dict)
    """Each address seen (without case) and the name it reads."""
    numbered: int = 0

    def read(self, values: pd.Series) -> pd.Series:
        owners = text(values)
        result: dict[str, str] = {}
        bare: list[tuple[str, str]] = []
        for value in owners.dropna().unique():
            address = _ADDRESS.search(value)
            if address is None:
                result[value] = value
                continue
            name = " ".join(_ADDRESS.sub(" ", value).strip(_LEFTOVER).split()).strip(_LEFTOVER)
            key = address.group(0).casefold()
            if name:
                result[value] = name
                self.names.setdefault(key, name)
            else:
                bare.append((value, key))
        for value, key in bare:
            if key not in self.names:
                self.numbered += 1
                self.names[key] = f"Owner {self.numbered}"
            result[value] = self.names[key]
        return owners.map(result)
