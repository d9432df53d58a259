"""Files readable by their owner only: the database and its WAL/SHM, backups, reports, documents.

They hold names, ID numbers and phones (个人信息保护法). On Unix the process creates files 0600
and folders 0700 (umask 077), and files that already exist are tightened when opened. Elsewhere
(Windows) the user's profile folder already keeps other users out; these are no-ops there.
Free of Textual.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700
POSIX = os.name == "posix"


def use_private_umask() -> None:
    """Every file and folder this process creates from now on is the owner's only."""
    if POSIX:
        os.umask(os.umask(PRIVATE_UMASK) | PRIVATE_UMASK)


def make_private(*paths: Path | str) -> None:
    """Tighten existing files to 0600 and folders to 0700; missing paths are skipped."""
    if not POSIX:
        return
    for raw in paths:
        path = Path(raw)
        with contextlib.suppress(FileNotFoundError, PermissionError):
            mode = path.stat().st_mode
            wanted = DIR_MODE if stat.S_ISDIR(mode) else FILE_MODE
            if stat.S_IMODE(mode) & ~wanted:
                path.chmod(stat.S_IMODE(mode) & wanted)


def make_private_tree(root: Path | str) -> None:
    """`make_private` on a folder and everything under it."""
    root = Path(root)
    if not root.exists():
        return
    make_private(root)
    for path in root.rglob("*"):
        make_private(path)


def database_files(path: Path | str) -> tuple[Path, ...]:
    path = Path(path)
    return (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal"))
