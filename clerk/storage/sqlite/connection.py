"""Opening SQLite connections with the pragmas every clerk connection needs.

One connection, several threads (issue 25): the app takes decisions, imports and searches in
thread workers on the store's one connection. A transaction holds the store's lock
(`SharedConnection.lock`, which `Store` adopts) from `BEGIN` to `COMMIT`; a statement another
thread sends meanwhile must not run inside it (it would read rows not yet committed, or its write
would commit or roll back with them). So once a second thread has used the connection, a thread
that does not hold the lock sends its reads (`SELECT`, `WITH`) through a read connection of its
own to the same file (WAL: it sees the last commit and never waits for the writer), and anything
else under the lock. A database in memory has no file to open twice: its reads wait for the lock.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Any

from clerk.ports.errors import ForeignDatabaseError

BUSY_TIMEOUT_MS = 15_000
READS = ("select", "with")  # statements a read connection takes (query_only refuses a write)


class OwnedLock:
    """A re-entrant lock that knows which thread holds it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.owner: int | None = None
        self._depth = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        got = self._lock.acquire(blocking, timeout)
        if got:
            self.owner = threading.get_ident()
            self._depth += 1
        return got

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.owner = None
        self._lock.release()

    def __enter__(self) -> OwnedLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class _Reader:
    """A thread's read connection; closed when its thread ends (its thread-local goes)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.conn.execute("PRAGMA query_only = ON")

    def close(self) -> None:
        self.conn.close()

    def __del__(self) -> None:
        self.close()


class SharedConnection(sqlite3.Connection):
    """A connection several threads may share; see the module's docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = OwnedLock()
        self.file: str | None = None  # set by `connect` for a database on disk
        self._first = threading.get_ident()
        self._shared = False
        self._local = threading.local()
        self._readers: weakref.WeakSet[_Reader] = weakref.WeakSet()

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        me = threading.get_ident()
        if not self._shared and me != self._first:
            self._shared = True  # a second thread: from now on, see the module's docstring
        if self.lock.owner == me:
            return super().execute(sql, parameters)
        if self._shared and self.file is not None and sql.lstrip()[:6].lower().startswith(READS):
            return self._reader().execute(sql, parameters)
        with self.lock:
            return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        with self.lock:
            return super().executemany(sql, parameters)

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        with self.lock:
            return super().executescript(sql_script)

    def _reader(self) -> sqlite3.Connection:
        reader: _Reader | None = getattr(self._local, "reader", None)
        if reader is None:
            assert self.file is not None
            reader = self._local.reader = _Reader(self.file)
            self._readers.add(reader)
        return reader.conn

    def close(self) -> None:
        for reader in list(self._readers):
            reader.close()
        super().close()


def connect(path: str | Path) -> sqlite3.Connection:
    """A read-write connection in WAL mode with full fsync, foreign keys and a long busy timeout,
    which threads may share (`SharedConnection`).

    `isolation_level=None` leaves transactions to us: `Store.transaction()` issues
    `BEGIN IMMEDIATE` itself, so a writer takes the write lock before reading anything it
    will base a change on.
    """
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, factory=SharedConnection
    )
    try:
        refuse_foreign(conn, path)
        apply_pragmas(conn)
    except BaseException:
        conn.close()
        raise
    if str(path) not in ("", ":memory:") and not str(path).startswith("file:"):
        conn.file = str(Path(path).resolve())
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
