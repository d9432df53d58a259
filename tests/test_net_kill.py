"""The real `clerk serve` killed (SIGKILL) while it imports a bundle, then started again: the
bundle is imported exactly once, the counts are right, and both files verify."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from support.net import client
from support.sync import POINT, collected, export

from clerk.net import client as net
from clerk.net.mailbox import Mailbox
from clerk.storage.sqlite.files import verify_file
from clerk.sync import bundle as fmt

CASES = 40  # enough records that the import's transaction is open long enough to be seen
GUARD = 120.0  # seconds: a guard against waiting forever, never a performance threshold
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: Path, port: int, spool: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "clerk", "serve", "--db", str(db),
         "--listen", f"127.0.0.1:{port}", "--spool", str(spool)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + GUARD
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
        time.sleep(0.05)


def writing(db: Path) -> bool:
    """Whether another process holds the database's write lock (an import's open transaction)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc) or "busy" in str(exc), exc
        return True
    finally:
        conn.close()


def events_of(window, origin: str) -> int:  # type: ignore[no-untyped-def]
    head = window.sync_store().head(origin)
    return head[0] if head else 0


def test_the_server_killed_mid_import_imports_the_bundle_exactly_once_after_restart(pair, tmp_path):
    county, point = pair
    cases = [collected(point, 35, n=i) for i in range(CASES)]
    path = export(point, tmp_path / "usb").path
    header = fmt.read_header(path.read_bytes())[0]
    db = county.store.path
    spool = tmp_path / "spool"
    box = Mailbox(lambda: county, spool)
    port = free_port()
    server = serve(db, port, spool)
    answers: list[object] = []

    def upload() -> None:
        with client(point, f"http://127.0.0.1:{port}", retries=net.Retries(attempts=1)) as c:
            try:
                answers.append(c.put_bundle(path, header))
            except net.NetProblem as exc:
                answers.append(exc.code)

    sender = threading.Thread(target=upload)
    sender.start()
    deadline = time.monotonic() + GUARD
    while True:  # the bundle is kept and its import begun: kill inside the open transaction
        meta = box.meta(POINT, 1)
        assert meta is None or meta["state"] == "received", f"not caught mid-import: {meta}"
        if meta is not None and writing(db):
            server.send_signal(signal.SIGKILL)
            break
        assert time.monotonic() < deadline, "the import never began"
    server.wait(GUARD)
    sender.join(GUARD)
    assert answers == ["network"]  # the point heard nothing: it will send again
    assert box.meta(POINT, 1)["state"] == "received"
    assert county.sync_store().last_bundle("in", POINT) is None  # rolled back, nothing half-done

    server = serve(db, port, spool)  # start-up imports what the stopped server had kept
    try:
        assert box.meta(POINT, 1)["state"] == "imported"
        with client(point, f"http://127.0.0.1:{port}") as c:
            status, body = c.put_bundle(path, header)  # the point's resend
        assert (status, body["state"]) == (200, "imported")
    finally:
        server.terminate()
        log = server.communicate(timeout=GUARD)[0]
    assert "import LS01 #1 imported" in log
    assert [int(r["seq"]) for r in county.sync_store().bundles("in", POINT)] == [1]
    assert events_of(county, POINT) == events_of(point, POINT) == 3 * CASES
    assert all(county.store.get_case(uuid) is not None for uuid in cases)
    assert verify_file(db)["ok"] and verify_file(point.store.path)["ok"]
