"""Deadlines: `compute_deadline` for all 39 items over a year of start dates vs a plain loop.

Product: `compute_deadline(item, start, calendar=...)` for every item and every day of 2026 (365
start dates, on site), on a warm `WorkCalendar` (its per-year tables already built).

Floor: the same counts with nothing but `date + timedelta` and `weekday() < 5` (no holidays, no
make-up days, no `Deadline` objects): 即时办结 returns the start, N natural days adds N days, N
working days steps one day at a time counting weekdays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bench.core import Context, Row, compare
from clerk.domain.catalog import Item, default_catalog
from clerk.domain.deadlines import compute_deadline
from clerk.domain.workdays import WorkCalendar

FIRST = date(2026, 1, 1)
ONE_DAY = timedelta(days=1)


def start_dates(n: int) -> list[date]:
    return [FIRST + timedelta(days=i) for i in range(n)]


def product(items: list[Item], starts: list[date], calendar: WorkCalendar) -> list[date]:
    return [compute_deadline(item, s, calendar=calendar).due for item in items for s in starts]


def floor(limits: Sequence[tuple[str, int]], starts: list[date]) -> list[date]:
    out: list[date] = []
    for kind, days in limits:
        for s in starts:
            if kind == "natural_days":
                out.append(s + timedelta(days=days))
                continue
            day, left = s, days if kind == "working_days" else 0
            while left:
                day += ONE_DAY
                if day.weekday() < 5:
                    left -= 1
            out.append(day)
    return out


def run(ctx: Context) -> list[Row]:
    items = list(default_catalog().items)
    starts = start_dates(30 if ctx.quick else 365)
    limits = [(i.time_limit.kind, i.time_limit.days) for i in items]
    calendar = WorkCalendar(None)
    product(items, starts, calendar)  # build the calendar's year tables before timing
    product_s, floor_s = compare(
        lambda: product(items, starts, calendar), lambda: floor(limits, starts), repeats=ctx.repeats
    )
    calls = len(items) * len(starts)
    note = f"{calls} deadlines; per call {product_s / calls * 1e6:.1f} µs vs {floor_s / calls * 1e6:.1f} µs"
    return [
        Row(
            "deadline",
            f"{len(items)} items × {len(starts)} days",
            product_s,
            floor_s,
            ctx.repeats,
            note,
        )
    ]
