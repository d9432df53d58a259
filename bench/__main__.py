"""`python -m bench [--quick] [--json] [--only NAME ...] [--repeats N] [--cases N]`."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import BENCHMARKS
from bench.core import Config, Context, Row, format_table, machine, skipped


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description="clerk benchmarks, each against a floor")
    p.add_argument("--quick", action="store_true", help="tiny sizes and one repeat (for the smoke test)")
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    p.add_argument("--only", nargs="+", choices=BENCHMARKS, metavar="NAME", help="run only these benchmarks")
    p.add_argument("--repeats", type=int, help="measurements per row (the median is reported)")
    p.add_argument("--cases", type=int, help="cases in the demo database")
    p.add_argument("--workdir", type=Path, help="keep the databases and documents here (default: a temp dir)")
    return p.parse_args(argv)


def run_all(config: Config, names: tuple[str, ...] = BENCHMARKS, *, log: Any = None) -> dict[str, Any]:
    """Run the benchmarks named; a benchmark that raises becomes a skipped row."""
    ctx = Context(config)
    rows: list[Row] = []
    started = time.perf_counter()
    for name in names:
        if log:
            print(f"… {name}", file=log, flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            rows.extend(module.run(ctx))
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the rest
            rows.append(skipped(name, "(all)", exc))
    demo = ctx.demo_built
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {"quick": config.quick, "repeats": config.repeats, "cases": config.cases},
        "setup": {
            "demo_cases": demo.cases if demo else 0,
            "demo_build_s": demo.build_s if demo else 0.0,
            "demo_states": demo.counts if demo else {},
        },
        "total_s": time.perf_counter() - started,
        "rows": [r.to_json() for r in rows],
        "_rows": rows,
    }


def report(result: dict[str, Any]) -> str:
    m = result["machine"]
    s = result["setup"]
    lines = [
        f"clerk benchmarks — {result['date']} — nproc {m['nproc']}, Python {m['python']},"
        f" SQLite {m['sqlite']}, {m['platform']}",
        f"repeats {result['config']['repeats']} (median); times are per operation",
    ]
    if s["demo_cases"]:
        per_case = s["demo_build_s"] / s["demo_cases"] * 1e3
        lines.append(
            f"demo database: {s['demo_cases']} cases built with clerk.demo.fill in"
            f" {s['demo_build_s']:.1f} s ({per_case:.0f} ms a case)"
        )
    lines += ["", format_table(result["_rows"]), "", f"total {result['total_s']:.1f} s"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = tuple(args.only) if args.only else BENCHMARKS
    with tempfile.TemporaryDirectory(prefix="clerk-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        config = Config.make(quick=args.quick, workdir=workdir, repeats=args.repeats, cases=args.cases)
        previous = os.environ.get("CLERK_DATA_DIR")
        os.environ["CLERK_DATA_DIR"] = str(workdir / "data")  # never the user's real data dir
        try:
            result = run_all(config, names, log=None if args.json else sys.stderr)
        finally:
            if previous is None:
                os.environ.pop("CLERK_DATA_DIR", None)
            else:
                os.environ["CLERK_DATA_DIR"] = previous
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if not k.startswith("_")}, ensure_ascii=False, indent=2))
    else:
        print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
