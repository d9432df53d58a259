"""Opening SQLite connections with the pragmas every clerk connection needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from clerk.ports.errors import ForeignDatabaseError

BUSY_TIMEOUT_MS = 15_000


def connect(path: str | Path) -> sqlite3.Connection:
    """A read-write connection in WAL mode with full fsync, foreign keys and a long busy timeout.

    `isolation_level=None` leaves transactions to us: `Store.transaction()` issues
    `BEGIN IMMEDIATE` itself, so a writer takes the write lock before reading anything it
    will base a change on.
    """
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        refuse_foreign(conn, path)
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


def refuse_foreign(conn: sqlite3.Connection, path: str | Path) -> None:
    """Refuse a SQLite file another program made, before anything (WAL mode, migrations) changes
    it: schema version 0 with tables in it. A new, empty file is clerk's to set up."""
    tables = foreign_tables(conn)
    if tables:
        raise ForeignDatabaseError(
            f"{path} 不是 clerk 数据库（里面已有其他程序的 {tables} 个数据表或索引），未作任何改动"
        )


def foreign_tables(conn: sqlite3.Connection) -> int:
    """How many tables and indexes of another program the file holds: a file at schema version 0
    (never set up by clerk) with anything in it; 0 for a clerk file or a new, empty one."""
    if conn.execute("PRAGMA user_version").fetchone()[0] != 0:
        return 0
    return int(
        conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        ).fetchone()[0]
    )


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
