"""The county-size fixture: a million cases, built in minutes by copying a real demo database.

`clerk demo` would take about 10 hours for a million cases (every case through the `Window`, two
PDFs each). Instead a small template is built once with `clerk.service.demo.fill` (2,000 cases through the
real service: the rows, events, documents and files the window writes), and the county file is made
by copying the template's cases with new UUIDs, case numbers, applicants and dates
(`bench.county_rows`, one window of copies per job in worker processes, one core each), inserted
with `executemany` in one transaction per four-week window by this process, which also chains the
events (each hash covers the previous one, so that part cannot be shared out). The tables'
indexes and triggers are dropped for the load and created again at the end: one sorted build each
instead of millions of random inserts. About 4 minutes for 1,000,000 cases on 2 cores. The file is
then checked by `clerk verify --full` (as a new process, about 3 minutes).

Shape of the file (`WEEKS` = 4 weeks a window, the span of the template's 20 working days):

- window 0 holds the template's own dates: one copy of every template case (drafts, open cases,
  notices, everything), plus `per_window - 1` copies of its *finished* cases;
- window w >= 1 is window 0 moved `28 * w` days back (weekdays kept), with `per_window` copies of
  the finished cases only: a county's old cases are closed, refused, withdrawn or abandoned, so the
  queues (open cases) stay the size a real office sees while the history grows;
- `per_window` is chosen so that the county's million cases span about three years.

Case numbers are renumbered per day (the `sequences` table says where each day stopped), UUIDs are
version 7 for cases, documents and evaluations (time-ordered, from the case's dates) and version 4
for materials and events, like the window's. Document rows keep the template's paths, so they point
at a small set of shared real files; their numbers follow the new case numbers. Applicants are new
synthetic people (demo names, unique ID numbers of the non-existent area 439999) or units.

The files are cached under `cache_root()` (default `~/.cache/clerk-bench`, or `$CLERK_BENCH_CACHE`)
in a folder named by `FIXTURE_VERSION`, so every run (and every fresh clone on the machine) reuses
them; bump `FIXTURE_VERSION` when the rows written here change. A cached file whose migrations are
the first of today's list is migrated forward on first use (as a county's file would be by an
upgrade); one whose migrations differ (a renumbered migration after a merge) is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import sqlite3
import sys
import time
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bench.county_rows import (
    CASE_TABLES,
    TemplateCase,
    WindowJob,
    event_columns,
    init_worker,
    load_template,
    window_rows,
)
from clerk.domain.admin_log import POINT_MOVED
from clerk.domain.model import FINAL_STATES
from clerk.storage import admin_chain
from clerk.storage.sqlite import admin_log, fts, schema

FIXTURE_VERSION = 2
COUNTY_CASES = 1_000_000
TEMPLATE_CASES = 2000
YEARS = 3
WINDOW_DAYS = 28
# county files checked by `clerk verify --full` in this process: path -> {wall_s, peak_mb, ...}
CHECKED_THIS_RUN: dict[Path, dict[str, Any]] = {}


def cache_root() -> Path:
    env = os.environ.get("CLERK_BENCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "clerk-bench"


def fixture_dir() -> Path:
    """The cache folder of this fixture version."""
    return cache_root() / f"fixture-v{FIXTURE_VERSION}"


def migration_names() -> list[str]:
    return [m.__name__ for m in schema.MIGRATIONS]


def _reusable(meta: dict[str, Any]) -> bool:
    """A cached file can be migrated forward when the migrations it has are the first ones of
    today's list (a merge that renumbers a migration makes it unusable: rebuild)."""
    have = meta.get("migrations", [])
    return have == migration_names()[: len(have)]


def _migrate_forward(db: Path, meta: dict[str, Any], meta_file: Path, log: TextIO | None) -> None:
    from clerk.db import Store

    if meta.get("migrations") == migration_names():
        return
    _say(log, f"migrating {db.name} to schema {schema.LATEST} …")
    started = time.perf_counter()
    Store.open(db).close()
    meta["migrations"] = migration_names()
    meta["schema"] = schema.LATEST
    meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=2))
    _say(log, f"migrated in {time.perf_counter() - started:.0f} s")


@dataclass
class Built:
    path: Path
    cases: int
    meta: dict[str, Any]


def _say(log: TextIO | None, text: str) -> None:
    if log is not None:
        print(text, file=log, flush=True)


# ---------------------------------------------------------------------- template (real demo data)


def template(cases: int = TEMPLATE_CASES, *, log: TextIO | None = sys.stderr) -> Built:
    """The demo database of `cases` cases built by `clerk.service.demo.fill`, cached."""
    folder = fixture_dir() / f"template-{cases}"
    meta_file = folder / "meta.json"
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text())
        if _reusable(meta):
            _migrate_forward(folder / "demo.db", meta, meta_file, log)
            return Built(folder / "demo.db", cases, meta)
    from bench.fixture import build_demo

    _say(
        log,
        f"building the {cases}-case template with clerk.service.demo.fill (about {cases * 40 // 1000} s) …",
    )
    if folder.exists():
        shutil.rmtree(folder)
    demo = build_demo(folder, cases)
    with sqlite3.connect(str(demo.path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    meta = {
        "cases": cases,
        "build_s": demo.build_s,
        "counts": demo.counts,
        "migrations": migration_names(),
    }
    meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=2))
    _say(log, f"template built in {demo.build_s:.0f} s")
    return Built(demo.path, cases, meta)


# ---------------------------------------------------------------------- building the county file


def plan(template_cases: list[TemplateCase], target: int) -> list[tuple[int, list[int]]]:
    """[(days offset, [template case index, ...]), ...], oldest window first, `target` cases in all."""
    finished = [i for i, t in enumerate(template_cases) if t.case["state"] in FINAL_STATES]
    everyone = list(range(len(template_cases)))
    windows_wanted = max(1, round(YEARS * 365 / WINDOW_DAYS))
    per_window = max(1, round(target / (windows_wanted * max(1, len(finished)))))
    windows: list[tuple[int, list[int]]] = []
    total = 0
    w = 0
    while total < target:
        members = everyone + finished * (per_window - 1) if w == 0 else finished * per_window
        members = members[: target - total]
        total += len(members)
        windows.append((-WINDOW_DAYS * w, members))
        w += 1
    return list(reversed(windows))


def jobs(template_cases: list[TemplateCase], target: int) -> tuple[list[WindowJob], dict[str, int]]:
    """One self-contained job per window, and the last case number of each day when all are done."""
    out: list[WindowJob] = []
    seq = 0
    person = 0
    day_last: dict[str, int] = {}
    for index, (days, members) in enumerate(plan(template_cases, target)):
        job = WindowJob(index, days, members, seq, person)
        touched: dict[str, int] = {}
        for ti in members:
            t = template_cases[ti]
            seq += len(t.events)
            person += t.persons
            day = (
                date.fromisoformat(t.case["received_at"][:10]) + timedelta(days=days)
            ).isoformat()
            touched[day] = touched.get(day, 0) + 1
        job.day_last = {day: day_last[day] for day in touched if day in day_last}
        for day, n in touched.items():
            day_last[day] = day_last.get(day, 0) + n
        out.append(job)
    return out, day_last


def _table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _insert_sql(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _set_aside(conn: sqlite3.Connection, tables: tuple[str, ...]) -> list[str]:
    """Drop the triggers and the named indexes of `tables` (kept: their SQL, to put them back
    once the rows are in: one sorted index build beats a million random inserts)."""
    marks = ", ".join("?" * len(tables))
    found = conn.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index')"
        f" AND sql IS NOT NULL AND tbl_name IN ({marks})",
        tables,
    ).fetchall()
    for kind, name, _sql in found:
        conn.execute(f"DROP {kind.upper()} {name}")
    # indexes first, then triggers (a trigger may rely on none, but keep clerk's order of creation)
    return [sql for kind, _n, sql in found if kind == "index"] + [
        sql for kind, _n, sql in found if kind == "trigger"
    ]


def build_county(
    template_db: Path,
    out: Path,
    target: int,
    *,
    log: TextIO | None = sys.stderr,
    workers: int | None = None,
    point: str | None = None,
) -> dict[str, Any]:
    """Write a `target`-case county file at `out` from the template database; returns counts.

    `point`: make it the file of that point instead (its code on every row, its own chain; the
    caller declares the point), as a township's file that reports to the template's office.

    Worker processes copy the windows (`bench.county_rows.window_rows`); this process chains the
    events (each hash covers the previous one) and writes the rows, indexes and triggers set aside
    until the end.
    """
    from clerk.db import Store

    started = time.perf_counter()
    for p in (out, Path(f"{out}-wal"), Path(f"{out}-shm")):
        p.unlink(missing_ok=True)
    Store.open(
        template_db
    ).close()  # the template at the latest schema too (a cached one may be older)
    Store.open(out).close()  # the schema exactly as clerk creates it, at the latest version

    cases = load_template(template_db)
    dst = sqlite3.connect(str(out), isolation_level=None)
    dst.execute("PRAGMA synchronous = OFF")
    dst.execute("PRAGMA journal_mode = OFF")  # a half-built fixture is thrown away, never used
    dst.execute("PRAGMA cache_size = -1000000")  # 1 GB page cache while loading the unique keys
    dst.execute("PRAGMA temp_store = MEMORY")
    dst.execute("BEGIN")
    put_back = _set_aside(dst, (*CASE_TABLES, "events"))
    # Installation tables as the template has them (settings, points, users).
    src = sqlite3.connect(str(template_db))
    for table in ("settings", "points", "users", "admin_events"):  # with their proof
        cols = _table_columns(dst, table)
        dst.execute(f"DELETE FROM {table}")
        dst.executemany(
            _insert_sql(table, cols), src.execute(f"SELECT {', '.join(cols)} FROM {table}")
        )
    src.close()
    dst.execute("DELETE FROM settings WHERE key LIKE 'verify.%'")  # the template's, not this file's
    if point:
        was = dst.execute("SELECT value FROM settings WHERE key = 'point_code'").fetchone()[0]
        dst.execute("UPDATE settings SET value = ? WHERE key = 'point_code'", (point,))
        dst.execute("UPDATE users SET point_code = ?", (point,))
        if was != point:  # as `Store.move_users_to_point` records it
            admin_chain.append(
                admin_log.Sql(dst),
                "2026-01-01T00:00:00+08:00",
                POINT_MOVED,
                "bench",
                "",
                {"from": was, "to": point},
            )
    dst.execute("COMMIT")

    columns = {t: _table_columns(dst, t) for t in (*CASE_TABLES, "events")}
    ev_cols = event_columns(columns["events"])
    sql = {t: _insert_sql(t, columns[t]) for t in CASE_TABLES}
    sql["events"] = _insert_sql("events", ev_cols)
    fts_sql = f"INSERT INTO {fts.TABLE} (case_uuid, applicant_name, unit_name) VALUES (?, ?, ?)"
    point = point or cases[0].case["point_code"]
    window_jobs, day_last = jobs(cases, target)
    # Another point's file draws other UUIDs (an office imports its events beside its own).
    seed = 13 if point == cases[0].case["point_code"] else zlib.crc32(point.encode("utf-8"))
    for job in window_jobs:
        job.point, job.seed = point, seed
    counts = dict.fromkeys((*CASE_TABLES, "events"), 0)
    done = 0
    prev = schema.ZERO_HASH
    sha256 = hashlib.sha256
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    context = multiprocessing.get_context(
        "spawn"
    )  # a clean interpreter: no copy of this one's state
    with context.Pool(workers, init_worker, (template_db, columns, point)) as pool:
        for w in pool.imap(window_rows, window_jobs):
            linked = []
            for base, payload in zip(w.events, w.payloads, strict=True):
                digest = sha256((payload + prev).encode("utf-8")).hexdigest()
                linked.append((*base, prev, digest))
                prev = digest
            dst.execute("BEGIN")
            for table in CASE_TABLES:
                dst.executemany(sql[table], w.tables[table])
                counts[table] += len(w.tables[table])
            dst.executemany(fts_sql, w.fts)
            dst.executemany(sql["events"], linked)
            counts["events"] += len(linked)
            dst.execute("COMMIT")
            done += w.cases
            elapsed = time.perf_counter() - started
            eta = elapsed / done * (target - done)
            _say(
                log,
                f"  county fixture: {done:>9,} / {target:,} cases, {counts['events']:,} events"
                f" — window {w.index + 1}/{len(window_jobs)}, {elapsed:.0f} s, about {eta:.0f} s to go",
            )
    _say(log, f"  county fixture: building {len(put_back)} indexes and triggers …")
    dst.execute("BEGIN")
    dst.execute("DELETE FROM sequences")
    dst.executemany(
        "INSERT INTO sequences (point_code, day, last) VALUES (?, ?, ?)",
        [(point, day, n) for day, n in sorted(day_last.items())],
    )
    for statement in put_back:
        dst.execute(statement)
    dst.execute("COMMIT")
    dst.execute("PRAGMA journal_mode = WAL")
    dst.close()
    return {"counts": counts, "build_s": time.perf_counter() - started, "windows": len(window_jobs)}


def verify_process(path: Path, *args: str) -> dict[str, Any]:
    """`clerk verify --db PATH --json` as a new process: its result, wall time and peak memory."""
    from bench.proc import run_measured

    done = run_measured(
        [sys.executable, "-m", "clerk", "verify", "--db", str(path), "--json", *args]
    )
    result = (
        json.loads(done.stdout)
        if done.stdout.strip().startswith("{")
        else {"ok": False, "stderr": done.stderr[-500:]}
    )
    return {"result": result, "wall_s": done.wall_s, "peak_mb": done.peak_mb}


def county(
    target: int = COUNTY_CASES, *, log: TextIO | None = sys.stderr, rebuild: bool = False
) -> Built:
    """The county file of `target` cases, built once (checked by `clerk verify --full`), then reused."""
    folder = fixture_dir() / f"county-{target}"
    meta_file = folder / "meta.json"
    db = folder / "county.db"
    if meta_file.is_file() and db.is_file() and not rebuild:
        meta = json.loads(meta_file.read_text())
        if _reusable(meta):
            _say(
                log,
                f"county fixture: reusing {db} ({meta['cases']:,} cases, built in {meta['build_s']:.0f} s)",
            )
            _migrate_forward(db, meta, meta_file, log)
            if meta.get("verified_migrations") != migration_names():
                _check(db, meta, meta_file, log)
            return Built(db, target, meta)
        _say(log, "county fixture: the cached file has migrations this code does not: rebuilding")
    tmpl = template(log=log)
    folder.mkdir(parents=True, exist_ok=True)
    meta_file.unlink(missing_ok=True)
    _say(
        log,
        f"county fixture: building {target:,} cases in {db} (about 15 minutes; reused afterwards) …",
    )
    built = build_county(tmpl.path, db, target, log=log)
    meta = {
        "cases": target,
        "fixture_version": FIXTURE_VERSION,
        "schema": schema.LATEST,
        "migrations": migration_names(),
        "template_cases": tmpl.cases,
        "build_s": built["build_s"],
        "counts": built["counts"],
        "windows": built["windows"],
        "built_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    _say(log, f"county fixture: written in {built['build_s']:.0f} s")
    _check(db, meta, meta_file, log)
    return Built(db, target, meta)


def _check(db: Path, meta: dict[str, Any], meta_file: Path, log: TextIO | None) -> None:
    """`clerk verify --full` on the file (which also records the verify, so the benchmarks'
    incremental verifies start from it); a file that fails is not used."""
    _say(log, "county fixture: checking it with clerk verify --full (a few minutes) …")
    checked = verify_process(db, "--full")
    if not checked["result"].get("ok"):
        meta_file.unlink(missing_ok=True)
        found = json.dumps(checked["result"], ensure_ascii=False)[:800]
        raise RuntimeError(f"the county fixture fails clerk verify: {found}")
    CHECKED_THIS_RUN[db] = checked
    meta.update(
        file_bytes=db.stat().st_size,
        verify_s=checked["wall_s"],
        verify_peak_mb=checked["peak_mb"],
        verified_migrations=migration_names(),
    )
    meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=2))
    _say(
        log,
        f"county fixture: verified in {checked['wall_s']:.0f} s; {db.stat().st_size / 1e9:.2f} GB",
    )
