"""The sync's work folders: a bundle decrypted and unpacked while it is checked, a bundle being
written. They hold applicants' records in clear, so a process killed while it works (the power
cut at closing time, a clerk ending the program from the task manager) must not leave one behind
for good.

Each folder is made by `tempfile.mkdtemp` (readable by its owner only) and holds a lock file,
`.owner`, locked (POSIX `flock`) for as long as its process works in it; the kernel releases the
lock when the process dies. Before a new folder is made, `sweep` removes this user's folders of
the sync whose lock is free. A folder without a lock file (made before this module, or where
there is no `flock`) is removed once it is older than `STALE_SECONDS`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: folders are judged by age instead
    fcntl = None  # type: ignore[assignment]

IMPORT_PREFIX = "clerk-import-"
EXPORT_PREFIX = "clerk-export-"
PREFIXES = (IMPORT_PREFIX, EXPORT_PREFIX)
LOCK = ".owner"
STALE_SECONDS = 24 * 3600  # no import or export runs this long


@contextlib.contextmanager
def work_folder(prefix: str, root: Path | None = None) -> Iterator[Path]:
    """A new work folder (under `root`, the system's temporary folder by default), locked while
    the block runs and removed after it; abandoned ones are swept first."""
    sweep(root)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    handle = None
    try:
        if fcntl is not None:
            # locked before it has its name, so a sweep never sees it unlocked
            fresh = folder / (LOCK + ".new")
            handle = open(fresh, "xb")  # noqa: SIM115 - held open, and locked, for the block
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.replace(fresh, folder / LOCK)
        yield folder
    finally:
        if handle is not None:
            handle.close()
        shutil.rmtree(folder, ignore_errors=True)


def sweep(root: Path | None = None, *, now: float | None = None) -> list[Path]:
    """Remove this user's abandoned work folders under `root`; returns those removed."""
    base = Path(root) if root is not None else Path(tempfile.gettempdir())
    me = os.getuid() if hasattr(os, "getuid") else None
    removed = []
    for prefix in PREFIXES:
        for folder in sorted(base.glob(prefix + "*")):
            try:
                found = folder.lstat()
            except OSError:
                continue
            if not stat.S_ISDIR(found.st_mode) or (me is not None and found.st_uid != me):
                continue
            if _abandoned(folder, found.st_mtime, time.time() if now is None else now):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


def _abandoned(folder: Path, modified: float, now: float) -> bool:
    if fcntl is not None:
        try:
            handle = open(folder / LOCK, "rb")  # noqa: SIM115 - closed below, releasing the lock
        except FileNotFoundError:
            pass  # being made this instant, or from before the lock: judged by age
        except OSError:
            return False
        else:
            with handle:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    return False  # its process is working in it
                return True
    return now - modified > STALE_SECONDS
