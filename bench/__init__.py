"""Benchmarks for clerk: each one times a product operation against a floor measured in the same run.

Run them with `python -m bench` (or `make bench`); `--quick` uses tiny sizes, `--json` prints
machine-readable results. Every benchmark module exposes `run(ctx: Context) -> list[Row]`;
`bench.__main__` runs them in order. See bench/README.md for what each one measures.
"""

BENCHMARKS: tuple[str, ...] = (
    "startup",
    "queues",
    "search",
    "decision",
    "deadline",
    "catalogue",
    "roster",
    "sync",
    "scale",
    "keys",
)
