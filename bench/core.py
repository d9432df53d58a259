"""What every benchmark shares: the result row, the timer and the run's context.

Times are medians of `repeats` measurements taken with `time.perf_counter`. Product and floor are
measured alternately (product, floor, product, floor, ...) so that a machine busy with something
else slows both alike rather than only whichever ran second.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.fixture import DemoDb

FULL_REPEATS = 7
QUICK_REPEATS = 1
FULL_CASES = 2000
QUICK_CASES = 40


@dataclass
class Row:
    """One line of the results table: the product's time, the floor's time and their ratio."""

    bench: str
    case: str
    product_s: float = 0.0
    floor_s: float = 0.0
    repeats: int = 0
    note: str = ""
    skipped: str = ""  # why the row could not be measured; empty when it was
    size: int = 0  # cases in the database measured (0: not a data benchmark)
    peak_mb: float = 0.0  # peak resident memory of the product's process, when it runs as one

    @property
    def ratio(self) -> float | None:
        if self.skipped or self.floor_s <= 0:
            return None
        return self.product_s / self.floor_s

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def skipped(bench: str, case: str, error: BaseException, *, size: int = 0) -> Row:
    """A row for a benchmark that failed: the run goes on and the table says why."""
    return Row(bench, case, skipped=f"{type(error).__name__}: {error}"[:200], size=size)


@dataclass
class Config:
    quick: bool = False
    repeats: int = FULL_REPEATS
    cases: int = FULL_CASES
    workdir: Path = field(default_factory=lambda: Path("."))
    county: int = 0  # cases in the county fixture to measure too (0: none)

    @classmethod
    def make(
        cls,
        *,
        quick: bool,
        workdir: Path,
        repeats: int | None = None,
        cases: int | None = None,
        county: int = 0,
    ) -> Config:
        return cls(
            quick=quick,
            repeats=repeats or (QUICK_REPEATS if quick else FULL_REPEATS),
            cases=cases or (QUICK_CASES if quick else FULL_CASES),
            workdir=workdir,
            county=county,
        )


class Context:
    """The run: its configuration and the demo database, built on first use and then shared."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._demo: DemoDb | None = None
        self._county: DemoDb | None = None
        self.facts: list[dict[str, Any]] = []  # measured values that are not times (bytes, keys)
        self.county_meta: dict[str, Any] = {}

    @property
    def quick(self) -> bool:
        return self.config.quick

    @property
    def repeats(self) -> int:
        return self.config.repeats

    def demo(self) -> DemoDb:
        """The demo database: built in the run in --quick mode or at an unusual size, else the
        cached template of the county fixture (the same `clerk.service.demo.fill` build, kept between runs)."""
        if self._demo is None:
            from bench.fixture import build_demo, cached_demo

            if self.quick or self.config.cases != FULL_CASES:
                self._demo = build_demo(self.config.workdir / "demo", self.config.cases)
            else:
                self._demo = cached_demo(self.config.cases)
        return self._demo

    def county(self) -> DemoDb | None:
        """The county fixture (built or reused), when the run asks for one."""
        if self.config.county and self._county is None:
            from bench.fixture import county_db

            self._county, self.county_meta = county_db(self.config.county)
        return self._county

    def scale_dbs(self) -> list[tuple[DemoDb, bool]]:
        """(database, is the county file) for each size the scale benchmarks measure."""
        dbs = [(self.demo(), False)]
        county = self.county()
        if county is not None:
            dbs.append((county, True))
        return dbs

    @property
    def demo_built(self) -> DemoDb | None:
        return self._demo

    def scratch(self, name: str) -> Path:
        path = self.config.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        return path


def time_once(fn: Callable[[], object], number: int = 1) -> float:
    """Seconds per call of `fn`, averaged over `number` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def compare(
    product: Callable[[], object],
    floor: Callable[[], object],
    *,
    repeats: int,
    number: int = 1,
    warmup: bool = True,
) -> tuple[float, float]:
    """Median seconds per call of `product` and of `floor`, measured alternately."""
    if warmup:
        product()
        floor()
    p: list[float] = []
    f: list[float] = []
    for _ in range(max(1, repeats)):
        p.append(time_once(product, number))
        f.append(time_once(floor, number))
    return statistics.median(p), statistics.median(f)


def machine() -> dict[str, Any]:
    import platform
    import sqlite3
    import sys

    return {
        "nproc": os.cpu_count(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def format_seconds(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def format_table(rows: list[Row]) -> str:
    """A plain-text table: benchmark, case, product, floor, ratio, note."""
    header = ("benchmark", "cases", "case", "product", "floor", "ratio", "peak", "note")
    lines = [header]
    for r in rows:
        size = f"{r.size:,}" if r.size else ""
        if r.skipped:
            lines.append((r.bench, size, r.case, "-", "-", "skipped", "", r.skipped))
            continue
        ratio = r.ratio
        lines.append(
            (
                r.bench,
                size,
                r.case,
                format_seconds(r.product_s),
                format_seconds(r.floor_s),
                f"{ratio:.1f}x" if ratio is not None else "-",
                f"{r.peak_mb:.0f} MB" if r.peak_mb else "",
                r.note,
            )
        )
    widths = [max(_width(line[i]) for line in lines) for i in range(len(header) - 1)]
    out = []
    for line in lines:
        cells = [
            _pad(cell, w, right=i in (1, 3, 4, 5, 6))
            for i, (cell, w) in enumerate(zip(line, widths, strict=False))
        ]
        out.append("  ".join(cells + [line[-1]]).rstrip())
    return "\n".join(out)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap
