"""Opening SQLite connections with the pragmas every clerk connection needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

BUSY_TIMEOUT_MS = 15_000


def connect(path: str | Path) -> sqlite3.Connection:
    """A read-write connection in WAL mode with full fsync, foreign keys and a long busy timeout.

    `isolation_level=None` leaves transactions to us: `Store.transaction()` issues
    `BEGIN IMMEDIATE` itself, so a writer takes the write lock before reading anything it
    will base a change on.
    """
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        apply_pragmas(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def connect_read_only(path: str | Path) -> sqlite3.Connection:
    """A read-only connection (for `clerk verify`): never migrates or writes the file."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def apply_pragmas(conn: sqlite3.Connection) -> None:
    # busy_timeout first: switching to WAL may itself have to wait for another process.
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise sqlite3.OperationalError(f"cannot switch the database to WAL mode (got {mode!r})")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def pragmas(conn: sqlite3.Connection) -> dict[str, object]:
    """The pragmas that matter, as the connection reports them (for tests and diagnostics)."""
    return {
        name: conn.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
    }
