"""The one place a `sqlite3` error is turned into a neutral error of `clerk.ports.errors`.

`translate()` classifies a `sqlite3.Error`; `translated()` re-raises any SQLite error inside its
block as the matching neutral error.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from clerk.ports.errors import (
    BusyError,
    ConstraintError,
    DamagedError,
    DiskError,
    DiskFullError,
    ReadOnlyError,
    StorageError,
)


def translate(exc: sqlite3.Error) -> StorageError:
    """The neutral error for a SQLite error (its message kept as the detail). `DamagedError` only
    for what proves the file damaged or foreign: I/O, space and permission failures are not."""
    text = str(exc).lower()
    if "full" in text:
        return DiskFullError(str(exc))
    if "locked" in text or "busy" in text:
        return BusyError(str(exc))
    if "readonly" in text or "read-only" in text or "read only" in text:
        return ReadOnlyError(str(exc))
    if isinstance(exc, sqlite3.IntegrityError):
        return ConstraintError(str(exc))
    if "unable to open" in text:  # SQLITE_CANTOPEN: a folder missing or not writable
        return ReadOnlyError(str(exc))
    if "disk i/o" in text:
        # SQLITE_IOERR: the disk failed, not the file's content (a disk with a few KB left fails
        # this way before it reports "full").
        return DiskError(str(exc))
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return DamagedError(str(exc))
    return StorageError(str(exc))


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise a `sqlite3.Error` from the block as the matching `StorageError`."""
    try:
        yield
    except sqlite3.Error as exc:
        raise translate(exc) from exc
