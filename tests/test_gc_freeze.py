"""The window app freezes what start-up loaded out of the garbage collector's passes
(clerk/support/gc_freeze.py), once a process and before the app itself is built."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import gc, sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from support.app import make_window
from clerk.screens.app import make_app

window = make_window(Path(sys.argv[1]))
before = gc.get_freeze_count()
first = make_app(window)
after_first = gc.get_freeze_count()
second = make_app(window)
print(before, after_first > 0, gc.get_freeze_count() == after_first)
tracked = gc.get_objects()  # the collector's generations, not the frozen objects
print(any(o is first for o in tracked), any(o is window for o in tracked))
"""


def test_building_the_app_freezes_start_up_once_and_no_app(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), str(ROOT / "tests")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert out[0] == "0 True True"  # nothing frozen before; frozen by the first app only
    # the app (and its widgets, built later) is not frozen: the collector still sees it; the
    # window, built before, lives as long as the process
    assert out[1] == "True False"


def test_a_second_call_freezes_nothing_more() -> None:
    from clerk.support import gc_freeze

    gc_freeze.freeze_start_up()  # the first app of this test process may already have
    assert gc_freeze.freeze_start_up() is False


COMMAND = """
import gc, sys
from clerk import cli
from clerk.cli import _run

_run.run_app = lambda args: print("app", gc.get_freeze_count() > 0) or 0
cli.main(["--db", sys.argv[1]])
cli.main(["holidays", "list"])
print("command", gc.get_freeze_count() > 0)
"""


def test_a_command_freezes_its_start_up_and_the_app_start_leaves_it_to_the_app(
    tmp_path: Path,
) -> None:
    out = subprocess.run(
        [sys.executable, "-c", COMMAND, str(tmp_path / "clerk.db")],
        cwd=ROOT,
        env={**os.environ, "CLERK_DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # `clerk` alone: nothing frozen before the app's modules are loaded (make_app freezes)
    assert "app False" in out
    assert "command True" in out
