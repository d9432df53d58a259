"""Backend-neutral storage errors: the one place a SQLite error is turned into what went wrong.

Everything above storage (the service, the write-error messages, the CLI) catches these, never
`sqlite3` errors, so another backend can raise the same ones. `translate()` classifies a
`sqlite3.Error`; `translated()` re-raises any SQLite error inside its block as one of these.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


class StorageError(Exception):
    """The store refused or failed an operation; `str()` is the backend's own detail."""


class BusyError(StorageError):
    """Another program holds the database (lock not granted within the busy timeout)."""


class DiskFullError(StorageError):
    """The disk (or the database's size limit) is full; nothing was written."""


class ReadOnlyError(StorageError):
    """The database file or its folder may not be written."""


class DamagedError(StorageError):
    """The file is not a clerk database, or it is damaged."""


class ConstraintError(StorageError):
    """A write broke a storage rule (unique key, check, append-only trigger, ...)."""


class ConflictError(StorageError, ValueError):
    """Someone else changed the case since it was read (optimistic version check)."""


class NotFoundError(StorageError, ValueError):
    """The case or record asked for does not exist."""


def translate(exc: sqlite3.Error) -> StorageError:
    """The neutral error for a SQLite error (its message kept as the detail)."""
    text = str(exc).lower()
    if "full" in text:
        return DiskFullError(str(exc))
    if "locked" in text or "busy" in text:
        return BusyError(str(exc))
    if "readonly" in text or "read-only" in text or "read only" in text:
        return ReadOnlyError(str(exc))
    if isinstance(exc, sqlite3.IntegrityError):
        return ConstraintError(str(exc))
    if "malformed" in text or "not a database" in text or "corrupt" in text or "disk i/o" in text:
        return DamagedError(str(exc))
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return DamagedError(str(exc))
    return StorageError(str(exc))


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise a `sqlite3.Error` from the block as the matching `StorageError`."""
    try:
        yield
    except sqlite3.Error as exc:
        raise translate(exc) from exc
