"""Robustness: kill -9 in the middle of writing, and two processes writing at once."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.tamper import raw_rows, raw_value
from test_storage_support import MATERIALS, open_store

SUPPORT = Path(__file__).with_name("test_storage_support.py")
KILLS = 100


def _writer(db: Path, worker: int, count: int, *options: str) -> subprocess.Popen:
    args = [sys.executable, str(SUPPORT), str(db), str(worker), str(count), *options]
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=SUPPORT.parent.parent
    )


HANG_GUARD = 180  # seconds: a guard against a hung writer, never a performance threshold


def _wait_until(done: Callable[[], bool], proc: subprocess.Popen, what: str) -> None:
    """Poll `done()` until it holds; fail if the writer exits first or after HANG_GUARD."""
    deadline = time.monotonic() + HANG_GUARD
    while not done():
        if proc.poll() is not None:
            raise AssertionError(f"the writer exited before {what}: {proc.stderr.read().decode()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the writer never got to {what}")
        time.sleep(0.005)


def _wait_for(path: Path, proc: subprocess.Popen) -> None:
    _wait_until(path.exists, proc, "being ready")


def _committed(db: Path) -> int:
    """Cases committed in `db` so far, read from another connection (WAL: readers never block)."""
    conn = sqlite3.connect(db, timeout=HANG_GUARD)
    try:
        return conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
    finally:
        conn.close()


def _assert_every_case_is_whole(db: Path) -> int:
    store = open_store(db)
    try:
        cases = store.db.query("SELECT uuid, state, version FROM cases")
        count = 0
        for case in cases:
            events = store.events_for(case["uuid"])
            materials = store.material_checks(case["uuid"])
            assert [e["action"] for e in events] == ["receive", "withdraw"]
            assert [m.material_id for m in materials] == list(MATERIALS)
            assert (case["state"], case["version"]) == ("withdrawn", 2)
            count += 1
        assert store.engine_checks() == []  # integrity_check and foreign_key_check
        result = store.verify(full=True)
        assert result["ok"] is True, result["problem"]
        assert result["events"] == 2 * count
        return count
    finally:
        store.close()


@pytest.mark.slow
def test_kill_9_never_leaves_a_half_written_case(tmp_path):
    db = tmp_path / "crash.db"
    open_store(db).close()
    rng = random.Random(20260302)
    ready = tmp_path / "ready"
    for kill in range(KILLS):
        ready.unlink(missing_ok=True)
        before = _committed(db)
        proc = _writer(db, 1, 0, "--ready", str(ready))
        moment = rng.random()
        if kill == 0 or moment < 0.2:
            # Right after a commit the writer is inside its next transaction. Waiting for the
            # commit itself (not for a time) makes sure that, however loaded the machine, there
            # are committed cases for the check below to find.
            _wait_until(lambda n=before: _committed(db) > n, proc, "its first commit")
            time.sleep(rng.uniform(0, 0.01))
        elif moment < 0.4:
            time.sleep(rng.uniform(0, 0.2))  # sometimes while it is still opening the file
        else:
            _wait_for(ready, proc)
            time.sleep(rng.uniform(0, 0.04))  # ready: wherever in its writing it has got to
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
    written = _assert_every_case_is_whole(db)
    assert written > 0, "nothing committed before the kill"
    store = open_store(db)
    last = raw_value(store, "SELECT last FROM sequences WHERE point_code = 'P1'")
    assert last == written  # the daily counter moved only with committed cases
    store.close()


@pytest.mark.slow
def test_two_processes_write_at_once_without_locking_errors(tmp_path):
    db = tmp_path / "busy.db"
    open_store(db).close()
    go = tmp_path / "go"
    procs = []
    for worker in (1, 2):
        ready = tmp_path / f"ready{worker}"
        peer = str(3 - worker)  # each waits, after its first case, for one of the other's
        procs.append(
            _writer(
                db,
                worker,
                120,
                *("--ready", str(ready), "--go", str(go), "--pause", "0.01", "--peer", peer),
            )
        )
        _wait_for(ready, procs[-1])
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    spans = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert b"locked" not in err
        assert proc.returncode == 0, err.decode()
        spans.append(tuple(float(x) for x in out.split()))
    (start1, end1), (start2, end2) = spans
    # They really were writing at the same time (guaranteed by --peer, whatever the load).
    assert start1 < end2 and start2 < end1
    assert _assert_every_case_is_whole(db) == 240
    store = open_store(db)
    assert raw_rows(store, "SELECT point_code, last FROM sequences ORDER BY point_code") == [
        ("P1", 120),
        ("P2", 120),
    ]
    store.close()
