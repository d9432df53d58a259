"""`python -m bench.startup cpu` runs its rows end to end on a small demo, so its code cannot rot:
the verify rows, the second of which makes the incremental verify look at the week's files again
(its step deletes the remembered look before each run). Only the shape is checked, never a time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.fixture import build_demo
from bench.startup import forget_files_look
from clerk.cli import main
from clerk.ports.setting_keys import SETTING_FILES
from clerk.storage.sqlite.connection import connect

ROOT = Path(__file__).resolve().parent.parent


def _files_look(db: Path) -> str | None:
    conn = connect(db)
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (SETTING_FILES,)).fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


def test_the_step_before_the_look_row_forgets_the_remembered_look(tmp_path: Path) -> None:
    db = build_demo(tmp_path / "demo", 20).path
    assert main(["verify", "--db", str(db), "--json"]) == 0  # the first: a full one
    assert main(["verify", "--db", str(db), "--json"]) == 0  # incremental: looks, remembers
    assert _files_look(db) is not None
    forget_files_look(str(db))
    assert _files_look(db) is None


def test_the_verify_rows_run(tmp_path: Path) -> None:
    db = build_demo(tmp_path / "demo", 20).path
    done = subprocess.run(
        [sys.executable, "-m", "bench.startup", "cpu", "--db", str(db), "--repeats", "1"]
        + ["--rows", "verify"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,  # a guard against hanging, not a threshold
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split(" | ")[0] for line in done.stdout.splitlines() if line.startswith("| clerk")]
    assert rows == [
        "| clerk verify (incremental)",
        "| clerk verify (incremental), the week's files looked at again",
    ]
