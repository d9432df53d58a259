"""`clerk serve` as a process, `clerk send` / `clerk fetch` as commands, and a restart that
finishes an import the stopped server had not done."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from support.net import live
from support.sync import POINT, collected, export, user

from clerk.cli import main
from clerk.domain.model import CaseState
from clerk.net.mailbox import Mailbox


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_clerk_serve_send_and_fetch_from_the_command_line(pair, tmp_path, clock, capsys):
    county, point = pair
    uuid = collected(point, 35)
    port = free_port()
    returns = tmp_path / "returns"
    returns.mkdir()
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    server = subprocess.Popen(
        [sys.executable, "-m", "clerk", "serve", "--db", str(county.store.path),
         "--listen", f"127.0.0.1:{port}", "--returns", str(returns)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
            time.sleep(0.1)
        assert main(["send", "--db", str(point.store.path), "--to", url, "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert [(s["seq"], s["http"], s["answer"]["state"]) for s in out["sent"]] == [
            (1, 201, "imported")
        ]
        assert county.store.get_case(uuid) is not None
        clock.set(2026, 11, 2, 14, 0)
        county.accept(user(county, "clerk1"), uuid)
        county.export_bundle(returns, for_point=POINT)
        assert main(["fetch", "--db", str(point.store.path), "--from", url]) == 0
        assert "已导入" in capsys.readouterr().out
        assert point.store.get_case(uuid).state == CaseState.ACCEPTED
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
    lines = [line for line in log.splitlines() if "clerk.net" in line]
    assert any("PUT LS01 #1 imported 201" in line for line in lines), log
    assert not any("张" in line for line in lines)  # no personal data in the log


def test_send_says_what_to_do_when_the_county_cannot_be_reached(pair, capsys):
    county, point = pair
    collected(point, 35)
    code = main(["send", "--db", str(point.store.path), "--to", f"http://127.0.0.1:{free_port()}"])
    assert code == 1
    err = capsys.readouterr().err
    assert "连不上县级服务" in err and "U 盘" in err


def test_a_bundle_stored_but_not_imported_when_the_server_stopped_is_imported_at_restart(
    pair, tmp_path
):
    county, point = pair
    uuid = collected(point, 35)
    path = export(point, tmp_path / "usb").path
    spool = tmp_path / "serve" / "spool"
    # what a server stopped between keeping the bytes and importing them leaves behind
    box = Mailbox(lambda: county, spool)
    (spool / POINT).mkdir(parents=True)
    shutil.copy(path, box.bundle_path(POINT, 1))
    import hashlib

    box._save_meta(
        POINT,
        1,
        {
            "sender": POINT,
            "seq": 1,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "state": "received",
        },
    )
    (spool / POINT / "000002.clerkbundle").write_bytes(b"torn")  # never recorded
    assert county.store.get_case(uuid) is None
    with live(county, tmp_path / "serve"):
        pass
    assert county.store.get_case(uuid) is not None
    assert box.meta(POINT, 1)["state"] == "imported"
    assert not (spool / POINT / "000002.clerkbundle").exists()
