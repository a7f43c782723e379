"""Files written whole or not at all: to a temporary name in the same folder, then renamed; and
sets of files (a run's result folder with its lead log) staged apart and moved into place together."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call `write` on a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's owner-only
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _readable(path: Path) -> None:
    """Give a file or folder of mkstemp/mkdtemp the permissions of an ordinary new one."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


@contextmanager
def _quiet_signals() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the renames are done, so no set is left half moved."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


@contextmanager
def _locked(folders: list[Path]) -> Iterator[None]:
    """Hold an exclusive lock on each folder (in one order), so two writers never interleave."""
    handles = []
    try:
        for folder in sorted(set(folders)):
            handle = os.open(folder, os.O_RDONLY)
            handles.append(handle)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        for handle in handles:
            os.close(handle)


class Staged:
    """Files and folders written to temporary places beside their targets, then moved into place
    together under a lock when the block ends without error; on any error (Ctrl-C included)
    the temporary copies are removed and the targets are as they were."""

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path]] = []
        self._folders: list[tuple[Path, Path, frozenset[str]]] = []

    def file(self, path: Path, write: Callable[[Path], object]) -> None:
        """Stage one file: `write` is called on a temporary name beside `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(handle)
        self._files.append((Path(temporary), path))
        write(Path(temporary))
        _readable(Path(temporary))

    def folder(self, path: Path, write: Callable[[Path], object], owned: Iterable[str]) -> None:
        """Stage a set of files: `write` fills a fresh folder beside `path`. On commit the set
        replaces the old one whole; entries named in `owned` that the new set lacks go, and a
        folder that also holds other files keeps them."""
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        self._folders.append((staging, path, frozenset(owned)))
        write(staging)
        _readable(staging)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            try:
                self._commit()
            finally:
                self._discard()
        else:
            self._discard()

    def _commit(self) -> None:
        targets = [t for _, t in self._files] + [t for _, t, _ in self._folders]
        with _quiet_signals(), _locked([t.parent for t in targets]):
            for staging, path, owned in self._folders:
                _move_set(staging, path, owned)
            for temporary, path in self._files:
                os.replace(temporary, path)

    def _discard(self) -> None:
        for temporary, _ in self._files:
            temporary.unlink(missing_ok=True)
        for staging, _, _ in self._folders:
            shutil.rmtree(staging, ignore_errors=True)


def _move_set(staging: Path, path: Path, owned: frozenset[str]) -> None:
    names = owned | {entry.name for entry in staging.iterdir()}
    if not path.exists():
        os.rename(staging, path)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
    if all(entry.name in names for entry in path.iterdir()):
        os.rename(path, old / path.name)
        os.rename(staging, path)
    else:
        for name in sorted(names):
            if (path / name).exists() or (path / name).is_symlink():
                os.rename(path / name, old / name)
            if (staging / name).exists():
                os.rename(staging / name, path / name)
        staging.rmdir()
    shutil.rmtree(old, ignore_errors=True)
