"""The pending-writes journal: which document files an attempt at a move is about to write.

A move writes its documents inside its database transaction. A process killed after writing the
files and before the commit leaves files no record names; the start-up tidy must find them
without walking the whole documents folder (a county's holds millions of files).

So before a document's files are written, their paths are appended to the attempt's journal,
`<root>/.pending/<token>.journal` (one JSON line per path, flushed and fsynced before the first
byte of the document is written; a line torn by a crash cannot name a written file, and is
ignored). The journal is removed once the transaction has committed, or once the attempt's
files were set aside after a failure. A journal left behind therefore names every file a killed
attempt may have written, and nothing else needs looking at (`clerk.documents.tidy`).

While its attempt runs, the journal file is locked (POSIX `flock`): a reader that gets the lock
knows the writer is gone (the kernel releases it when a process dies). Where there is no `flock`,
a journal counts as abandoned once it is older than `STALE_SECONDS`.

The service opens one around each move's transaction (`attempt(root)`); `clerk.documents.store`
notes the paths of every document it writes in the attempt that is open in this thread of
execution (a context variable), so no issuing function needs a new parameter.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from clerk.support.paths import JOURNAL_DIR

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: journals are judged by age instead
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".journal"
STALE_SECONDS = 300  # a journal (or a .part file) this old is no longer being written

_ACTIVE: ContextVar[Journal | None] = ContextVar("clerk_pending_writes", default=None)


class Journal:
    """One attempt's journal; created on its first entry (an attempt writing nothing leaves none)."""

    def __init__(self) -> None:
        self.token = f"{os.getpid()}-{secrets.token_hex(6)}"
        self.path: Path | None = None  # <root>/.pending/<token>.journal, once a file is noted
        self._handle: IO[bytes] | None = None
        self.paths: list[Path] = []

    @property
    def part_prefix(self) -> str:
        """The prefix of this attempt's temporary files (`.tmp-<token>-…part`)."""
        return f".tmp-{self.token}-"

    def note(self, root: Path, paths: Iterable[Path]) -> None:
        """Record `paths` (documents under `root`) durably before they are written."""
        handle = self._open(Path(root))
        for path in paths:
            entry = {"path": str(Path(path).absolute())}
            handle.write(json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")
            self.paths.append(Path(path))
        handle.flush()
        os.fsync(handle.fileno())

    def close(self, *, remove: bool = True) -> None:
        """End the attempt: remove the journal (committed, or its files set aside) or, when
        `remove` is false (a set-aside failed), leave it for the next start-up's tidy."""
        if self._handle is None or self.path is None:
            return
        try:
            if remove:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
        finally:
            self._handle.close()  # releases the lock
            self._handle = None

    def _open(self, root: Path) -> IO[bytes]:
        if self._handle is None:
            self.path = root / JOURNAL_DIR / f"{self.token}{SUFFIX}"
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if fcntl is None:  # pragma: no cover - judged by age
                handle = open(self.path, "xb")  # noqa: SIM115 - held open for the attempt
            else:
                # Locked before it has its name, so a tidy never sees it unlocked.
                fresh = self.path.with_suffix(".new")
                handle = open(fresh, "xb")  # noqa: SIM115 - held open, and locked, for the attempt
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.replace(fresh, self.path)
            self._handle = handle
            _fsync_dir(self.path.parent)
        return self._handle


@contextlib.contextmanager
def attempt() -> Iterator[Journal]:
    """The journal of one attempt: documents written inside this block are noted in it (under
    the root of the first one written).

    The caller closes it (`Journal.close`) once the outcome is settled; leaving the block
    without closing leaves the journal for the tidy (as a killed process would).
    """
    journal = Journal()
    token = _ACTIVE.set(journal)
    try:
        yield journal
    finally:
        _ACTIVE.reset(token)


def active() -> Journal | None:
    """The journal of the attempt open here, if any."""
    return _ACTIVE.get()


def note(root: Path, paths: Iterable[Path]) -> str:
    """Note `paths` (under the documents `root`) in the open attempt's journal, if any; returns
    the prefix of the temporary files to write them through."""
    journal = _ACTIVE.get()
    if journal is None:
        return ".tmp-"
    journal.note(root, paths)
    return journal.part_prefix


@dataclass
class Left:
    """A journal a finished (or killed) attempt left behind."""

    path: Path
    token: str
    paths: list[Path] = field(default_factory=list)

    @property
    def folders(self) -> list[Path]:
        return sorted({p.parent for p in self.paths})

    @property
    def part_prefix(self) -> str:
        return f".tmp-{self.token}-"


def left_behind(root: Path, *, now: float | None = None) -> list[Left]:
    """The journals under `root` whose attempt is over (its writer gone): each with its paths."""
    folder = Path(root) / JOURNAL_DIR
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    now = time.time() if now is None else now
    found: list[Left] = []
    for name in names:
        if not name.endswith(SUFFIX):
            continue
        path = folder / name
        try:
            with open(path, "rb") as handle:
                if not _abandoned(handle, path, now):
                    continue
                raw = handle.read()
        except OSError:
            continue
        paths: list[Path] = []
        for line in raw.split(b"\n"):
            try:
                paths.append(Path(json.loads(line)["path"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by the crash: its file was never begun
        found.append(Left(path, name.removesuffix(SUFFIX), paths))
    return found


def _abandoned(handle: IO[bytes], path: Path, now: float) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return False  # its attempt is still running
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return True
    return now - path.stat().st_mtime >= STALE_SECONDS  # pragma: no cover - no flock


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
