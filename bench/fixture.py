"""The demo database the benchmarks share: built once per run with `clerk.service.demo.fill`.

Every case goes through the real `Window` (events, hash chain, documents and PDFs), so building
takes a while; the run reports how long. Benchmarks that write (the decision benchmark) work on a
copy, so the order in which benchmarks run does not change what the others see.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from clerk.db import Store, User
from clerk.domain.catalog import Catalog, default_catalog
from clerk.domain.clock import TZ, fixed_clock
from clerk.domain.offices import Offices, default_offices
from clerk.domain.workdays import WorkCalendar
from clerk.service.compose import build_window
from clerk.service.window import Window

if TYPE_CHECKING:
    from argon2 import PasswordHasher

POINT = "YZ01"
# A Friday with holiday data (2026 is covered by chinesecalendar 1.11.0); fixed so runs compare.
END = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 16, 0, tzinfo=TZ)
REVIEWER = "reviewer1"
CLERK = "clerk1"


def cheap_hasher() -> PasswordHasher:
    """Argon2id at minimum cost: the demo accounts' hashes are not what is being measured."""
    from argon2 import PasswordHasher  # when a demo is built: the start-up rows import this module

    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@dataclass
class DemoDb:
    path: Path
    cases: int
    build_s: float
    counts: dict[str, int]
    catalog: Catalog
    offices: Offices

    def open_store(self, path: Path | None = None) -> Store:
        return Store.open(path or self.path, clock=fixed_clock(NOW), hasher=cheap_hasher())

    def window(self, store: Store, documents_root: Path | None = None) -> Window:
        return build_window(
            store,
            catalog=self.catalog,
            offices=self.offices,
            clock=fixed_clock(NOW),
            calendar=WorkCalendar(None),
            documents_root=documents_root or self.path.parent / "bench-documents",
        )

    def user(self, store: Store, login: str) -> User:
        user = store.user(login)
        if user is None:
            raise LookupError(f"demo user {login} is missing")
        return user

    def raw(self, path: Path | None = None) -> sqlite3.Connection:
        """A bare sqlite3 connection to the same file, for the floors."""
        return sqlite3.connect(str(path or self.path), isolation_level=None)

    def copy(self, target: Path) -> Path:
        """A consistent copy of the database (sqlite3 backup API)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        src = self.raw()
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return target


def build_demo(folder: Path, cases: int) -> DemoDb:
    """Fill a new database in `folder` with `cases` synthetic cases; time it."""
    from clerk.service.demo import fill

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo.db"
    catalog = default_catalog()
    offices = default_offices()
    start = time.perf_counter()
    store = Store.open(path, hasher=cheap_hasher())
    try:
        counts = fill(
            store,
            catalog,
            offices,
            cases=cases,
            point_code=POINT,
            end=END,
            documents_root=folder / "documents",
        )
    finally:
        store.close()
    build_s = time.perf_counter() - start
    return DemoDb(
        path=path,
        cases=cases,
        build_s=build_s,
        counts={str(k): v for k, v in counts.items()},
        catalog=catalog,
        offices=offices,
    )


def _demo_from(path: Path, cases: int, build_s: float, counts: dict[str, int]) -> DemoDb:
    return DemoDb(
        path=path,
        cases=cases,
        build_s=build_s,
        counts=counts,
        catalog=default_catalog(),
        offices=default_offices(),
    )


def cached_demo(cases: int) -> DemoDb:
    """The demo database of `cases` cases kept in the benchmark cache (built on first use)."""
    from bench.county import template

    built = template(cases)
    return _demo_from(built.path, cases, float(built.meta["build_s"]), dict(built.meta["counts"]))


def county_db(cases: int) -> tuple[DemoDb, dict]:
    """The county fixture of `cases` cases (see bench/county.py), built once and then reused."""
    from bench.county import county

    built = county(cases)
    return _demo_from(built.path, cases, float(built.meta["build_s"]), {}), built.meta
