"""Where replications run: in this process, on a local process pool, or on a Dask cluster.

The unit of work is a chunk of replications of one scenario; each replication draws from the streams
of (seed, replication) whatever worker runs it, so every executor gives the same numbers.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.pool import Pool
from typing import Any, Protocol

ChunkResult = list[tuple[int, dict[str, float], Any]]
Task = tuple[int, str, list[int]]  # scenario index, scenario JSON, replication numbers
Work = Callable[[str, int, Sequence[int], Any], ChunkResult]  # scenario, seed, replications, option


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
        """Yield (scenario index, results) for each task as it completes."""
        ...

    def close(self) -> None: ...


class InlineExecutor:
    """Everything in this process, one task after another."""

    workers = 1

    def run(
        self, work: Work, tasks: list[Task], seed: int, option: Any
    ) -> Iterator[tuple[int, ChunkResult]]:
        for index, text, chunk in tasks:
            yield index, work(text, seed, chunk, option)

    def close(self) -> None:
        pass


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the parent, which stops them cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _apply(job: tuple[Work, str, int, list[int], Any, int]) -> tuple[int, ChunkResult]:
    work, text, seed, chunk, option, index = job
    return index, work(text, seed, chunk, option)


class LocalExecutor:
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
        jobs = [(work, text, seed, chunk, option, index) for index, text, chunk in tasks]
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


class DaskExecutor:
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
            self._client.submit(work, text, seed, chunk, option, pure=False): index
            for index, text, chunk in tasks
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


def make_executor(kind: str = "local", jobs: int | None = None, address: str | None = None) -> Any:
    """An executor by name: "local" (a process pool; 1 job runs in this process) or "dask"."""
    if kind == "dask":
        return DaskExecutor(address, jobs)
    if kind != "local":
        raise ValueError(f"unknown executor {kind!r}; allowed: local, dask")
    return LocalExecutor(jobs)
