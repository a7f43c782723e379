"""The page served on a free local port, for the browser test and the browser benchmark: started
as `make run` starts it, waited for, and stopped with the worker pool it started."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class ServeError(RuntimeError):
    """The page did not start; the message holds the end of its log."""


@dataclass(frozen=True)
class Served:
    url: str
    started: float
    """`time.monotonic()` when the server process was started."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.read().strip() == b"ok")
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """The server, then whatever is left of its process group (the worker pool)."""
    # SIGTERM to the server alone: sent to the whole group it also kills the pool's workers, the
    # pool starts new ones and the server does not exit.
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@contextlib.contextmanager
def served(app: Path, log: Path, *, startup_seconds: float = 60.0) -> Iterator[Served]:
    """`app` (the project's app.py) served by Streamlit on a free port until the block ends; its
    output goes to `log`. ServeError if it exits or does not answer within `startup_seconds`."""
    url = f"http://127.0.0.1:{free_port()}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        url.rsplit(":", 1)[1],
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=app.parent, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        while not healthy(url):
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise ServeError(f"the app exited with {process.returncode}:\n{tail}")
            if time.monotonic() > started + startup_seconds:
                raise ServeError(f"the app did not answer {url}/_stcore/health in time")
            time.sleep(0.05)
        yield Served(url, started)
    finally:
        _stop(process)
