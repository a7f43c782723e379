"""What the commands share: messages on standard error, exiting 2 on bad input, loading scenario
files, the size and writability checks made before a run, the executor and the progress bar of
a run, and printing tables."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from sla_sim.cli.options import Common
from sla_sim.experiments.budget import BudgetError, Estimate, check_run
from sla_sim.experiments.executors import Executor, default_jobs, make_executor
from sla_sim.experiments.sweep import parse_assignment
from sla_sim.scenario.batch import load_files
from sla_sim.scenario.file import load_scenario
from sla_sim.scenario.schema import Scenario, ScenarioError

BAD_INPUT = 2
err = Console(stderr=True, highlight=False)


def say(kind: str, line: str) -> None:
    """One message on standard error: "error: ...", "warning: ..."."""
    colour = "red" if kind == "error" else "yellow"
    err.print(Text.assemble((f"{kind}: ", colour), line), soft_wrap=True)


def fail(problems: list[str]) -> NoReturn:
    """Bad input: one line per problem, then exit 2."""
    for line in problems:
        say("error", line)
    sys.exit(BAD_INPUT)


def load_all(files: tuple[str, ...]) -> list[tuple[str, list[Scenario]]]:
    """Each file with its scenarios (base and variants), or exit 2 with every problem."""
    try:
        return load_files(files)
    except ScenarioError as error:
        fail(error.problems)


def load_one(file: str) -> Scenario:
    """The scenario of one file, or exit 2 with its problems."""
    try:
        return load_scenario(file)
    except ScenarioError as error:
        fail(error.problems)


LONG_RUN_SECONDS = 60.0
"""A run estimated longer than this says its size before it starts."""


def within_budget(
    scenarios: Sequence[Scenario],
    replications: int,
    common: Common,
    *,
    lead_log: bool = False,
    samples: float = 0.0,
    runs: int = 1,
) -> Estimate:
    """The run's estimate (`runs`: each scenario run that many times, a search's bound), or exit
    2 with the estimate and the limit it passes. A run estimated over a minute says its size on
    standard error before it starts (Ctrl-C stops it cleanly)."""
    try:
        found = check_run(
            scenarios,
            replications,
            workers=common.jobs or default_jobs(),
            lead_log=lead_log,
            samples=samples,
            runs=runs,
        )
    except BudgetError as error:
        fail([str(error)])
    if found.seconds > LONG_RUN_SECONDS:
        say("note", f"a long run: {found.describe()}; Ctrl-C stops it")
    return found


def check_writable(option: str, path: Path | None, *, folder: bool) -> None:
    """Exit 2 before any run when `path` (a folder, or a file) cannot be written."""
    if path is None:
        return
    if folder and path.exists() and not path.is_dir():
        fail([f"{option} {path}: exists and is not a folder"])
    if not folder and path.is_dir():
        fail([f"{option} {path}: is a folder; give a file name"])
    parent = path if folder else path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        fail([f"{option} {path}: {parent} is not a folder"])
    try:
        handle, probe = tempfile.mkstemp(prefix=".sla-sim-probe.", dir=parent)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        fail([f"{option} {path}: cannot write in {parent} ({error.strerror or error})"])


def axes(texts: tuple[str, ...], flag: str, problems: list[str]) -> dict[str, list[Any]]:
    """`KEY=VALUES` options as sweep axes; what cannot be read goes to `problems`."""
    read: dict[str, list[Any]] = {}
    for text in texts:
        try:
            key, values = parse_assignment(text)
            read[key] = values
        except ValueError as error:
            problems.append(f"{flag} {error}")
    return read


@contextmanager
def executor_of(common: Common) -> Iterator[Executor]:
    """The executor the options ask for, closed at the end; one that cannot start exits 2."""
    kind, jobs, address = common.executor, common.jobs, common.address
    if address and kind != "dask":
        fail(["--address needs --executor dask"])
    try:
        executor = make_executor(kind, jobs, address)
    except (RuntimeError, OSError, TimeoutError) as error:
        fail([f"--executor {kind}{f' --address {address}' if address else ''}: {error}"])
    try:
        yield executor
    finally:
        executor.close()


@contextmanager
def progress_bar() -> Iterator[Callable[[int, int], None]]:
    """A progress bar on standard error, shown once the work has taken more than a second."""
    bar = Progress(
        TextColumn("replications"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task("run", total=None)
    started = time.monotonic()

    def update(done: int, total: int) -> None:
        if not bar.live.is_started and time.monotonic() - started > 1.0:
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        bar.stop()


@contextmanager
def running(common: Common) -> Iterator[tuple[Executor, Callable[[int, int], None]]]:
    """The executor and the progress callback of a command's run."""
    with executor_of(common) as pool, progress_bar() as update:
        yield pool, update


def table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], *, first_left: bool = True
) -> Table:
    """A table with a bold header, the first column left-aligned and the others to the right."""
    shown = Table(title=title, title_justify="left", header_style="bold")
    for index, column in enumerate(columns):
        shown.add_column(column, justify="left" if index == 0 and first_left else "right")
    for row in rows:
        shown.add_row(*row)
    return shown


def console(*tables: Table) -> Console:
    """Standard output at least 100 columns wide, and as wide as the widest of `tables` needs so
    that no cell wraps (a label cut over two lines cannot be found or read)."""
    wide = Console(width=100_000)
    needed = max((wide.measure(shown).maximum for shown in tables), default=0)
    return Console(highlight=False, width=max(100, needed))
