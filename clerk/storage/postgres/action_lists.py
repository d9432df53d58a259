"""The reads behind the lists that need action (`Store.action_cases`, `Store.action_counts`) on
PostgreSQL: the SQL of `clerk.storage.action_lists_sql`, a whole list streamed through a
server-side cursor, a page fetched at once; decoded by `clerk.ports.action_cases` as SQLite's
rows are."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clerk.ports.action_cases import COLUMNS, ActionCase, ActionQuery, action_case
from clerk.storage.action_lists_sql import cases_sql, counts_sql, parameters
from clerk.storage.figure_cases_sql import postgres_style


def action_cases(
    conn: Any, query: ActionQuery, after: tuple[str, str] | None, limit: int | None
) -> Iterator[ActionCase]:
    """The list's rows in key order (the caller holds a snapshot): `limit` rows after `after`,
    or all of them a thousand at a time from a named cursor (`limit` None)."""
    sql = postgres_style(cases_sql(query.kind, after is not None, limit is not None))
    params = parameters(query, after, limit)
    without_jit(conn)
    if limit is not None:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            yield from _decoded(cursor, cursor.fetchall())
        return
    with conn.cursor(name="clerk_action_cases") as cursor:
        cursor.itersize = 1000
        cursor.execute(sql, params)
        yield from _decoded(cursor, cursor)


def _decoded(cursor: Any, rows: Any) -> Iterator[ActionCase]:
    names: tuple[str, ...] | None = None
    for row in rows:
        if names is None:
            names = tuple(d.name for d in cursor.description)
            assert names == COLUMNS, names
        values = row if isinstance(row, dict) else dict(zip(names, row, strict=True))
        yield action_case(values)


def without_jit(conn: Any) -> None:
    """No JIT compilation for the rest of the transaction: these reads cost a few index probes
    per row, yet their plans' estimates pass `jit_above_cost`, and compiling took 2.0 s of a
    2.5 s count (measured on a 100,000-case city)."""
    conn.execute("SET LOCAL jit = off")


def action_counts(conn: Any, query: ActionQuery) -> dict[str, int]:
    without_jit(conn)
    with conn.cursor() as cursor:
        cursor.execute(postgres_style(counts_sql(query.kind)), parameters(query))
        rows = cursor.fetchall()
    out: dict[str, int] = {}
    for row in rows:
        office, n = (row["office"], row["n"]) if isinstance(row, dict) else row
        out[str(office)] = int(n)
    return out
