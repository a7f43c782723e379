"""Ctrl-C and SIGTERM, handled alike from the first moment of `sla-sim`: each stops the command
with an exception (no traceback), so temporary files are removed and workers are stopped.

Ctrl-C exits 130 and SIGTERM 143 (128 + the signal's number, as a shell reports a process the
signal ended), so a scheduler that sent SIGTERM sees the run stopped because it asked.
This module imports nothing heavy: it is installed before the rest of the package loads.
"""

from __future__ import annotations

import signal
from types import FrameType

from sla_sim.interrupts import Terminated, request

INTERRUPTED = 130
TERMINATED = 143


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    request(KeyboardInterrupt)
    raise KeyboardInterrupt


def _terminate(_signum: int, _frame: FrameType | None) -> None:
    request(Terminated)
    raise Terminated


def install() -> None:
    """Ctrl-C raises KeyboardInterrupt and SIGTERM raises Terminated in this process (and both
    are remembered in `sla_sim.interrupts`, for long work to raise again if it was swallowed)."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _terminate)


def ignore() -> None:
    """Ctrl-C and SIGTERM ignored from now on: the command is already stopping."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def exit_status(error: BaseException) -> int:
    """130 for Ctrl-C, 143 for SIGTERM (also when click wrapped it in its Abort)."""
    stopped_by_term = isinstance(error, Terminated) or isinstance(error.__cause__, Terminated)
    return TERMINATED if stopped_by_term else INTERRUPTED
