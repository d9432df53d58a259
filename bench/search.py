"""Search box: `Window.search(text)` vs one bare SELECT on the index that answers the query.

Three queries a clerk types: a case number, an applicant's ID number (exact), and a two-character
name. The product tries case number, ID number, credit code and the name index in turn and builds
a `CaseSummary` per hit; the floor runs only the one SELECT that finds the rows (the `case_no` or
`id_number` index, or the FTS5 name index joined to `cases`) and fetches tuples.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from bench.core import Context, Row, compare, skipped

BY_CASE_NO = "SELECT * FROM cases WHERE case_no = ?"
BY_ID_NUMBER = "SELECT * FROM cases WHERE id_number = ? ORDER BY received_at DESC"
BY_NAME = (
    "SELECT c.* FROM cases_fts f JOIN cases c ON c.uuid = f.case_uuid"
    " WHERE cases_fts MATCH ? ORDER BY c.received_at DESC LIMIT 200"
)
NUMBER = 20  # calls per measurement: one search takes well under a millisecond


def probes(conn: sqlite3.Connection) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(case label, text typed, floor SQL, floor parameters) for the three kinds of query."""
    case_no, id_number, name = conn.execute(
        "SELECT case_no, id_number, applicant_name FROM cases"
        " WHERE applicant_kind = 'person' ORDER BY received_at DESC LIMIT 1"
    ).fetchone()
    short = name.removeprefix("演示")[:2]  # demo names are 演示 + surname + given name
    phrase = '"' + " ".join(short) + '"'
    return [
        ("case number", case_no, BY_CASE_NO, (case_no,)),
        ("ID number", id_number, BY_ID_NUMBER, (id_number,)),
        ("2-character name", short, BY_NAME, (phrase,)),
    ]


def run(ctx: Context) -> list[Row]:
    demo = ctx.demo()
    store = demo.open_store()
    conn = demo.raw()
    rows: list[Row] = []
    try:
        window = demo.window(store)
        for label, text, sql, params in probes(conn):
            try:
                found = len(window.search(text))
                floor_found = len(conn.execute(sql, params).fetchall())
                product_s, floor_s = compare(
                    _bind(window.search, text),
                    _query(conn, sql, params),
                    repeats=ctx.repeats,
                    number=NUMBER,
                )
            except Exception as exc:  # noqa: BLE001 - one failing query must not hide the others
                rows.append(skipped("search", label, exc))
                continue
            note = f"{found} hits / floor {floor_found}, {demo.cases} cases"
            rows.append(Row("search", label, product_s, floor_s, ctx.repeats, note))
    finally:
        conn.close()
        store.close()
    return rows


def _bind(fn: Callable[[str], object], text: str) -> Callable[[], object]:
    return lambda: fn(text)


def _query(conn: sqlite3.Connection, sql: str, params: tuple[str, ...]) -> Callable[[], object]:
    return lambda: conn.execute(sql, params).fetchall()
