"""`python -m bench.markdown bench/results.json`: the scale rows as a Markdown table, both sizes side
by side (for docs/BENCHMARKS.md), then the facts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.core import format_seconds


def _cell(row: dict[str, Any] | None) -> list[str]:
    if row is None:
        return ["", "", "", ""]
    if row["skipped"]:
        return ["skipped", "", "", ""]
    ratio = row["ratio"]
    peak = f"{row['peak_mb']:.0f} MB" if row.get("peak_mb") else ""
    return [
        format_seconds(row["product_s"]),
        format_seconds(row["floor_s"]),
        f"{ratio:.1f}×" if ratio else "",
        peak,
    ]


def table(result: dict[str, Any]) -> str:
    rows = [r for r in result["rows"] if r.get("size")]
    sizes = sorted({r["size"] for r in rows})
    keys: list[tuple[str, str]] = []
    by: dict[tuple[str, str, int], dict[str, Any]] = {}
    for r in rows:
        key = (r["bench"], r["case"])
        if key not in keys:
            keys.append(key)
        by[(r["bench"], r["case"], r["size"])] = r
    head = ["benchmark", "case"]
    for size in sizes:
        head += [f"{size:,}: product", "floor", "ratio", "peak"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for bench, case in keys:
        cells = [bench, case]
        for size in sizes:
            cells += _cell(by.get((bench, case, size)))
        lines.append("| " + " | ".join(cells) + " |")
    skipped = {(r["bench"], r["case"]): r["skipped"] for r in rows if r["skipped"]}
    if skipped:
        lines.append("")
        lines += [f"- skipped, {b} / {c}: {why}" for (b, c), why in skipped.items()]
    facts = result.get("facts", [])
    if facts:
        lines.append("")
        for f in facts:
            size = f" ({f['size']:,} cases)" if f.get("size") else ""
            lines.append(f"- {f['name']}{size}: **{f['value']:,.0f} {f['unit']}** — {f['note']}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    result = json.loads(Path(argv[0] if argv else "bench/results.json").read_text())
    m = result["machine"]
    print(
        f"Run {result['date']}, nproc {m['nproc']}, Python {m['python']}, SQLite {m['sqlite']}, {m['platform']}"
    )
    print()
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
