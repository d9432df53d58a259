"""Scale: every figure of issue 13 at each size (2,000 cases, and 1,000,000 with `--county`).

Each row is measured on one database beside a floor in the same run:

- startup: `login screen` / `dashboard, new process` — `python -m bench.startup login|product DB`
  from interpreter start to exit, with its peak memory; floor: a process showing a bare Textual app;
- lookup: `Window.search` for a case number, an ID number, a two-character name, a name part found
  in every case (演示) and a unit name part (物流); floor: the one SELECT that answers it in raw
  sqlite3 (for names, the FTS5 match paged newest first, joined to `cases`, 200 rows);
- queue: each dashboard queue as the window builds it (rows and summaries), and all six
  (`Window.queues`); floor: the same SELECT in raw sqlite3, tuples;
- decision: open + check + accept for item 9 (instant) and item 31 (25 working days); floor: one
  durable sqlite3 transaction (see bench/decision.py). At 2,000 cases on a copy; on the county file
  itself (a 5 GB copy per run is not worth it), which so gains a few cases a run;
- ledger: `build_ledger` for the last day, in process; floor: its queries in raw sqlite3; and
  `clerk report --date D` as a new process (wall time and peak memory) against a process running
  the same raw queries;
- verify: `clerk verify` (incremental) and `clerk verify --full` as new processes; floor for the
  full check: `integrity_check` + `foreign_key_check` (in a thread) beside a bare sha256 walk of
  the log (no JSON) and a SHA-256 of every recorded PDF;
- backup: `clerk backup` as a new process; floor: the sqlite3 backup API to a new file;
- sync: export of a 10,000-case day and import of a 100,000-case bundle, as new processes
  (`bench/sync_scale.py`: a township's file reporting to the office whose file is measured);
- facts (not timed): bytes on disk per case (the file, plus the template's documents per case).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.core import Context, Row, compare, skipped
from bench.county import CHECKED_THIS_RUN
from bench.fixture import CLERK, END, POINT, REVIEWER, DemoDb
from bench.floors import ledger_floor
from bench.proc import run_measured
from bench.sync_scale import sync_rows

ROOT = Path(__file__).resolve().parent.parent
NAME_PAGE = (
    "SELECT c.* FROM (SELECT case_uuid FROM cases_fts WHERE cases_fts MATCH ?"
    " ORDER BY rowid DESC LIMIT 200) f JOIN cases c ON c.uuid = f.case_uuid"
)
BY_CASE_NO = "SELECT * FROM cases WHERE case_no = ?"
BY_ID_NUMBER = "SELECT * FROM cases WHERE id_number = ? ORDER BY received_at DESC"


def label(db: DemoDb) -> str:
    return f"{db.cases:,}"


def _phrase(text: str) -> str:
    return '"' + " ".join(text) + '"'


def _rows_of(conn: sqlite3.Connection, sql: str, params: Any) -> Callable[[], int]:
    return lambda: len(conn.execute(sql, params).fetchall())


# ---------------------------------------------------------------------- start-up


def startup_rows(ctx: Context, db: DemoDb) -> list[Row]:
    rows: list[Row] = []
    env = {**os.environ, "CLERK_DATA_DIR": str(ctx.scratch("scale-startup"))}
    repeats = min(ctx.repeats, 3)
    for mode, case in (
        ("login", "login screen, new process"),
        ("product", "dashboard, new process"),
    ):
        try:
            peaks: list[float] = []

            def child(m: str = mode, peaks: list[float] = peaks) -> None:
                done = run_measured(
                    [sys.executable, "-m", "bench.startup", m, str(db.path)], env=env, cwd=str(ROOT)
                )
                if done.returncode != 0:
                    raise RuntimeError(
                        f"{m} process failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}"
                    )
                if m != "floor":
                    peaks.append(done.peak_mb)

            product_s, floor_s = compare(
                child, lambda: child("floor"), repeats=repeats, warmup=not ctx.quick
            )
            rows.append(
                Row(
                    "startup",
                    case,
                    product_s,
                    floor_s,
                    repeats,
                    "interpreter start to exit",
                    size=db.cases,
                    peak_mb=max(peaks),
                )
            )
        except Exception as exc:  # noqa: BLE001
            rows.append(skipped("startup", case, exc, size=db.cases))
    return rows


# ---------------------------------------------------------------------- lookups and queues


def lookup_rows(ctx: Context, db: DemoDb, window: Any, conn: sqlite3.Connection) -> list[Row]:
    case_no, id_number, name = conn.execute(
        "SELECT case_no, id_number, applicant_name FROM cases"
        " WHERE applicant_kind = 'person' ORDER BY received_at DESC LIMIT 1"
    ).fetchone()
    short = name.removeprefix("演示")[:2]
    probes = (
        ("case number", case_no, BY_CASE_NO, (case_no,), 20),
        ("ID number", id_number, BY_ID_NUMBER, (id_number,), 20),
        ("2-character name", short, NAME_PAGE, (_phrase(short),), 5),
        ("name part in every case (演示)", "演示", NAME_PAGE, (_phrase("演示"),), 1),
        ("unit name part (物流)", "物流", NAME_PAGE, (_phrase("物流"),), 1),
    )
    rows: list[Row] = []
    for case, text, sql, params, number in probes:
        try:
            found = len(window.search(text))
            floor_found = _rows_of(conn, sql, params)()
            product_s, floor_s = compare(
                functools.partial(window.search, text),
                _rows_of(conn, sql, params),
                repeats=ctx.repeats,
                number=number,
            )
        except Exception as exc:  # noqa: BLE001
            rows.append(skipped("lookup", case, exc, size=db.cases))
            continue
        rows.append(
            Row(
                "lookup",
                case,
                product_s,
                floor_s,
                ctx.repeats,
                f"{found} shown / floor {floor_found}",
                size=db.cases,
            )
        )
    return rows


def queue_rows(
    ctx: Context, db: DemoDb, window: Any, store: Any, conn: sqlite3.Connection
) -> list[Row]:
    from bench.queues import FLOOR_SQL, floor_params, queue_calls

    user = db.user(store, REVIEWER)
    params = floor_params(window)
    product = queue_calls(window, store, user.login)
    rows: list[Row] = []
    for (case, fn), sql in zip(product.items(), FLOOR_SQL, strict=True):
        try:
            shown = len(fn())
            floor = _rows_of(conn, sql, params)
            fetched = floor()
            product_s, floor_s = compare(fn, floor, repeats=ctx.repeats, number=3)
        except Exception as exc:  # noqa: BLE001
            rows.append(skipped("queue", case, exc, size=db.cases))
            continue
        rows.append(
            Row(
                "queue",
                case,
                product_s,
                floor_s,
                ctx.repeats,
                f"{shown} shown / {fetched} fetched",
                size=db.cases,
            )
        )
    try:
        from bench.queues import floor_queues

        product_s, floor_s = compare(
            lambda: window.queues(user), lambda: floor_queues(conn, params), repeats=ctx.repeats
        )
        rows.append(
            Row(
                "queue",
                "all six (Window.queues)",
                product_s,
                floor_s,
                ctx.repeats,
                "",
                size=db.cases,
            )
        )
    except Exception as exc:  # noqa: BLE001
        rows.append(skipped("queue", "all six (Window.queues)", exc, size=db.cases))
    return rows


# ---------------------------------------------------------------------- decision


def decision_rows(ctx: Context, db: DemoDb, *, on_copy: bool) -> list[Row]:
    from bench.decision import ITEMS, Decider, floor_connection, floor_decision

    folder = ctx.scratch(f"scale-decision-{db.cases}")
    path = db.copy(folder / "decision.db") if on_copy else db.path
    store = db.open_store(path)
    floor = floor_connection(folder / "floor.db")
    rows: list[Row] = []
    try:
        window = db.window(store, documents_root=folder / "documents")
        user = db.user(store, CLERK)
        counter = iter(range(10**9))
        for item_no, case in ITEMS:
            try:
                decider = Decider(window, user, item_no)
                product_s, floor_s = compare(
                    decider, lambda: floor_decision(floor, next(counter)), repeats=ctx.repeats
                )
            except Exception as exc:  # noqa: BLE001
                rows.append(skipped("decision", case, exc, size=db.cases))
                continue
            rows.append(
                Row(
                    "decision", case, product_s, floor_s, ctx.repeats, decider.note(), size=db.cases
                )
            )
    finally:
        floor.close()
        store.close()
    return rows


# ---------------------------------------------------------------------- ledger


def ledger_rows(ctx: Context, db: DemoDb, store: Any, repeats: int) -> list[Row]:
    from clerk.domain.workdays import WorkCalendar
    from clerk.service.ledger import build_ledger

    rows: list[Row] = []
    calendar = WorkCalendar(None)
    try:
        product_s, floor_s = compare(
            lambda: build_ledger(store, db.catalog, calendar, day=END, point_code=POINT, today=END),
            lambda: ledger_floor(db.path, END.isoformat()),
            repeats=repeats,
            warmup=False,
        )
        ledger = build_ledger(store, db.catalog, calendar, day=END, point_code=POINT, today=END)
        note = f"{ledger.received} received, {len(ledger.overdue)} overdue, {len(ledger.due_soon)} due soon"
        rows.append(
            Row(
                "ledger",
                "daily ledger, in process",
                product_s,
                floor_s,
                repeats,
                note,
                size=db.cases,
            )
        )
    except Exception as exc:  # noqa: BLE001
        rows.append(skipped("ledger", "daily ledger, in process", exc, size=db.cases))
    rows.append(
        _process_row(
            "ledger",
            "clerk report --date D, new process",
            db,
            repeats,
            [
                "-m",
                "clerk",
                "report",
                "--date",
                END.isoformat(),
                "--db",
                str(db.path),
                "--point",
                POINT,
                "--json",
            ],
            ["-m", "bench.floors", "ledger", str(db.path), END.isoformat()],
            ok_codes=(0, 1),
        )
    )
    return rows


# ---------------------------------------------------------------------- verify and backup


def _process_row(
    bench: str,
    case: str,
    db: DemoDb,
    repeats: int,
    product: list[str],
    floor: list[str] | Callable[[], object],
    *,
    ok_codes: tuple[int, ...] = (0,),
    cleanup: Callable[[], None] | None = None,
) -> Row:
    peaks: list[float] = []
    env = {**os.environ}

    def run_product() -> None:
        if cleanup:
            cleanup()
        done = run_measured([sys.executable, *product], env=env, cwd=str(ROOT))
        if done.returncode not in ok_codes:
            raise RuntimeError(
                f"exit {done.returncode}: {(done.stderr.strip().splitlines() or ['?'])[-1][:150]}"
            )
        peaks.append(done.peak_mb)

    def run_floor() -> None:
        if cleanup:
            cleanup()
        if callable(floor):
            floor()
            return
        done = run_measured([sys.executable, *floor], env=env, cwd=str(ROOT))
        if done.returncode != 0:
            raise RuntimeError(f"floor exit {done.returncode}: {done.stderr.strip()[-150:]}")

    try:
        product_s, floor_s = compare(run_product, run_floor, repeats=repeats, warmup=False)
    except Exception as exc:  # noqa: BLE001
        return skipped(bench, case, exc, size=db.cases)
    finally:
        if cleanup:
            cleanup()
    return Row(
        bench,
        case,
        product_s,
        floor_s,
        repeats,
        "",
        size=db.cases,
        peak_mb=max(peaks) if peaks else 0.0,
    )


def verify_rows(ctx: Context, db: DemoDb, repeats: int) -> list[Row]:
    rows = [
        _process_row(
            "verify",
            "clerk verify (incremental), new process",
            db,
            repeats,
            ["-m", "clerk", "verify", "--db", str(db.path), "--json"],
            ["-m", "bench.floors", "incremental", str(db.path)],
        )
    ]
    case = "clerk verify --full, new process"
    floor = ["-m", "bench.floors", "full-verify", str(db.path)]
    checked = CHECKED_THIS_RUN.get(db.path)
    if checked is not None:
        # The county file was just built and checked by this very command: that run is the
        # product's measurement (a second full pass would add minutes and measure the same).
        try:
            done = run_measured([sys.executable, *floor], env={**os.environ}, cwd=str(ROOT))
            if done.returncode != 0:
                raise RuntimeError(f"floor exit {done.returncode}: {done.stderr.strip()[-150:]}")
        except Exception as exc:  # noqa: BLE001
            rows.append(skipped("verify", case, exc, size=db.cases))
            return rows
        rows.append(
            Row(
                "verify",
                case,
                checked["wall_s"],
                done.wall_s,
                1,
                "the fixture's own check in this run",
                size=db.cases,
                peak_mb=checked["peak_mb"],
            )
        )
        return rows
    rows.append(
        _process_row(
            "verify",
            case,
            db,
            repeats,
            ["-m", "clerk", "verify", "--db", str(db.path), "--json", "--full"],
            floor,
        )
    )
    return rows


def backup_rows(ctx: Context, db: DemoDb, repeats: int) -> list[Row]:
    out = ctx.scratch("scale-backup") / f"backup-{db.cases}.db"
    floor_out = out.with_name(out.name + ".floor")

    def cleanup() -> None:
        for p in (out, floor_out):
            p.unlink(missing_ok=True)

    return [
        _process_row(
            "backup",
            "clerk backup, new process",
            db,
            repeats,
            ["-m", "clerk", "backup", "--db", str(db.path), "--out", str(out), "--json"],
            ["-m", "bench.floors", "backup", str(db.path), str(floor_out)],
            cleanup=cleanup,
        )
    ]


# ---------------------------------------------------------------------- facts


def disk_facts(db: DemoDb, documents_per_case: float) -> list[dict[str, Any]]:
    size = sum(p.stat().st_size for p in (db.path, Path(f"{db.path}-wal")) if p.exists())
    conn = sqlite3.connect(f"{db.path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        page, pages, free = (
            conn.execute(f"PRAGMA {p}").fetchone()[0]
            for p in ("page_size", "page_count", "freelist_count")
        )
    finally:
        conn.close()
    used = (pages - free) * page
    return [
        {
            "name": "bytes on disk per case, database",
            "size": db.cases,
            "value": used / db.cases,
            "unit": "B",
            "note": f"{used / 1e6:,.0f} MB in use ({size / 1e6:,.0f} MB file, the rest free pages a migration left)",
        },
        {
            "name": "bytes on disk per case, documents",
            "size": db.cases,
            "value": documents_per_case,
            "unit": "B",
            "note": "text + PDF files per case, measured on the demo build (the county file shares its files)",
        },
    ]


def documents_per_case(folder: Path, cases: int) -> float:
    total = (
        sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
    )
    return total / max(cases, 1)


# ---------------------------------------------------------------------- run


def run_size(ctx: Context, db: DemoDb, *, heavy_repeats: int, decision_on_copy: bool) -> list[Row]:
    rows = startup_rows(ctx, db)
    store = db.open_store()
    conn = db.raw()
    try:
        window = db.window(store, documents_root=ctx.scratch(f"scale-docs-{db.cases}"))
        rows += lookup_rows(ctx, db, window, conn)
        rows += queue_rows(ctx, db, window, store, conn)
        rows += ledger_rows(ctx, db, store, heavy_repeats)
    finally:
        conn.close()
        store.close()
    rows += decision_rows(ctx, db, on_copy=decision_on_copy)
    rows += verify_rows(ctx, db, heavy_repeats)
    rows += backup_rows(ctx, db, heavy_repeats)
    rows += sync_rows(ctx, db)
    return rows


def run(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    demo = ctx.demo()
    docs = documents_per_case(demo.path.parent / "documents", demo.cases)
    for db, county in ctx.scale_dbs():
        heavy = 1 if county else min(ctx.repeats, 3)
        try:
            rows += run_size(ctx, db, heavy_repeats=heavy, decision_on_copy=not county)
        except Exception as exc:  # noqa: BLE001
            rows.append(skipped("scale", "(all)", exc, size=db.cases))
        ctx.facts += disk_facts(db, docs)
    return rows
