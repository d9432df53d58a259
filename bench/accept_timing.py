"""How much of an `accept` is rendering the PDF: 50 accepts per item on a fresh database.

    PYTHONPATH=. python -m bench.accept_timing [--calls 50]

Times are CPU time of the calling thread (`time.thread_time`), so a loaded machine (other
processes on the cores) does not blur them; the fsync a committed decision waits for is not CPU
time and is left out. Item 9 (instant: acceptance and completion documents, two PDFs) and item 31
(one PDF). The first accept of each run (font registration, imports) is not counted. A tool for
before/after comparisons of the rendering, not part of `python -m bench`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import clerk.documents.store as document_store
from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.clock import TZ, fixed_clock
from clerk.domain.identifiers import resident_id_check_char
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Applicant
from clerk.domain.offices import default_offices
from clerk.service.window import Window

ITEMS = (9, 31)


def _person() -> Applicant:
    body = "43999919900101123"
    return Applicant(
        kind="person",
        name="张三丰",
        id_type="resident_id",
        id_number=body + resident_id_check_char(body),
        phone="13800138000",
    )


def run(item: int, calls: int, folder: Path) -> tuple[list[float], list[float]]:
    """(accept ms, render_pdf ms) of `calls` accepts of item `item`."""
    from datetime import datetime

    window = Window(
        Store.open(folder / f"clerk-{item}.db"),
        default_catalog(),
        default_offices(),
        clock=fixed_clock(datetime(2025, 3, 12, 9, 30, tzinfo=TZ)),
        documents_root=folder / f"documents-{item}",
    )
    admin = window.setup("YZ05", "admin", "王管理", "counterpass1")
    checks = {
        m.id: MaterialCheck(m.id, "ok", m.alternatives[0], "")
        for m in window.required_for(item, frozenset())
    }
    cases = []
    for _ in range(calls + 1):
        view = window.open_case(admin, item, _person())
        cases.append(window.check_materials(admin, view.uuid, checks))
    window.accept(admin, cases[0].uuid)  # font registration and imports: not counted

    spent = [0.0]
    real = document_store.render_pdf

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.thread_time() - start

    document_store.render_pdf = timed  # type: ignore[assignment]
    try:
        totals, pdfs = [], []
        for view in cases[1:]:
            spent[0] = 0.0
            start = time.thread_time()
            window.accept(admin, view.uuid, expected_version=view.version)
            totals.append((time.thread_time() - start) * 1000)
            pdfs.append(spent[0] * 1000)
    finally:
        document_store.render_pdf = real  # type: ignore[assignment]
    return totals, pdfs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for item in ITEMS:
            totals, pdfs = run(item, args.calls, Path(tmp))
            print(
                f"item {item:2}: {args.calls} accepts, CPU median {statistics.median(totals):5.1f} ms"
                f" (min {min(totals):5.1f}); render_pdf median {statistics.median(pdfs):5.1f} ms"
                f" (min {min(pdfs):5.1f}), {statistics.median(pdfs) / statistics.median(totals):.0%}"
            )


if __name__ == "__main__":
    main()
