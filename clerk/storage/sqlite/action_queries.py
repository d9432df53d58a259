"""The reads behind the lists that need action (`Store.action_cases`, `Store.action_counts`,
decoded by `clerk.ports.action_cases`) on SQLite: the SQL of `clerk.storage.action_lists_sql`,
each list from its index — never a walk over every case ever kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from clerk.ports.action_cases import COLUMNS, ActionCase, ActionQuery, action_case
from clerk.storage.action_lists_sql import cases_sql, counts_sql, parameters


def action_cases(
    conn: sqlite3.Connection,
    query: ActionQuery,
    after: tuple[str, str] | None,
    limit: int | None,
) -> Iterator[ActionCase]:
    """The list's rows in key order, a thousand fetched at a time; `limit` rows after `after`
    (None: all of them)."""
    cursor = conn.execute(
        cases_sql(query.kind, after is not None, limit is not None), parameters(query, after, limit)
    )
    names = tuple(d[0] for d in cursor.description)
    assert names == COLUMNS, names
    while batch := cursor.fetchmany(1000):
        for row in batch:
            yield action_case(dict(zip(names, row, strict=True)))


def action_counts(conn: sqlite3.Connection, query: ActionQuery) -> dict[str, int]:
    rows = conn.execute(counts_sql(query.kind), parameters(query)).fetchall()
    return {str(office): int(n) for office, n in rows}
