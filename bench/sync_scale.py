"""End-of-day sync beside a county-size file: a township's bundles, exported and imported.

The township point `POINT` (declared under the office `OFFICE`, whose file the scale benchmark
measures) has a file of `BUNDLE_CASES` cases built by the county fixture's builder with the point's
code on every row (`bench.county.build_county(point=...)`); it and its first bundle (the whole
file, for the office) are made once and cached beside the county fixture (`prepared`).
For each size the scale benchmark measures (the 2,000-case demo file and the 1,000,000-case county
file), on copies, with keys exchanged:

- **import of a 100,000-case bundle**: `clerk import` at the office as a new process (decrypt,
  signature, every part and chain link checked, then one transaction), into a copy of the file of
  that size; floor (issue 25): every row of the bundle's record parts inserted with raw
  `executemany` in one transaction into another fresh copy of that file, its indexes and
  triggers (`bench.sync._floor_import_office`); the note adds the older floors: the case and
  event rows into empty tables made by the office file's own `CREATE TABLE`/`CREATE INDEX`
  (`bench.sync._floor_import`), and into bare tables;
- **export of a 10,000-case day**: `clerk export` at the point as a new process, once the office
  has acknowledged all but the events of the point's last `DAY_CASES` cases; floor: the same rows
  read with a bare `SELECT`, dumped with `json.dumps`, gzip'd and written with fsync. The exporter
  is the point's file, which does not grow with the county's: the figure is the same kind at both
  sizes, measured in each run beside its floor.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.core import Context, Row, skipped
from bench.fixture import DemoDb
from bench.proc import run_measured

POINT = "LX01"
POINT_NAME = "演示镇便民服务中心"
POINT_KIND = "township_hall"
OFFICE = "YZ01"
BUNDLE_CASES = 100_000
DAY_CASES = 10_000
QUICK_BUNDLE, QUICK_DAY = 60, 10
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Prepared:
    """The township's file after its first export (the whole file as bundle 1, for the office),
    its keys, the office's keys, and that bundle: built once, kept beside the county fixture."""

    folder: Path
    cases: int
    build_s: float
    export_s: float
    counts: dict[str, int]

    @property
    def point_db(self) -> Path:
        return self.folder / "point.db"

    @property
    def office_keys(self) -> Path:
        return self.folder / "office.keys"

    @property
    def bundle(self) -> Path:
        return next((self.folder / "bundle").iterdir())

    @property
    def point_public(self) -> bytes:
        return (self.folder / "point.public.json").read_bytes()


def prepared(ctx: Context, cases: int) -> Prepared:
    """See `Prepared`; a quick run builds a tiny one in its scratch folder from its demo database."""
    from bench import county
    from clerk.sync import keys

    folder = (
        ctx.scratch("sync-point-build")
        if ctx.quick
        else county.fixture_dir() / f"point-{POINT}-{cases}"
    )
    meta_file = folder / "meta.json"
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text())
        if meta.get("migrations") == county.migration_names() and "export_s" in meta:
            return Prepared(folder, cases, meta["build_s"], meta["export_s"], meta["counts"])
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    print(
        f"sync at scale: building the {cases:,}-case file of point {POINT} and its bundle …",
        file=sys.stderr,
        flush=True,
    )
    point_db = folder / "point.db"
    built = county.build_county(ctx.demo().path, point_db, cases, point=POINT, log=None)
    _declare(point_db)
    # The office's keys, made on a scratch copy of the demo file (an office YZ01): every copy of
    # the office file the benchmark imports into gets this key folder beside it.
    scratch_office = _copy(ctx.demo().path, folder / "office-scratch" / "clerk.db")
    _declare(scratch_office)
    _exchange_keys(point_db, scratch_office)
    shutil.copytree(keys.key_dir(scratch_office), folder / "office.keys")
    (folder / "point.public.json").write_bytes(
        (keys.key_dir(point_db) / keys.PUBLIC_FILE).read_bytes()
    )
    shutil.rmtree(scratch_office.parent)
    (folder / "bundle").mkdir()
    sent, export_s, _ = _clerk("export", "--db", str(point_db), "--out", str(folder / "bundle"))
    meta = {
        "cases": cases,
        "build_s": built["build_s"],
        "export_s": export_s,
        "counts": sent["counts"],
        "migrations": county.migration_names(),
    }
    meta_file.write_text(json.dumps(meta, indent=2))
    return Prepared(folder, cases, built["build_s"], export_s, sent["counts"])


def _office_copy(db: DemoDb, ready: Prepared, target: Path) -> Path:
    """A copy of the office's file of this size that knows the point and holds the office keys."""
    from clerk.service.compose import open_window
    from clerk.sync import keys

    _copy(db.path, target)
    _declare(target)
    shutil.rmtree(keys.key_dir(target), ignore_errors=True)
    shutil.copytree(ready.office_keys, keys.key_dir(target))
    window = open_window(target, documents_root=target.parent / "docs")
    try:
        window.add_peer_key(ready.point_public)
    finally:
        window.store.close()
    return target


def _declare(db: Path) -> None:
    """Make `POINT` known to the file at `db` (the point's own file and the office's copy)."""
    from clerk.db import Store
    from clerk.domain.offices import default_offices
    from clerk.service.administration import declare_point

    store = Store.open(db)
    try:
        declare_point(store, default_offices(), POINT, POINT_NAME, POINT_KIND, OFFICE)
    finally:
        store.close()


def _copy(src: Path, dst: Path) -> Path:
    """A copy of a closed, checkpointed database file (a file copy: the backup API would take
    half a minute on the county file for the same bytes)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(str(src)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o600)
    return dst


def _exchange_keys(a: Path, b: Path) -> None:
    from clerk.service.compose import open_window

    windows = [open_window(p, documents_root=p.parent / "docs") for p in (a, b)]
    try:
        publics = [w.init_keys(None) for w in windows]
        windows[0].add_peer_key(publics[1].to_json().encode("utf-8"))
        windows[1].add_peer_key(publics[0].to_json().encode("utf-8"))
    finally:
        for w in windows:
            w.store.close()


def _clerk(*args: str) -> tuple[dict[str, Any], float, float]:
    """A `clerk` command as a new process with `--json`: its answer, wall time and peak memory."""
    done = run_measured(
        [sys.executable, "-m", "clerk", *args, "--json"], env={**os.environ}, cwd=str(ROOT)
    )
    if done.returncode != 0:
        tail = (done.stdout.strip() or done.stderr.strip())[-300:]
        raise RuntimeError(f"clerk {args[0]} exit {done.returncode}: {tail}")
    return json.loads(done.stdout), done.wall_s, done.peak_mb


def _acknowledge_all_but(point_db: Path, day_cases: int) -> tuple[int, int]:
    """As if the office had confirmed the first bundle and every event of the point before its
    last `day_cases` cases: returns (acknowledged seq, cases the next export touches)."""
    conn = sqlite3.connect(str(point_db), isolation_level=None)
    try:
        last = [
            r[0]
            for r in conn.execute(
                "SELECT uuid FROM cases ORDER BY received_at DESC, case_no DESC LIMIT ?",
                (day_cases,),
            )
        ]
        marks = ",".join("?" * len(last))
        first = conn.execute(
            f"SELECT MIN(seq) FROM events WHERE case_uuid IN ({marks})", last
        ).fetchone()[0]
        seq = int(first) - 1
        digest = conn.execute(
            "SELECT hash FROM events WHERE origin = ? AND seq = ?", (POINT, seq)
        ).fetchone()[0]
        touched = conn.execute(
            "SELECT COUNT(DISTINCT case_uuid) FROM events WHERE seq > ?", (seq,)
        ).fetchone()[0]
    finally:
        conn.close()
    from clerk.db import Store

    store = Store.open(point_db)
    try:
        from clerk.storage.sqlite.sync import SyncStore

        sync = SyncStore(store)
        sync.set_ack(OFFICE, POINT, seq, digest, store.now())
        sync.set_acked_bundle(OFFICE, 1)  # the whole-file bundle: rows changed since travel again
    finally:
        store.close()
    return seq, int(touched)


def _floor_export(db: Path, after_seq: int, out: Path) -> float:
    start = time.perf_counter()
    conn = sqlite3.connect(str(db))
    events = conn.execute("SELECT * FROM events WHERE seq > ? ORDER BY seq", (after_seq,))
    names = [d[0] for d in events.description]
    rows = [dict(zip(names, r, strict=True)) for r in events]
    touched = sorted({r["case_uuid"] for r in rows})
    parts = [json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows]
    for table in ("cases", "case_materials", "documents"):
        for i in range(0, len(touched), 500):
            chunk = touched[i : i + 500]
            key = "uuid" if table == "cases" else "case_uuid"
            cursor = conn.execute(
                f"SELECT * FROM {table} WHERE {key} IN ({','.join('?' * len(chunk))})", chunk
            )
            cols = [d[0] for d in cursor.description]
            parts.extend(
                json.dumps(dict(zip(cols, r, strict=True)), ensure_ascii=False).encode() + b"\n"
                for r in cursor
            )
    conn.close()
    data = gzip.compress(b"".join(parts), compresslevel=6)
    with out.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return time.perf_counter() - start


def sync_rows(ctx: Context, db: DemoDb) -> list[Row]:
    from clerk.sync import keys

    bundle_cases, day_cases = (QUICK_BUNDLE, QUICK_DAY) if ctx.quick else (BUNDLE_CASES, DAY_CASES)
    export_case = f"export of a {DAY_CASES:,}-case day, new process"
    import_case = f"import of a {BUNDLE_CASES:,}-case bundle, new process"
    try:
        ready = prepared(ctx, bundle_cases)
    except Exception as exc:  # noqa: BLE001
        return [
            skipped("sync", export_case, exc, size=db.cases),
            skipped("sync", import_case, exc, size=db.cases),
        ]
    work = ctx.scratch(f"sync-scale-{db.cases}")
    rows: list[Row] = []
    office_db = work / "office" / "clerk.db"
    try:
        _office_copy(db, ready, office_db)
        got, import_s, import_peak = _clerk("import", str(ready.bundle), "--db", str(office_db))
        imported = (got.get("imported") or {}).get("cases")
        if imported != bundle_cases:
            raise RuntimeError(
                f"the office imported {imported} cases of {bundle_cases}: {got.get('message')}"
            )
        from bench.sync import _floor_import, _floor_import_office, _schema

        floors = []
        for schema in (
            _schema(office_db),
            None,
        ):  # the office's own tables and indexes; bare tables
            floor_db = work / "floor-import.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{floor_db}{suffix}").unlink(missing_ok=True)
            _floor_import(ready.point_db, floor_db, schema)
            floors.append(_floor_import.last)  # type: ignore[attr-defined]
        schema_floor, bare = floors
        # The floor (issue 25): every row of the bundle into a fresh copy of the office file itself.
        for suffix in ("", "-wal", "-shm"):
            Path(f"{office_db}{suffix}").unlink(missing_ok=True)
        _office_copy(db, ready, office_db)
        import_floor, _cpu = _floor_import_office(ready.point_db, office_db)
        size_mb = ready.bundle.stat().st_size / 1e6
        rows.append(
            Row(
                "sync",
                import_case,
                import_s,
                import_floor,
                1,
                f"{bundle_cases:,} cases, {ready.counts.get('events', 0):,} events, bundle {size_mb:.0f} MB"
                f" (its export: {ready.export_s:.1f} s); floor: all its rows into the office file"
                f" itself; cases and events into the file's tables and indexes {schema_floor:.2f} s"
                f" ({import_s / schema_floor:.1f}x), into bare tables {bare:.2f} s"
                f" ({import_s / bare:.1f}x)",
                size=db.cases,
                peak_mb=import_peak,
            )
        )
    except Exception as exc:  # noqa: BLE001
        rows.append(skipped("sync", import_case, exc, size=db.cases))
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{office_db}{suffix}").unlink(missing_ok=True)  # a county-size copy: gone at once
    try:
        point_db = _copy(ready.point_db, work / "point" / "clerk.db")
        shutil.copytree(keys.key_dir(ready.point_db), keys.key_dir(point_db))
        after, carried = _acknowledge_all_but(point_db, day_cases)
        usb = work / "usb"
        usb.mkdir(exist_ok=True)
        sent, export_s, export_peak = _clerk("export", "--db", str(point_db), "--out", str(usb))
        export_floor = _floor_export(point_db, after, work / "floor-export.jsonl.gz")
        c = sent["counts"]
        rows.insert(
            0,
            Row(
                "sync",
                export_case,
                export_s,
                export_floor,
                1,
                f"{c.get('cases', 0):,} cases ({carried:,} touched), {c.get('events', 0):,} events,"
                f" {c.get('documents', 0):,} documents from a {bundle_cases:,}-case point",
                size=db.cases,
                peak_mb=export_peak,
            ),
        )
    except Exception as exc:  # noqa: BLE001
        rows.insert(0, skipped("sync", export_case, exc, size=db.cases))
    shutil.rmtree(work, ignore_errors=True)
    return rows
