"""The one place a psycopg error is turned into a neutral error of `clerk.ports.errors`.

Classified by SQLSTATE class (PostgreSQL's error codes, appendix A of its manual):

| SQLSTATE | meaning | neutral error |
| --- | --- | --- |
| 23xxx | integrity constraint (unique, check, foreign key, the event log's triggers) | `ConstraintError` |
| 42501 | insufficient privilege (the app role writing the event log) | `ConstraintError` |
| 40001, 40P01, 55P03, 57014 | serialization failure, deadlock, lock not available, lock/statement timeout | `BusyError` |
| 53100 | disk full | `DiskFullError` |
| 25006 | read-only transaction (a hot standby) | `ReadOnlyError` |
| 53xxx, 08xxx, 57P0x, 58xxx | resources, connection lost, server shutting down, I/O | `DiskError` / `StorageError` |
| XX001, XX002 | data or index corrupted | `DamagedError` |
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from clerk.ports.errors import (
    BusyError,
    ConstraintError,
    DamagedError,
    DiskError,
    DiskFullError,
    ReadOnlyError,
    StorageError,
)

_BUSY = {"40001", "40P01", "55P03", "57014"}


def translate(exc: psycopg.Error) -> StorageError:
    """The neutral error for a psycopg error (its message, never a parameter, as the detail)."""
    code = getattr(exc, "sqlstate", None) or ""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if code.startswith("23") or code == "42501":
        return ConstraintError(text)
    if code in _BUSY:
        return BusyError(text)
    if code == "53100":
        return DiskFullError(text)
    if code == "25006":
        return ReadOnlyError(text)
    if code in {"XX001", "XX002"}:
        return DamagedError(text)
    if code == "58030":  # io_error
        return DiskError(text)
    return StorageError(text)


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise a `psycopg.Error` from the block as the matching `StorageError`."""
    try:
        yield
    except psycopg.Error as exc:
        raise translate(exc) from exc
