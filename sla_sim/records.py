"""The event log of one replication: what happened to each lead, appended during the run.

The log is the truth every metric is computed from. It is kept as parallel typed arrays (compact even
for a million leads) and read back as numpy columns.
"""

from __future__ import annotations

from array import array
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


FIELDS = ("time", "lead", "event", "episode", "rep", "number", "value")


class EventLog:
    """Append-only rows of (time in hours, lead, event, episode, rep or -1, number, value).

    Rows are kept flat in one array of doubles: one append per event, 56 bytes per event.
    """

    def __init__(self) -> None:
        self._data = array("d")
        self.record = self._data.extend  # a whole row at once, for the hot loop

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
        self._data.extend((time, lead, event, episode, rep, number, value))

    def columns(self) -> dict[str, np.ndarray]:
        """The log as numpy columns (copies: the log can still grow afterwards)."""
        table = np.array(self._data, dtype=np.float64).reshape(-1, len(FIELDS))
        integer = {
            "lead": np.int64,
            "event": np.int8,
            "episode": np.int8,
            "rep": np.int16,
            "number": np.int16,
        }
        return {
            name: table[:, i].astype(integer.get(name, np.float64)) for i, name in enumerate(FIELDS)
        }

    def __len__(self) -> int:
        return len(self._data) // len(FIELDS)
