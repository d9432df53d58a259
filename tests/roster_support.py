"""Shared helpers for the roster tests: a window at a college point and roster files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from support.db import fresh_db

from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.clock import TZ, fixed_clock
from clerk.domain.model import Role
from clerk.domain.offices import default_offices
from clerk.roster.sample import bad_row, student_row, write_xlsx
from clerk.service.window import Window

NOW = datetime(2026, 9, 1, 9, 30, tzinfo=TZ)  # a Tuesday, a working day
TODAY = NOW.date()
PASSWORD = "counterpass1"
COLLEGE = "XY01"
COLLEGE_NAME = "永州职业技术学院"


def college_window(
    tmp_path: Path, *, kind: str = "college", at: datetime = NOW
) -> tuple[Window, Any]:
    """A window set up at a college point (or another kind) under 市本级, with a clerk signed in."""
    window = Window(
        Store.open(fresh_db(tmp_path / "clerk.db")),
        default_catalog(),
        default_offices(),
        clock=fixed_clock(at),
        documents_root=tmp_path / "documents",
    )
    window.store.add_point(COLLEGE, COLLEGE_NAME, kind, "YZ01")
    window.setup(COLLEGE, "admin", "王管理", PASSWORD)
    window.store.create_user("li", "李经办", Role.CLERK, PASSWORD, COLLEGE)
    window.store.create_user("shen", "沈审核", Role.REVIEWER, PASSWORD, COLLEGE)
    return window, window.login("li", PASSWORD)


def roster(
    tmp_path: Path, n: int = 5, *, bad: dict[int, str] | None = None, name: str = "roster.xlsx"
) -> Path:
    """A workbook of `n` students; `bad` maps 0-based student index -> kind of bad row."""
    bad = bad or {}
    rows = [bad_row(bad[i], i) if i in bad else student_row(i) for i in range(n)]
    return write_xlsx(tmp_path / name, rows)


def rows_of(n: int) -> list[dict[str, Any]]:
    return [student_row(i) for i in range(n)]


def today() -> date:
    return TODAY
