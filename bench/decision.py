"""A decision at the window: open a case, record its materials, accept it.

Product: `Window.open_case` + `check_materials` + `accept` for item 9 (城乡居民参保登记, 即时办结:
acceptance and completion documents, text + PDF each) and item 31 (住院费用报销, 25 working days:
the acceptance document and a computed deadline), on a copy of the demo database.

Floor (durability): one bare sqlite3 transaction, `BEGIN IMMEDIATE`, insert one case row and two
event rows, `COMMIT`, on a WAL file with `synchronous=FULL` (the pragmas clerk itself uses), so
the floor pays the same fsync a committed decision must pay.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bench.core import Context, Row, compare, format_seconds, skipped
from bench.fixture import CLERK, DemoDb
from clerk.domain.accounts import User
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Applicant
from clerk.service.demo import synthetic_resident_id
from clerk.service.window import Window

ITEMS: tuple[tuple[int, str], ...] = ((9, "item 9, instant"), (31, "item 31, 25 working days"))

FLOOR_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cases (uuid TEXT PRIMARY KEY, case_no TEXT, item_no INTEGER,"
    " state TEXT, received_at TEXT, accepted_at TEXT)",
    "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, case_uuid TEXT, action TEXT,"
    " at TEXT, to_state TEXT)",
)


def floor_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    for sql in FLOOR_SCHEMA:
        conn.execute(sql)
    return conn


def floor_decision(conn: sqlite3.Connection, n: int) -> None:
    """One durable transaction: a case row and two events."""
    case = str(uuid.uuid4())
    at = "2026-03-20T10:00:00+08:00"
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO cases VALUES (?, ?, ?, 'accepted', ?, ?)", (case, f"BENCH{n:08d}", 31, at, at)
    )
    conn.execute(
        "INSERT INTO events (case_uuid, action, at, to_state) VALUES (?, 'receive', ?, 'draft')",
        (case, at),
    )
    conn.execute(
        "INSERT INTO events (case_uuid, action, at, to_state) VALUES (?, 'accept', ?, 'accepted')",
        (case, at),
    )
    conn.execute("COMMIT")


class Decider:
    """Makes one decision per call and keeps each step's time."""

    def __init__(self, window: Window, user: User, item_no: int) -> None:
        self.window = window
        self.user = user
        self.item_no = item_no
        self.rng = random.Random(item_no)
        self.checks = {
            m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
            for m in window.required_for(item_no, frozenset())
        }
        self.steps: dict[str, list[float]] = {"open": [], "check": [], "accept": []}
        self.final_state = ""

    def __call__(self) -> None:
        applicant = Applicant(
            kind="person",
            name="演示基准",
            id_type="resident_id",
            id_number=synthetic_resident_id(self.rng, date(1980, 1, 1)),
            phone="19900000000",
        )
        t0 = time.perf_counter()
        case = self.window.open_case(self.user, self.item_no, applicant)
        t1 = time.perf_counter()
        self.window.check_materials(self.user, case.uuid, self.checks)
        t2 = time.perf_counter()
        view = self.window.accept(self.user, case.uuid)
        t3 = time.perf_counter()
        self.final_state = str(view.state)
        for name, took in (("open", t1 - t0), ("check", t2 - t1), ("accept", t3 - t2)):
            self.steps[name].append(took)

    def note(self) -> str:
        parts = [f"{k} {format_seconds(statistics.median(v))}" for k, v in self.steps.items() if v]
        return " · ".join(parts) + f" → {self.final_state}"


def run(ctx: Context) -> list[Row]:
    demo: DemoDb = ctx.demo()
    folder = ctx.scratch("decision")
    copy = demo.copy(folder / "decision.db")
    store = demo.open_store(copy)
    floor = floor_connection(folder / "floor.db")
    rows: list[Row] = []
    try:
        window = demo.window(store, documents_root=folder / "documents")
        user = demo.user(store, CLERK)
        counter = iter(range(10**9))
        floor_call: Callable[[], None] = lambda: floor_decision(floor, next(counter))  # noqa: E731
        for item_no, label in ITEMS:
            try:
                decider = Decider(window, user, item_no)
                product_s, floor_s = compare(decider, floor_call, repeats=ctx.repeats)
            except Exception as exc:  # noqa: BLE001 - report, go on with the next item
                rows.append(skipped("decision", label, exc))
                continue
            rows.append(Row("decision", label, product_s, floor_s, ctx.repeats, decider.note()))
    finally:
        floor.close()
        store.close()
    return rows
