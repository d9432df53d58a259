"""Enrolment by roster: a college's 表6 with 5,000 students checked and enrolled as one batch.

Product: `Window.check_roster` (read the .xlsx with openpyxl, check every row, ask which
students are already enrolled) + `Window.enrol_roster` (one transaction: 5,000 item-9 cases with
their case numbers, 4 hash-chained events each, material checks, the batch and its links, and one
summary receipt as text + PDF), on a fresh database at a college point.

Floor: raw `sqlite3` `executemany` of the same rows in one `BEGIN IMMEDIATE` ... `COMMIT` on a WAL
file with `synchronous=FULL`: the case rows, 4 event rows and 2 material rows per student and
one link row, with no checks, no hashing and no document. What the product adds on top is the
row checks, the event chain (hash per event, append-only triggers), the name index and the
receipt. A second row times reading and checking the file against openpyxl merely loading it.

Each repeat builds its databases before the clock starts; 3 repeats at most (a repeat is seconds).
"""

from __future__ import annotations

import sqlite3
import statistics
import time
import uuid
from datetime import datetime
from pathlib import Path

from bench.core import Context, Row, skipped
from bench.fixture import cheap_hasher
from clerk.db import Store
from clerk.domain.clock import TZ, fixed_clock
from clerk.domain.model import Role
from clerk.roster.sample import mixed_rows, write_xlsx
from clerk.service.compose import build_window
from clerk.service.window import Window

FULL_ROWS = 5000
QUICK_ROWS = 50
MAX_REPEATS = 3
NOW = datetime(2026, 9, 1, 9, 30, tzinfo=TZ)
POINT = "BX01"

FLOOR_SCHEMA = (
    "CREATE TABLE cases (uuid TEXT PRIMARY KEY, case_no TEXT UNIQUE, point_code TEXT, item_no INTEGER,"
    " state TEXT, applicant_name TEXT, id_type TEXT, id_number TEXT, phone TEXT, received_at TEXT,"
    " accepted_at TEXT, closed_at TEXT)",
    "CREATE TABLE events (seq INTEGER PRIMARY KEY, uuid TEXT UNIQUE, case_uuid TEXT, action TEXT,"
    " at TEXT, from_state TEXT, to_state TEXT, data TEXT, prev_hash TEXT, hash TEXT)",
    "CREATE TABLE case_materials (uuid TEXT PRIMARY KEY, case_uuid TEXT, material_id TEXT, status TEXT)",
    "CREATE TABLE batch_cases (case_uuid TEXT PRIMARY KEY, batch_uuid TEXT, row_no INTEGER, student_no TEXT)",
)


def college(folder: Path) -> tuple[Window, object]:
    folder.mkdir(parents=True, exist_ok=True)
    store = Store.open(folder / "clerk.db", clock=fixed_clock(NOW), hasher=cheap_hasher())
    window = build_window(store, clock=fixed_clock(NOW), documents_root=folder / "docs")
    store.add_point(POINT, "基准测试学院", "college", "YZ01")
    window.setup(POINT, "admin", "王管理", "benchpass123")
    store.create_user("li", "李经办", Role.CLERK, "benchpass123", POINT)
    return window, window.login("li", "benchpass123")


def floor_import(path: Path, students: list[dict]) -> None:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    for sql in FLOOR_SCHEMA:
        conn.execute(sql)
    at = NOW.isoformat()
    batch = str(uuid.uuid4())
    cases, events, materials, links = [], [], [], []
    for n, s in enumerate(students, start=1):
        case = str(uuid.uuid4())
        cases.append(
            (
                case,
                f"{POINT}20260901{n:04d}",
                POINT,
                9,
                "closed",
                s["姓名"],
                "resident_id",
                str(s["证件号码"]),
                s["联系电话"],
                at,
                at,
                at,
            )
        )
        for action, src, dst in (
            ("receive", None, "draft"),
            ("accept", "draft", "accepted"),
            ("approve", "accepted", "accepted"),
            ("close", "accepted", "closed"),
        ):
            events.append((str(uuid.uuid4()), case, action, at, src, dst, "{}", "0" * 64, "0" * 64))
        materials += [
            (str(uuid.uuid4()), case, "valid_id", "ok"),
            (str(uuid.uuid4()), case, "form", "ok"),
        ]
        links.append((case, batch, n + 1, s["学号"]))
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cases)
    conn.executemany(
        "INSERT INTO events (uuid, case_uuid, action, at, from_state, to_state, data, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        events,
    )
    conn.executemany("INSERT INTO case_materials VALUES (?, ?, ?, ?)", materials)
    conn.executemany("INSERT INTO batch_cases VALUES (?, ?, ?, ?)", links)
    conn.execute("COMMIT")
    conn.close()


def run(ctx: Context) -> list[Row]:
    rows_n = QUICK_ROWS if ctx.quick else FULL_ROWS
    repeats = min(ctx.repeats, MAX_REPEATS)
    base = ctx.scratch("roster")
    try:
        rows, _ = mixed_rows(rows_n)  # all valid: every row is enrolled
        source = write_xlsx(base / "roster.xlsx", rows)
    except Exception as exc:  # noqa: BLE001
        return [skipped("roster", f"import {rows_n} rows", exc)]
    product: list[float] = []
    floor: list[float] = []
    check_p: list[float] = []
    check_f: list[float] = []
    enrolled = 0
    try:
        from openpyxl import load_workbook

        for r in range(repeats):
            window, clerk = college(base / f"product-{r}")
            start = time.perf_counter()
            check = window.check_roster(source)
            checked = time.perf_counter()
            result = window.enrol_roster(clerk, check, seal_checked=True)
            product.append(time.perf_counter() - start)
            check_p.append(checked - start)
            enrolled = result.enrolled
            window.store.close()

            start = time.perf_counter()
            floor_import(base / f"floor-{r}.db", rows)
            floor.append(time.perf_counter() - start)

            start = time.perf_counter()
            book = load_workbook(source, data_only=True)
            for _ in book.active.iter_rows(values_only=True):
                pass
            book.close()
            check_f.append(time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - the run goes on and the table says why
        return [skipped("roster", f"import {rows_n} rows", exc)]
    return [
        Row(
            "roster",
            f"import {rows_n} rows",
            statistics.median(product),
            statistics.median(floor),
            repeats,
            f"check + enrol {enrolled} students, one receipt; floor: raw executemany of the same rows",
        ),
        Row(
            "roster",
            f"check {rows_n} rows",
            statistics.median(check_p),
            statistics.median(check_f),
            repeats,
            "read + check every row; floor: openpyxl loading the file",
        ),
    ]
