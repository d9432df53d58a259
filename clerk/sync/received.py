"""The document files an import stores, placed from the checked bundle's work folder.

The check pass (`clerk.sync.streaming`) unpacked every file into the work folder as
`files/<sha256>` and compared its SHA-256 with its name. Storing one then needs no copy: the
work file is hard-linked under its stored name (a copy only across file systems or where links
are refused), so its bytes are written once, and removing the work folder afterwards frees no
blocks. A stored file already there is kept when its SHA-256 is the one the bundle names, and
replaced otherwise.

Durability: the files an import placed must be on disk before its transaction commits (a row
must never name a file a crash lost). Each placed file is `fsync`ed by a few threads while the
import goes on (the file system commits concurrent `fsync` calls together; the waits overlap the
import's own work), and `make_durable` waits for them and `fsync`s their folders: no longer two
`fsync` calls in a row per file, each waiting for its own commit.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from clerk.support.file_digest import file_sha256

MODE = 0o600  # a document: owner only
SYNC_WORKERS = 4  # threads that fsync placed files
MAX_PENDING = 256  # fsyncs queued at a time (an import of many files waits for the oldest)


@dataclass(frozen=True)
class CarriedFile:
    """A document file a checked bundle carries: its SHA-256 (checked), where the check pass put
    it (None: held in memory) and how to read it."""

    digest: str
    path: Path | None
    read: Callable[[], bytes]


class ReceivedFiles:
    """Places an import's document files into a folder of the file system (see the module).

    Use as a context manager (the `fsync` threads end with it)."""

    def __init__(self, workers: int = SYNC_WORKERS) -> None:
        self.placed: list[Path] = []  # written by this import (removed again if it rolls back)
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future[None]] = deque()

    def __enter__(self) -> ReceivedFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def place(self, file: CarriedFile, target: Path) -> Path:
        """`file` stored as `target` (kept when already there with the right SHA-256)."""
        if not (target.exists() and file_sha256(target) == file.digest):
            target.parent.mkdir(parents=True, exist_ok=True)
            _put(file, target)
            self.placed.append(target)
            self._sync_later(target)
        return target

    def make_durable(self) -> None:
        """Every file placed so far on disk, and its name in its folder (call before the import
        commits); raises the first `fsync` failure."""
        while self._pending:
            self._pending.popleft().result()
        for folder in sorted({p.parent for p in self.placed}):
            _fsync(folder)

    def _sync_later(self, path: Path) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="clerk-fsync")
        self._pending.append(self._pool.submit(_fsync, path))
        while len(self._pending) > MAX_PENDING or (self._pending and self._pending[0].done()):
            self._pending.popleft().result()


def _put(file: CarriedFile, target: Path) -> None:
    """Link (or copy, or write) the file under a temporary name beside `target`, then rename it
    over `target` (a reader never sees half a file)."""
    tmp = target.parent / f".{target.name}.{secrets.token_hex(8)}.tmp"
    try:
        if file.path is None:
            tmp.write_bytes(file.read())
        else:
            try:
                os.link(file.path, tmp)
            except OSError:  # another file system, or links refused: a copy
                shutil.copyfile(file.path, tmp)
        os.chmod(tmp, MODE)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
