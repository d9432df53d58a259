"""`python -m bench [--quick] [--county [N]] [--fixture-only] [--json] [--results FILE] [--only NAME ...]
[--repeats N] [--cases N]`."""

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
from bench.county import COUNTY_CASES


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench", description="clerk benchmarks, each against a floor"
    )
    p.add_argument(
        "--quick", action="store_true", help="tiny sizes and one repeat (for the smoke test)"
    )
    p.add_argument(
        "--json", action="store_true", help="print the results as JSON instead of a table"
    )
    p.add_argument(
        "--only", nargs="+", choices=BENCHMARKS, metavar="NAME", help="run only these benchmarks"
    )
    p.add_argument("--repeats", type=int, help="measurements per row (the median is reported)")
    p.add_argument("--cases", type=int, help="cases in the demo database")
    p.add_argument(
        "--workdir", type=Path, help="keep the databases and documents here (default: a temp dir)"
    )
    p.add_argument(
        "--county",
        nargs="?",
        type=int,
        const=COUNTY_CASES,
        default=0,
        metavar="N",
        help=f"also measure the county fixture of N cases (default {COUNTY_CASES:,}; built once, then reused)",
    )
    p.add_argument(
        "--fixture-only",
        action="store_true",
        help="build (or check the cache of) the fixtures and stop",
    )
    p.add_argument("--results", type=Path, help="also write the results as JSON to this file")
    return p.parse_args(argv)


def run_all(
    config: Config, names: tuple[str, ...] = BENCHMARKS, *, log: Any = None
) -> dict[str, Any]:
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
            "county": ctx.county_meta,
        },
        "total_s": time.perf_counter() - started,
        "rows": [r.to_json() for r in rows],
        "facts": ctx.facts,
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
            f"demo database: {s['demo_cases']} cases built with clerk.service.demo.fill in"
            f" {s['demo_build_s']:.1f} s ({per_case:.0f} ms a case)"
        )
    county = s.get("county") or {}
    if county:
        lines.append(
            f"county fixture: {county['cases']:,} cases ({county['counts']['events']:,} events,"
            f" {county['counts']['documents']:,} document rows, {county['file_bytes'] / 1e9:.2f} GB)"
            f" built in {county['build_s']:.0f} s, checked by clerk verify in {county['verify_s']:.0f} s"
        )
    lines += ["", format_table(result["_rows"])]
    for f in result.get("facts", []):
        lines.append(
            f"{f['name']} ({f['size']:,} cases): {f['value']:,.0f} {f['unit']} — {f['note']}"
        )
    lines += ["", f"total {result['total_s']:.1f} s"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = tuple(args.only) if args.only else BENCHMARKS
    with tempfile.TemporaryDirectory(prefix="clerk-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        config = Config.make(
            quick=args.quick,
            workdir=workdir,
            repeats=args.repeats,
            cases=args.cases,
            county=args.county,
        )
        previous = os.environ.get("CLERK_DATA_DIR")
        os.environ["CLERK_DATA_DIR"] = str(workdir / "data")  # never the user's real data dir
        try:
            if args.fixture_only:
                ctx = Context(config)
                print(f"demo database: {ctx.demo().path}")
                county = ctx.county()
                if county is not None:
                    print(f"county fixture: {county.path}")
                return 0
            result = run_all(config, names, log=None if args.json else sys.stderr)
        finally:
            if previous is None:
                os.environ.pop("CLERK_DATA_DIR", None)
            else:
                os.environ["CLERK_DATA_DIR"] = previous
    public = {k: v for k, v in result.items() if not k.startswith("_")}
    if args.results:
        args.results.write_text(json.dumps(public, ensure_ascii=False, indent=2) + "\n")
    if args.json:
        print(json.dumps(public, ensure_ascii=False, indent=2))
    else:
        print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
