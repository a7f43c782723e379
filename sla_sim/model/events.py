"""The event log of one replication: what happened to each lead, appended during the run.

The log is the truth every metric is computed from. It is kept as packed rows of 32 bytes (compact
even for a million leads) and read back as numpy columns.
"""

from __future__ import annotations

import struct
from enum import IntEnum

import numpy as np


class Event(IntEnum):
    """What happened. `number` is the attempt number in the episode; `value` as noted."""

    HANDOFF = 1  # an accepted MQL reaches Sales; episode 0 is the first handoff, then recycles
    REJECTED = 2  # Sales refuses the MQL (fit below handoff.accept_min_fit)
    ATTEMPT = 3  # a contact attempt that did not connect; value = its minutes
    CONNECT = 4  # a contact attempt that connected; value = its minutes
    OPPORTUNITY = 5  # a connected lead qualified
    NOT_QUALIFIED = 6  # a connected lead did not qualify
    COLD = 7  # no attempt started before the lead's patience ran out
    NO_CONTACT = 8  # the episode ended without a connect; value = attempts made in the window
    RECYCLED = 9  # back to nurture after no contact
    DISQUALIFIED = 10  # closed after no contact
    WON = 11  # value = deal value
    LOST = 12
    PIPELINE = 13  # an opportunity still open at the horizon; value = its deal value
    IGNORED = 14  # a handoff its owner (rep = owner) or the team (rep = -1) leaves alone
    ALERTED = 15  # the response target's alert: the lead jumps the queue (rep = its owner or -1)
    REASSIGNED = 16  # the lead moves to rep `rep` from rep `number` (-1: the team's queue)
    DISPLACED = 17  # an alerted lead's attempt taken from other work; value = its minutes
    AE_ACCEPTED = 18  # an AE takes the opportunity (rep = the AE); value = wall-clock hours waited
    AE_WAITING = 19  # an opportunity still waiting for an AE at the horizon; value = hours waited


FIELDS = ("time", "lead", "event", "episode", "rep", "number", "value")
# One row: time (double), lead (int64), event and episode (int8), rep (int32), attempt (int16),
# value (double), native byte order, no padding; the same layout as a numpy record.
ROW = struct.Struct("=dqbbihd")
RECORD = np.dtype(
    [
        ("time", "=f8"),
        ("lead", "=i8"),
        ("event", "=i1"),
        ("episode", "=i1"),
        ("rep", "=i4"),
        ("number", "=i2"),
        ("value", "=f8"),
    ]
)


class EventLog:
    """Append-only rows of (time in hours, lead, event, episode, rep or -1, number, value).

    Rows are kept packed in one bytearray: 32 bytes per event. In the hot loop the model writes
    rows as `write(pack(time, lead, event, ...))`, which is about twice as fast as extending an
    `array` with a tuple.
    """

    def __init__(self) -> None:
        self._data = bytearray()
        self.pack = ROW.pack  # a whole row to bytes, for the hot loop
        self.write = self._data.extend  # append packed rows

    def add(
        self,
        time: float,
        lead: int,
        event: Event,
        episode: int = 0,
        rep: int = -1,
        number: int = 0,
        value: float = 0.0,
    ) -> None:
        self._data.extend(ROW.pack(time, lead, event, episode, rep, number, value))

    def columns(self) -> dict[str, np.ndarray]:
        """The log as numpy columns (copies: the log can still grow afterwards)."""
        # A view of the bytes; every column below is a copy, and the view is dropped before
        # return so the bytearray may grow again, even while a sampling profiler (a Dask
        # worker's) holds on to this frame.
        table = np.frombuffer(self._data, dtype=RECORD)
        try:
            return {name: table[name].copy() for name in FIELDS}
        finally:
            del table

    def __len__(self) -> int:
        return len(self._data) // ROW.size
