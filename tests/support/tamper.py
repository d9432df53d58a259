"""Raw SQL on a database file, for the tests whose point is what the port cannot do.

Everything a test can read through the port (`clerk.ports.store.Store`, `SyncStore`) it reads
there. What is left is here, in one place: a test that plays an attacker or a damaged disk
(rewriting an event, dropping a trigger, moving a case behind the service's back), that checks how
a thing is *stored* (the raw text of a column, the schema, a query plan, a migration's result), or
that counts rows of a table no port method lists. Each function opens its own connection to the
FILE (`store.location`, or a path), as another process would, and closes it; none goes through
the store's connection.

A store on PostgreSQL (a module run on both engines, `support.engines`) is reached the same way:
`tamper_sql`, `tamper_script` and the `raw_*` reads run their SQL on the store's server database
as the cluster's superuser (`?` placeholders become `%s`), as an insider with a SQL shell on the
server would. `file_connection` and the SQLite-only helpers (query plans) need the file.

The few tests about the adapter's connection itself (its pragmas, a per-connection limit that
stands in for a full or read-only disk, the connection vanishing) use the last three functions,
which are the only ones that reach the store's own connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Protocol

from clerk.storage.sqlite.connection import connect

Params = Sequence[Any] | dict[str, Any]


class _Located(Protocol):
    @property
    def location(self) -> str: ...


Target = str | Path | _Located


def _path(target: Target) -> str:
    if isinstance(target, str | Path):
        return str(target)
    store = getattr(target, "store", None)  # a Window
    located = store if store is not None else target
    return located.location


@contextmanager
def file_connection(target: Target, *, foreign_keys: bool = True) -> Iterator[sqlite3.Connection]:
    """A connection of its own to the file of `target` (a store, a window or a path), set up as
    the adapter sets up its own (WAL, foreign keys on unless told otherwise); closed after."""
    with closing(connect(_path(target))) as conn:
        if not foreign_keys:
            conn.execute("PRAGMA foreign_keys = OFF")
        yield conn


def _server_database(target: Target) -> str | None:
    """The database name when `target` is a store (or window) on PostgreSQL, else None."""
    where = _path(target)
    if not where.startswith(("postgresql://", "postgres://")):
        return None
    from urllib.parse import urlsplit

    return urlsplit(where).path.lstrip("/")


def _on_server(database: str, sql: str, params: Params = ()) -> tuple[int, list[tuple[Any, ...]]]:
    import psycopg

    from support import postgres

    if isinstance(params, dict):
        import re

        sql = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)
    else:
        sql = sql.replace("?", "%s")
    url = postgres.cluster().admin_url(database)
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params or None)  # type: ignore[arg-type]
        found = cur.fetchall() if cur.description else []
        return cur.rowcount, [tuple(r) for r in found]


def tamper_sql(target: Target, sql: str, params: Params = (), *, foreign_keys: bool = True) -> int:
    """Run one writing statement on the file behind the port's back; returns its row count."""
    database = _server_database(target)
    if database is not None:
        return _on_server(database, sql, params)[0]
    with file_connection(target, foreign_keys=foreign_keys) as conn:
        return conn.execute(sql, params).rowcount


def tamper_script(target: Target, script: str, *, foreign_keys: bool = True) -> None:
    """Run several statements (`;`-separated, no parameters) on the file behind the port's back."""
    database = _server_database(target)
    if database is not None:
        for statement in (s.strip() for s in script.split(";")):
            if statement:
                _on_server(database, statement)
        return
    with file_connection(target, foreign_keys=foreign_keys) as conn:
        conn.executescript(script)


def raw_rows(target: Target, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
    """The rows a query reads from the file as stored."""
    database = _server_database(target)
    if database is not None:
        return _on_server(database, sql, params)[1]
    with file_connection(target) as conn:
        return conn.execute(sql, params).fetchall()


def raw_row(target: Target, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
    """The first row a query reads from the file (None when no row)."""
    rows = raw_rows(target, sql, params)
    return rows[0] if rows else None


def raw_value(target: Target, sql: str, params: Params = ()) -> Any:
    """The first column of the first row a query reads from the file (None when no row)."""
    rows = raw_rows(target, sql, params)
    return rows[0][0] if rows else None


def count_rows(target: Target, table: str) -> int:
    """How many rows `table` holds in the file."""
    return int(raw_value(target, f"SELECT COUNT(*) FROM {table}"))


def query_plan(target: Target, sql: str, params: Params = ()) -> str:
    """SQLite's plan for `sql` on the file, its steps joined by ` | `."""
    return " | ".join(r[3] for r in raw_rows(target, "EXPLAIN QUERY PLAN " + sql, params))


# ---------------------------------------------------------------------- the store's own connection


def store_connection(store: Any) -> sqlite3.Connection:
    """The adapter's own connection, for the tests of that connection (its pragmas, its
    isolation level, whether it is in a transaction)."""
    return store.conn


def limit_connection(store: Any, pragma: str) -> None:
    """Set a per-connection limit on the store's own connection (`query_only = 1` for a file
    that became read-only, `max_page_count = N` for a full disk): only that connection can."""
    store.conn.execute(f"PRAGMA {pragma}")


def drop_connection(store: Any) -> None:
    """Close the store's connection under it: what a file taken away under a running window
    looks like to SQLite."""
    store.conn.close()
