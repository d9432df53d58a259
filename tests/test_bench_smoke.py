"""The benchmarks run end to end in --quick mode, so their code cannot rot.

Only the shape of the results is checked: every benchmark yields rows with positive times and a
ratio. Never a timing threshold: how fast is what `make bench` reports, not what a test decides.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

RATIO = re.compile(r"\s\d+\.\dx(\s|$)")
ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ("startup", "queues", "search", "decision", "deadline", "catalogue", "roster", "sync")
# Rows each benchmark always produces (startup's UI rows may be reported as skipped while the
# screens are being built; the benchmark then says why instead of failing).
EXPECTED_CASES = {
    "queues": 1,
    "search": 3,
    "decision": 2,
    "deadline": 1,
    "catalogue": 1,
    "roster": 2,
    "sync": 2,
}


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", "--quick", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,  # a guard against hanging, not a threshold (the quick run takes ~30 s idle)
    )


@pytest.fixture(scope="module")
def quick() -> dict[str, Any]:
    done = run_bench("--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def rows_of(result: dict[str, Any], bench: str) -> list[dict[str, Any]]:
    """Rows of one of the 2,000-case benchmarks (the scale benchmark's rows carry a size)."""
    return [r for r in result["rows"] if r["bench"] == bench and not r["size"]]


@pytest.mark.parametrize("bench", BENCHMARKS)
def test_every_benchmark_measures_at_least_one_row(quick, bench):
    measured = [r for r in rows_of(quick, bench) if not r["skipped"]]
    assert measured, rows_of(quick, bench)


@pytest.mark.parametrize("bench", sorted(EXPECTED_CASES))
def test_data_benchmarks_measure_every_row(quick, bench):
    rows = rows_of(quick, bench)
    assert len(rows) == EXPECTED_CASES[bench]
    assert [r["skipped"] for r in rows] == [""] * len(rows)


def test_measured_rows_have_positive_times_and_their_ratio(quick):
    for row in quick["rows"]:
        if row["skipped"]:
            continue
        assert row["product_s"] > 0, row
        assert row["floor_s"] > 0, row
        assert row["ratio"] == pytest.approx(row["product_s"] / row["floor_s"]), row


def test_skipped_rows_say_why(quick):
    for row in quick["rows"]:
        assert row["skipped"] or row["ratio"] is not None, row


def test_quick_mode_takes_one_repeat_and_a_small_database(quick):
    assert quick["config"] == {"quick": True, "repeats": 1, "cases": 40}
    assert quick["setup"]["demo_cases"] == 40
    assert sum(quick["setup"]["demo_states"].values()) == 40
    assert quick["setup"]["demo_build_s"] > 0


def test_report_names_the_machine(quick):
    assert quick["machine"]["nproc"] >= 1


def test_table_output_lists_each_row_with_its_ratio():
    done = run_bench("--only", "catalogue", "deadline")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("benchmark"))
    assert header.split() == [
        "benchmark",
        "cases",
        "case",
        "product",
        "floor",
        "ratio",
        "peak",
        "note",
    ]
    body = [line for line in lines if line.startswith(("catalogue", "deadline"))]
    assert len(body) == 2
    assert all(RATIO.search(line) for line in body), body


SCALE_SYNC = {
    "export of a 10,000-case day, new process",
    "import of a 100,000-case bundle, new process",
}


def scale_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The scale benchmark's rows: each names the size of the database it measured."""
    return [r for r in result["rows"] if r["size"]]


def test_scale_measures_every_figure_at_the_demo_size(quick):
    rows = scale_rows(quick)
    measured = {(r["bench"], r["case"]) for r in rows if not r["skipped"]}
    assert {b for b, _ in measured} == {
        "startup",
        "lookup",
        "queue",
        "ledger",
        "decision",
        "verify",
        "backup",
        "sync",
    }
    assert len(measured) == 23
    assert {r["size"] for r in rows} == {40}
    assert not [r for r in rows if r["skipped"]]
    assert {c for b, c in measured if b == "sync"} == SCALE_SYNC


def test_process_rows_report_their_peak_memory(quick):
    rows = [r for r in scale_rows(quick) if "new process" in r["case"] and not r["skipped"]]
    assert len(rows) >= 5
    assert all(r["peak_mb"] > 0 for r in rows), rows


def test_facts_give_bytes_per_case_and_keys(quick):
    facts = {f["name"]: f for f in quick["facts"]}
    assert facts["bytes on disk per case, database"]["value"] > 0
    keys = [f for name, f in facts.items() if name.startswith("keys beyond the data")]
    assert len(keys) == 2
    assert all(f["value"] > 0 and "skipped" not in f["note"] for f in keys), keys
