"""Peak memory and time of `clerk import` / `clerk export` against the bundle's size (issue 25, item 2).

    python -m bench.sync_sizes --cases 10000 50000 [--demo 200] [--workdir DIR]
        [--clerk-root DIR [DIR ...]] [--only import|export] [--no-schema-floor]

For each size: the township point's file of that many cases and its whole-file bundle
(`bench.sync_scale.prepared`, built from a small demo file), then, each as a new process with its
own peak memory and CPU time (`bench.proc.run_measured`): `clerk import` of that bundle into a
fresh copy of the office's demo file, and `clerk export` of the point's last `DAY` cases once the
office acknowledged the rest (floor: `bench.sync_scale._floor_export`).

Import floors: every row of the bundle's record parts inserted with raw `executemany` into a copy
of the office file itself, its indexes and triggers (`bench.sync._floor_import_office`, issue
25's definition); and, for comparison with the earlier figures, the older floor: the case and
event rows only, into empty tables made by the office file's `CREATE TABLE`/`CREATE INDEX`
(`bench.sync._floor_import`).

Each repeat runs every `--clerk-root` (a checkout: the "before" and the "after" interleaved in
one run), then the floors; medians of `--repeats`. Times are wall and CPU (user + system of the
child; the floors' CPU is the benchmark process's own over the same span): on a shared machine
CPU time is the steadier. Prints one line per row; no thresholds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import sync_scale
from bench.core import Config, Context
from bench.proc import run_measured

DAY = 10_000


def clerk(root: Path, *args: str) -> tuple[dict[str, Any], float, float, float]:
    """`clerk ARGS --json` from the checkout `root` as a new process: its answer, wall time, peak
    memory (MB) and CPU time (user + system)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = run_measured([sys.executable, "-m", "clerk", *args, "--json"], env=env, cwd=str(root))
    if done.returncode != 0:
        raise RuntimeError(f"clerk {args[0]}: {(done.stdout or done.stderr)[-300:]}")
    return json.loads(done.stdout), done.wall_s, done.peak_mb, done.cpu_s


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--demo", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--clerk-root",
        type=Path,
        nargs="+",
        default=[sync_scale.ROOT],
        help="checkouts whose clerk is measured, each in turn within every repeat (before/after)",
    )
    parser.add_argument("--only", choices=("import", "export"), default=None)
    parser.add_argument(
        "--no-schema-floor",
        action="store_true",
        help="skip the older import floor (cases and events into empty tables)",
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="clerk-sync-sizes-"))
    os.environ["CLERK_DATA_DIR"] = str(workdir / "data")
    ctx = Context(Config(quick=False, repeats=args.repeats, workdir=workdir, cases=args.demo))
    from bench.sync import _floor_import, _floor_import_office, _schema
    from clerk.sync import keys

    roots: list[Path] = args.clerk_root
    for cases in args.cases:
        ready = sync_scale.prepared(ctx, cases)
        size_mb = ready.bundle.stat().st_size / 1e6
        work = workdir / f"run-{cases}"
        runs: dict[Path, dict[str, list[float]]] = {
            r: {"wall": [], "cpu": [], "peak": []} for r in roots
        }
        floors: dict[str, list[float]] = {"wall": [], "cpu": [], "schema": [], "schema_cpu": []}
        for _ in range(args.repeats if args.only != "export" else 0):
            for root in roots:
                # a first import of the bundle's files, as at an office that never had them
                shutil.rmtree(workdir / "data" / "documents" / "received", ignore_errors=True)
                shutil.rmtree(work / "office", ignore_errors=True)
                office = sync_scale._office_copy(ctx.demo(), ready, work / "office" / "clerk.db")
                got, wall, peak, cpu = clerk(root, "import", str(ready.bundle), "--db", str(office))
                assert (got.get("imported") or {}).get("cases") == cases, got.get("message")
                runs[root]["wall"].append(wall)
                runs[root]["cpu"].append(cpu)
                runs[root]["peak"].append(peak)
            shutil.rmtree(work / "office", ignore_errors=True)
            office = sync_scale._office_copy(ctx.demo(), ready, work / "office" / "clerk.db")
            wall, cpu = _floor_import_office(ready.point_db, office)
            floors["wall"].append(wall)
            floors["cpu"].append(cpu)
            if not args.no_schema_floor:
                floor_db = work / "floor-import.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{floor_db}{suffix}").unlink(missing_ok=True)
                _floor_import(ready.point_db, floor_db, _schema(office))
                floors["schema"].append(_floor_import.last)  # type: ignore[attr-defined]
                floors["schema_cpu"].append(_floor_import.last_cpu)  # type: ignore[attr-defined]
        if floors["wall"]:
            fw, fc = _median(floors["wall"]), _median(floors["cpu"])
            sw, sc = _median(floors["schema"]), _median(floors["schema_cpu"])
            print(
                f"import  {cases:>7,} cases  bundle {size_mb:6.1f} MB  floor (all rows into the"
                f" office file) {fw:7.2f} s wall {fc:7.2f} s CPU; older floor (cases and events"
                f" into empty tables) {sw:7.2f} s wall {sc:7.2f} s CPU",
                flush=True,
            )
            for root in roots:
                r = runs[root]
                t, c = _median(r["wall"]), _median(r["cpu"])
                print(
                    f"import  {cases:>7,} cases  {root}: product {t:7.2f} s wall ({t / fw:4.1f}x;"
                    f" older floor {t / sw:4.1f}x)  {c:7.2f} s CPU ({c / fc:4.1f}x; older floor"
                    f" {c / sc:4.1f}x)  peak {max(r['peak']):6.0f} MB  runs {len(r['wall'])}",
                    flush=True,
                )
        if args.only == "import":
            continue
        runs = {r: {"wall": [], "cpu": [], "peak": []} for r in roots}
        floors = {"wall": [], "cpu": []}
        sent: dict[str, Any] = {}
        for _ in range(args.repeats):
            for root in roots:
                shutil.rmtree(work / "point", ignore_errors=True)
                point = sync_scale._copy(ready.point_db, work / "point" / "clerk.db")
                shutil.copytree(keys.key_dir(ready.point_db), keys.key_dir(point))
                after, _carried = sync_scale._acknowledge_all_but(point, min(DAY, cases // 5))
                usb = work / "usb"
                shutil.rmtree(usb, ignore_errors=True)
                usb.mkdir()
                sent, wall, peak, cpu = clerk(root, "export", "--db", str(point), "--out", str(usb))
                runs[root]["wall"].append(wall)
                runs[root]["cpu"].append(cpu)
                runs[root]["peak"].append(peak)
            start = time.process_time()
            floors["wall"].append(sync_scale._floor_export(point, after, work / "floor.jsonl.gz"))
            floors["cpu"].append(time.process_time() - start)
        fw, fc = _median(floors["wall"]), _median(floors["cpu"])
        c = sent["counts"]
        print(
            f"export  {c.get('cases', 0):>7,} cases of a {cases:,}-case point"
            f"  {c.get('events', 0):,} events  floor {fw:6.2f} s wall {fc:6.2f} s CPU",
            flush=True,
        )
        for root in roots:
            r = runs[root]
            t, u = _median(r["wall"]), _median(r["cpu"])
            print(
                f"export  {root}: product {t:7.2f} s wall ({t / fw:4.1f}x)  {u:7.2f} s CPU"
                f" ({u / fc:4.1f}x)  peak {max(r['peak']):6.0f} MB  runs {len(r['wall'])}",
                flush=True,
            )


if __name__ == "__main__":
    main()
