"""Backend-neutral storage errors: what went wrong, whatever the engine.

Everything above storage (the service, the sync, the write-error messages, the CLI) catches
these, never an engine's own errors; each adapter classifies its engine's errors into them
(`clerk.storage.sqlite.errors` for SQLite).
"""

from __future__ import annotations


class StorageError(Exception):
    """The store refused or failed an operation; `str()` is the backend's own detail."""


class BusyError(StorageError):
    """Another program holds the database (lock not granted within the busy timeout)."""


class DiskFullError(StorageError):
    """The disk (or the database's size limit) is full; nothing was written."""


class ReadOnlyError(StorageError):
    """The database file or its folder may not be written."""


class DiskError(StorageError):
    """The disk or file system failed a read or write (an I/O error: a disk nearly full, removed or
    failing); the database is not known to be damaged, and restoring a backup would lose work."""


class DamagedError(StorageError):
    """The file is proven not to be a clerk database, or to be damaged (the engine says its
    structure is malformed). Only this error may advise restoring a backup."""


class ConstraintError(StorageError):
    """A write broke a storage rule (unique key, check, append-only trigger, ...)."""


class ConflictError(StorageError, ValueError):
    """Someone else changed the case since it was read (optimistic version check)."""


class NotFoundError(StorageError, ValueError):
    """The case or record asked for does not exist."""


class MissingDatabaseError(StorageError):
    """The database asked for does not exist, and the command was not one that creates it."""


class ForeignDatabaseError(StorageError):
    """The file is a database of another program: clerk refuses it and never changes it."""
