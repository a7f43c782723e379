"""A stop asked for by Ctrl-C or SIGTERM, remembered as well as raised.

The signal handlers (`cli.signals`) raise at once, wherever the program is; but an exception
raised inside a callback that a library's compiled code calls may be caught there (pydantic's
serializer turns an error in a discriminator into a warning and goes on). So the handlers also
record the request here, and long work calls `check()` between its steps to raise it again.
This module imports nothing: every layer may call it.
"""

from __future__ import annotations


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C's KeyboardInterrupt would be, so the same clean-up runs."""


_requested: type[KeyboardInterrupt] | None = None


def request(kind: type[KeyboardInterrupt]) -> None:
    """Remember a stop (KeyboardInterrupt for Ctrl-C, Terminated for SIGTERM)."""
    global _requested
    _requested = kind


def check() -> None:
    """Raise the stop asked for, if any (again, if it was raised and swallowed)."""
    if _requested is not None:
        raise _requested
