"""Dashboard queues: `Window.queues(user)` vs the same six SELECTs through bare sqlite3.

The floor runs, on the same file, the queries the dashboard needs (today's cases, awaiting review,
due within a working day, overdue, awaiting supplement, awaiting payment, all for the point) and
fetches every row as a tuple. What the product adds on top is sqlite-utils' dict rows, building a
`CaseSummary` per row (masking, dates, the deemed-acceptance check) and the role filter.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from bench.core import Context, Row, compare
from bench.fixture import END, POINT, REVIEWER

POINT_CLAUSE = " AND (point_code = :point OR office_code = :point)"
ORDER = " ORDER BY received_at, case_no"
FLOOR_SQL: tuple[str, ...] = (
    "SELECT * FROM cases WHERE received_at >= :today AND received_at < :tomorrow"
    + POINT_CLAUSE
    + ORDER,
    "SELECT * FROM cases WHERE state = 'accepted'" + POINT_CLAUSE + ORDER,
    "SELECT * FROM cases WHERE state IN ('accepted', 'awaiting_payment') AND due_date <= :next_day"
    " AND due_date >= :today" + POINT_CLAUSE + " ORDER BY due_date, received_at, case_no",
    "SELECT * FROM cases WHERE state IN ('accepted', 'awaiting_payment') AND due_date < :today"
    + POINT_CLAUSE
    + " ORDER BY due_date, received_at, case_no",
    "SELECT * FROM cases WHERE state = 'awaiting_supplement'" + POINT_CLAUSE + ORDER,
    "SELECT * FROM cases WHERE state = 'awaiting_payment'" + POINT_CLAUSE + ORDER,
)


def floor_queues(conn: sqlite3.Connection, params: dict[str, str]) -> int:
    """Rows of the six queues, fetched as tuples; returns how many."""
    total = 0
    for sql in FLOOR_SQL:
        total += len(conn.execute(sql, params).fetchall())
    return total


def run(ctx: Context) -> list[Row]:
    demo = ctx.demo()
    store = demo.open_store()
    conn = demo.raw()
    try:
        window = demo.window(store)
        user = demo.user(store, REVIEWER)
        next_day, _ = window.calendar.add_working_days(END, 1)
        params = {
            "today": END.isoformat(),
            "tomorrow": (END + timedelta(days=1)).isoformat(),
            "next_day": next_day.isoformat(),
            "point": POINT,
        }
        queues = window.queues(user)
        shown = sum(queues.counts.values())
        fetched = floor_queues(conn, params)
        product_s, floor_s = compare(
            lambda: window.queues(user), lambda: floor_queues(conn, params), repeats=ctx.repeats
        )
        note = f"{shown} rows shown / {fetched} fetched by the floor"
        return [
            Row("queues", f"reviewer, {demo.cases} cases", product_s, floor_s, ctx.repeats, note)
        ]
    finally:
        conn.close()
        store.close()
