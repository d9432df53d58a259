"""Peak memory and time of `clerk import` / `clerk export` against the bundle's size (issue 25, item 2).

    python -m bench.sync_sizes --cases 10000 50000 [--demo 200] [--workdir DIR] [--clerk-root DIR]
        [--only import|export]

For each size: the township point's file of that many cases and its whole-file bundle
(`bench.sync_scale.prepared`, built from a small demo file), then, each as a new process with its
own peak memory (`bench.proc.run_measured`): `clerk import` of that bundle into a fresh copy of the
office's demo file (floor: the same case and event rows inserted with raw `executemany` into the
office file's own schema, `bench.sync._floor_import`), and `clerk export` of the point's last
`DAY` cases once the office acknowledged the rest (floor: `bench.sync_scale._floor_export`).
Product and floor run alternately, `--repeats` times, medians. `--clerk-root` measures another
checkout's clerk (the "before") on the same fixtures. Prints one line per row; no thresholds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import sync_scale
from bench.core import Config, Context
from bench.proc import run_measured

DAY = 10_000


def clerk(root: Path, *args: str) -> tuple[dict[str, Any], float, float]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = run_measured([sys.executable, "-m", "clerk", *args, "--json"], env=env, cwd=str(root))
    if done.returncode != 0:
        raise RuntimeError(f"clerk {args[0]}: {(done.stdout or done.stderr)[-300:]}")
    return json.loads(done.stdout), done.wall_s, done.peak_mb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--demo", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--clerk-root", type=Path, default=sync_scale.ROOT)
    parser.add_argument("--only", choices=("import", "export"), default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="clerk-sync-sizes-"))
    os.environ["CLERK_DATA_DIR"] = str(workdir / "data")
    ctx = Context(Config(quick=False, repeats=args.repeats, workdir=workdir, cases=args.demo))
    from bench.sync import _floor_import, _schema
    from clerk.sync import keys

    for cases in args.cases:
        ready = sync_scale.prepared(ctx, cases)
        size_mb = ready.bundle.stat().st_size / 1e6
        work = workdir / f"run-{cases}"
        times, peaks, floors = [], [], []
        for _ in range(args.repeats if args.only != "export" else 0):
            shutil.rmtree(work / "office", ignore_errors=True)
            office = sync_scale._office_copy(ctx.demo(), ready, work / "office" / "clerk.db")
            got, wall, peak = clerk(
                args.clerk_root, "import", str(ready.bundle), "--db", str(office)
            )
            assert (got.get("imported") or {}).get("cases") == cases, got.get("message")
            times.append(wall)
            peaks.append(peak)
            floor_db = work / "floor-import.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{floor_db}{suffix}").unlink(missing_ok=True)
            _floor_import(ready.point_db, floor_db, _schema(office))
            floors.append(_floor_import.last)  # type: ignore[attr-defined]
        if times:
            t, f = statistics.median(times), statistics.median(floors)
            print(
                f"import  {cases:>7,} cases  bundle {size_mb:6.1f} MB  product {t:7.2f} s"
                f"  floor {f:6.2f} s  {t / f:4.1f}x  peak {max(peaks):6.0f} MB",
                flush=True,
            )
        if args.only == "import":
            continue
        times, peaks, floors = [], [], []
        for _ in range(args.repeats):
            shutil.rmtree(work / "point", ignore_errors=True)
            point = sync_scale._copy(ready.point_db, work / "point" / "clerk.db")
            shutil.copytree(keys.key_dir(ready.point_db), keys.key_dir(point))
            after, _carried = sync_scale._acknowledge_all_but(point, min(DAY, cases // 5))
            usb = work / "usb"
            shutil.rmtree(usb, ignore_errors=True)
            usb.mkdir()
            sent, wall, peak = clerk(
                args.clerk_root, "export", "--db", str(point), "--out", str(usb)
            )
            times.append(wall)
            peaks.append(peak)
            floors.append(sync_scale._floor_export(point, after, work / "floor.jsonl.gz"))
        t, f = statistics.median(times), statistics.median(floors)
        c = sent["counts"]
        print(
            f"export  {c.get('cases', 0):>7,} cases of a {cases:,}-case point  {c.get('events', 0):,} events"
            f"  product {t:7.2f} s  floor {f:6.2f} s  {t / f:4.1f}x  peak {max(peaks):6.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
