"""Dashboard queues: `Window.queues(user)` vs the same six SELECTs through bare sqlite3.

The floor runs, on the same file, the queries the dashboard needs (today's cases, awaiting review,
due within a working day, overdue, awaiting supplement, awaiting payment, all for the point) and
fetches every row as a tuple. What the product adds on top is sqlite-utils' dict rows, building a
`CaseSummary` per row (masking, dates, the deemed-acceptance check) and the role filter.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from typing import Any

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


def floor_params(window: Any) -> dict[str, str]:
    """The floor queries' parameters for the fixture's last day at its point."""
    next_day, _ = window.calendar.add_working_days(END, 1)
    return {
        "today": END.isoformat(),
        "tomorrow": (END + timedelta(days=1)).isoformat(),
        "next_day": next_day.isoformat(),
        "point": POINT,
    }


def queue_calls(window: Any, store: Any, reviewer_login: str) -> dict[str, Callable[[], list[Any]]]:
    """Each dashboard queue as the window builds it (the store's read, one summary per row), in
    `FLOOR_SQL`'s order."""
    today = END
    next_day, _ = window.calendar.add_working_days(today, 1)
    s = window.summary
    return {
        "today's cases": lambda: [s(r) for r in store.received_on(today, point_code=POINT)],
        "awaiting review": lambda: [
            s(r) for r in store.awaiting_review(POINT) if r.accepted_by != reviewer_login
        ],
        "due within a working day": lambda: [
            s(r)
            for r in store.due_on_or_before(next_day, point_code=POINT)
            if r.due_date is not None and r.due_date >= today
        ],
        "overdue": lambda: [s(r) for r in store.overdue(today, point_code=POINT)],
        "awaiting supplement": lambda: [s(r) for r in store.awaiting_supplement(point_code=POINT)],
        "awaiting payment": lambda: [s(r) for r in store.awaiting_payment(point_code=POINT)],
    }


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
        params = floor_params(window)
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
