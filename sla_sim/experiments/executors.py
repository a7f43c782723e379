"""Where replications run: in this process, on a local process pool, or on a Dask cluster.

The unit of work is a `Task`: some replications of one group of scenarios, sent as text (the
scenarios' JSON) so any worker can rebuild them. A worker runs `work(payload, seed, replications,
option)` and returns one result per replication; each replication draws from the streams of
(seed, replication) whatever worker runs it, so every executor gives the same numbers. Executors
are context managers: `with use(executor, jobs) as runner:` uses the caller's, or makes a local
one and closes it at the end.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.pool import Pool
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self


class Task(NamedTuple):
    """Replications of one group of scenarios: the group's index, its payload (the text a worker
    rebuilds the scenarios from) and the replication numbers."""

    group: int
    payload: str
    replications: list[int]


ChunkResult = list[Any]  # what `work` returns for a task: one item per replication
Work = Callable[[str, int, Sequence[int], Any], ChunkResult]  # payload, seed, replications, option


def default_jobs() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Executor(Protocol):
    workers: int

    def run(
        self, work: Work, tasks: list[Task], seed: int, option: Any
    ) -> Iterator[tuple[int, ChunkResult]]:
        """Yield (task's group, results) for each task as it completes."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class _Closing:
    """`with executor:` closes it at the end."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        pass


class InlineExecutor(_Closing):
    """Everything in this process, one task after another."""

    workers = 1

    def run(
        self, work: Work, tasks: list[Task], seed: int, option: Any
    ) -> Iterator[tuple[int, ChunkResult]]:
        for task in tasks:
            yield task.group, work(task.payload, seed, task.replications, option)


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the parent, which stops them cleanly, and end at once and quietly
    on SIGTERM (the parent's handler, inherited by a fork, would print a traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _apply(job: tuple[Work, str, int, list[int], Any, int]) -> tuple[int, ChunkResult]:
    work, text, seed, chunk, option, index = job
    return index, work(text, seed, chunk, option)


class LocalExecutor(_Closing):
    """A pool of worker processes on this machine, kept for the executor's life. On Ctrl-C (or
    when the caller stops reading) the workers are terminated at once: no half-run chunk lingers."""

    def __init__(self, jobs: int | None = None, start_method: str | None = None) -> None:
        """`start_method="forkserver"` is for a long-lived server (the app): forked workers
        would inherit its open connections and hold them open after the server closes them."""
        self.workers = jobs or default_jobs()
        self.start_method = start_method
        self._pool: Pool | None = None

    def run(
        self, work: Work, tasks: list[Task], seed: int, option: Any
    ) -> Iterator[tuple[int, ChunkResult]]:
        if self.workers == 1:
            yield from InlineExecutor().run(work, tasks, seed, option)
            return
        pool = self.start()
        jobs = [(work, t.payload, seed, t.replications, option, t.group) for t in tasks]
        try:
            yield from pool.imap_unordered(_apply, jobs)
        except BaseException:
            pool.terminate()
            pool.join()
            self._pool = None
            raise

    def start(self) -> Pool:
        """Start the workers now (they also start on the first run): a server calls this when
        it starts, so the workers are ready by the time someone clicks Run."""
        if self._pool is None:
            self._pool = multiprocessing.get_context(self.start_method).Pool(
                self.workers, initializer=_ignore_interrupt
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None


class DaskExecutor(_Closing):
    """A Dask cluster: the one at `address`, or a local cluster of `jobs` worker processes."""

    def __init__(self, address: str | None = None, jobs: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError(
                "the dask executor needs Dask: pip install 'sla-sim[dask]'"
            ) from None
        self._cluster = None
        if address:
            self._client = Client(address, timeout="10s")
        else:
            self._cluster = LocalCluster(
                n_workers=jobs or default_jobs(),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
        logging.getLogger("distributed").setLevel(logging.ERROR)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def run(
        self, work: Work, tasks: list[Task], seed: int, option: Any
    ) -> Iterator[tuple[int, ChunkResult]]:
        from distributed import as_completed as dask_completed

        futures = {
            self._client.submit(work, t.payload, seed, t.replications, option, pure=False): t.group
            for t in tasks
        }
        try:
            for future in dask_completed(list(futures)):
                yield futures[future], future.result()
        finally:
            self._client.cancel(list(futures))

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(
    kind: str = "local", jobs: int | None = None, address: str | None = None
) -> Executor:
    """An executor by name: "local" (a process pool; 1 job runs in this process) or "dask"."""
    if kind == "dask":
        return DaskExecutor(address, jobs)
    if kind != "local":
        raise ValueError(f"unknown executor {kind!r}; allowed: local, dask")
    return LocalExecutor(jobs)


@contextmanager
def use(executor: Executor | None, jobs: int | None = 1) -> Iterator[Executor]:
    """The caller's executor (left open), or a local one of `jobs` processes (None: every core)
    closed at the end."""
    if executor is not None:
        yield executor
        return
    with LocalExecutor(jobs or default_jobs()) as own:
        yield own
