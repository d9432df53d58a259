"""Catalogue load: `load_catalog()` (parse and validate into frozen objects) vs `json.loads`.

Both read the same `catalog.json` from disk on every call; the floor stops after `json.loads`,
the product goes on to check every entry and build the `Catalog`.
"""

from __future__ import annotations

import json

from bench.core import Context, Row, compare
from clerk.domain.catalog import load_catalog, packaged_file

NUMBER = 5


def run(ctx: Context) -> list[Row]:
    path = packaged_file("catalog.json")
    size_kb = path.stat().st_size / 1024
    product_s, floor_s = compare(
        lambda: load_catalog(path),
        lambda: json.loads(path.read_text(encoding="utf-8")),
        repeats=ctx.repeats,
        number=1 if ctx.quick else NUMBER,
    )
    return [Row("catalogue", f"catalog.json, {size_kb:.0f} KB", product_s, floor_s, ctx.repeats)]
