"""End-of-day sync with a big day: a point's bundle of N cases (10,000 in a full run), exported and imported.

Product, export: `Window.export_bundle` at the point (read every unacknowledged event and case,
JSON Lines, tar.gz, Ed25519 signature, age encryption, atomic write).
Floor, export: the same rows read with one bare `SELECT` each, dumped with `json.dumps`, gzip'd and
written to a file with fsync (what any export has to do).

Product, import: `Window.import_bundle` at the county office into a fresh copy of its file
(decrypt, check signature, parts and every chain link, then apply in one transaction).
Floor, import: the same case and event rows inserted with `executemany` in one transaction on a
WAL file with `synchronous=FULL`, into tables with the county file's own columns, keys and
indexes (its `CREATE TABLE` and `CREATE INDEX` statements, without its triggers, search table or
foreign-key checks). Bare tables (no key, no index) were the floor before: they are not what any
import into this schema can reach (the nine case and seven event indexes, keys included, more than
double the insert time), so their time is kept in the note for comparison only.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import sqlite3
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.core import Context, Row
from clerk.db import Store
from clerk.domain.clock import TZ, fixed_clock
from clerk.domain.model import Applicant, Role
from clerk.domain.offices import default_offices
from clerk.service.compose import build_window
from clerk.service.demo import synthetic_resident_id
from clerk.service.window import Window
from clerk.sync import keys

FULL_CASES = 10_000
QUICK_CASES = 40
OFFICE, POINT = "YZ03", "LS01"
PASSWORD = "benchpass123"
NOW = datetime(2026, 11, 2, 16, 0, tzinfo=TZ)


def _window(root: Path, code: str) -> Window:
    from clerk.service.administration import declare_point

    root.mkdir(parents=True, exist_ok=True)
    store = Store.open(root / "clerk.db", clock=fixed_clock(NOW))
    declare_point(store, default_offices(), POINT, "梧桐镇政务服务中心", "township_hall", OFFICE)
    window = build_window(store, clock=fixed_clock(NOW), documents_root=root / "docs")
    window.setup(code, "admin", "王管理", PASSWORD)
    window.store.create_user("clerk1", "李经办", Role.CLERK, PASSWORD, code)
    return window


def _build(root: Path, cases: int) -> tuple[Window, Path]:
    """The point with `cases` cases received today, and the county office's file (keys exchanged)."""
    point = _window(root / "point", POINT)
    county = _window(root / "county", OFFICE)
    publics = {w: w.init_keys(None) for w in (point, county)}
    county.add_peer_key(publics[point].to_json().encode("utf-8"))
    point.add_peer_key(publics[county].to_json().encode("utf-8"))
    clerk = point.login("clerk1", PASSWORD)
    rng = random.Random(11)
    building = point.clock
    with point.store.transaction():  # one commit: building the day is not what is measured
        for n in range(cases):
            # at most 9999 case numbers a day and point: a big day's backlog spans two days
            point.clock = fixed_clock(NOW - timedelta(days=1) if n < cases // 2 else NOW)
            birth = date(1950, 1, 1) + timedelta(days=rng.randrange(20000))
            applicant = Applicant(
                "person", f"测试{n:05d}", "resident_id", synthetic_resident_id(rng, birth)
            )
            point.open_case(clerk, 9, applicant)
    point.clock = building
    county.store.close()
    return point, root / "county"


def _floor_export(db: Path, out: Path) -> None:
    conn = sqlite3.connect(str(db))
    parts = []
    for table in ("cases", "events"):
        cursor = conn.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cursor.description]
        parts.append(
            b"".join(
                json.dumps(dict(zip(names, r, strict=True)), ensure_ascii=False).encode() + b"\n"
                for r in cursor
            )
        )
    conn.close()
    data = gzip.compress(b"".join(parts), compresslevel=6)
    with out.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _schema(db: Path) -> list[str]:
    """The county file's `CREATE TABLE` and `CREATE INDEX` statements for cases and events."""
    conn = sqlite3.connect(str(db))
    rows = conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name IN ('cases', 'events')"
        " AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type = 'index', rowid"
    ).fetchall()
    conn.close()
    return [str(r[0]) for r in rows]


def _floor_import(source: Path, target: Path, schema: list[str] | None = None) -> None:
    """`executemany` of the point's cases and events into `target`: into tables made by `schema`
    (keys and indexes), or into bare tables when it is None."""
    src = sqlite3.connect(str(source))
    rows = {t: src.execute(f"SELECT * FROM {t}").fetchall() for t in ("cases", "events")}
    names = {
        t: [d[0] for d in src.execute(f"SELECT * FROM {t} LIMIT 1").description or ()] for t in rows
    }
    src.close()
    conn = sqlite3.connect(str(target), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    if schema is None:
        for t, columns in names.items():
            conn.execute(f"CREATE TABLE IF NOT EXISTS {t} ({', '.join(columns)})")
    else:
        for sql in schema:
            conn.execute(sql)
    widths = {t: len(columns) for t, columns in names.items()}
    start, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    for t, data in rows.items():
        if data:
            conn.executemany(
                f"INSERT INTO {t} ({', '.join(names[t])}) VALUES ({', '.join('?' * widths[t])})",
                data,
            )
    conn.execute("COMMIT")
    conn.close()
    _floor_import.last = time.perf_counter() - start  # type: ignore[attr-defined]
    _floor_import.last_cpu = time.process_time() - cpu  # type: ignore[attr-defined]


OFFICE_FLOOR_TABLES = ("cases", "case_materials", "documents", "evaluations", "events")


def _floor_import_office(source: Path, office: Path) -> tuple[float, float]:
    """Every row of the bundle's record parts (the point's cases, material checks, documents,
    evaluations and events, as its file holds them) inserted with `executemany` in one
    transaction into the office file itself (`office`, a copy: its tables, indexes and triggers;
    events numbered by the office file, as an import stores them), on WAL with
    `synchronous=FULL`. No search index, no foreign-key checks, no document files.
    Returns (wall, CPU) seconds of the transaction."""
    src = sqlite3.connect(str(source))
    rows: dict[str, list[tuple[object, ...]]] = {}
    names: dict[str, list[str]] = {}
    for table in OFFICE_FLOOR_TABLES:
        cursor = src.execute(f"SELECT * FROM {table} ORDER BY rowid")
        columns = [d[0] for d in cursor.description]
        keep = [i for i, c in enumerate(columns) if not (table == "events" and c == "n")]
        names[table] = [columns[i] for i in keep]
        rows[table] = [tuple(r[i] for i in keep) for r in cursor]
    src.close()
    # events in chain order (the office file's triggers take each chain's events in seq order)
    seq_at = names["events"].index("seq"), names["events"].index("origin")
    rows["events"].sort(key=lambda r: (r[seq_at[1]], r[seq_at[0]]))
    conn = sqlite3.connect(str(office), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    start, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    for table, data in rows.items():
        if data:
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(names[table])})"
                f" VALUES ({', '.join('?' * len(names[table]))})",
                data,
            )
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start, time.process_time() - cpu


def run(ctx: Context) -> list[Row]:
    cases = QUICK_CASES if ctx.quick else FULL_CASES
    root = ctx.scratch("sync")
    point, county_root = _build(root, cases)
    repeats = 1 if ctx.quick else min(ctx.repeats, 3)
    out = root / "usb"
    out.mkdir(exist_ok=True)
    export_p: list[float] = []
    export_f: list[float] = []
    import_p: list[float] = []
    import_f: list[float] = []
    import_bare: list[float] = []
    schema = _schema(county_root / "clerk.db")
    bundle = None
    for i in range(repeats):
        for stale in out.iterdir():
            stale.unlink()
        start = time.perf_counter()
        result = point.export_bundle(out)
        export_p.append(time.perf_counter() - start)
        bundle = result.path
        start = time.perf_counter()
        _floor_export(root / "point" / "clerk.db", root / "floor.jsonl.gz")
        export_f.append(time.perf_counter() - start)
        copy = root / f"county-{i}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(county_root, copy)
        keys_from = keys.key_dir(county_root / "clerk.db")
        if not keys.key_dir(copy / "clerk.db").exists():
            shutil.copytree(keys_from, keys.key_dir(copy / "clerk.db"))
        county = build_window(
            Store.open(copy / "clerk.db", clock=fixed_clock(NOW)),
            clock=fixed_clock(NOW),
            documents_root=copy / "docs",
        )
        start = time.perf_counter()
        report = county.import_bundle(bundle)
        import_p.append(time.perf_counter() - start)
        county.store.close()
        if report.status != "imported" or report.imported.get("cases") != cases:
            raise RuntimeError(f"import did not take the bundle: {report.message}")
        for kind, times in ((schema, import_f), (None, import_bare)):
            floor_db = root / f"floor-{i}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(str(floor_db) + suffix).unlink(missing_ok=True)
            _floor_import(root / "point" / "clerk.db", floor_db, kind)
            times.append(_floor_import.last)  # type: ignore[attr-defined]
    size_mb = bundle.stat().st_size / 1e6 if bundle else 0.0
    point.store.close()
    note = f"bundle {size_mb:.1f} MB"
    bare = statistics.median(import_bare)
    bare_note = (
        f"{note}; floor into the file's own tables and indexes; into bare tables"
        f" {bare * 1000:.0f} ms ({statistics.median(import_p) / bare:.1f}x)"
    )
    return [
        Row(
            "sync",
            f"export, {cases} cases",
            statistics.median(export_p),
            statistics.median(export_f),
            repeats,
            note,
        ),
        Row(
            "sync",
            f"import, {cases} cases",
            statistics.median(import_p),
            statistics.median(import_f),
            repeats,
            bare_note,
        ),
    ]
