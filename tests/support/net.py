"""A real `clerk serve` on 127.0.0.1 for the network tests: uvicorn in a thread, on a free port.

`live(county_window, tmp_path, ...)` serves the county's database file (a second connection, as
`clerk serve` beside a running app would); `Dropper` is a TCP relay that cuts connections.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from clerk.net.client import CountyClient, Retries
from clerk.net.server import ServeConfig, make_app
from clerk.service.compose import open_window
from clerk.service.window import Window
from clerk.sync import keys

FAST = Retries(attempts=6, wait_initial=0.02, wait_max=0.2, timeout=60)


class LiveServer:
    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = app
        self.server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()


def county_config(tmp_path: Path, **kwargs: Any) -> ServeConfig:
    return ServeConfig(spool=tmp_path / "spool", returns=tmp_path / "returns", **kwargs)


@contextmanager
def live(county: Window, tmp_path: Path, **kwargs: Any) -> Iterator[LiveServer]:
    """`clerk serve` on the county's database, its spool and returns under `tmp_path`."""
    path = county.store.path
    documents = county.context.documents.root
    config = county_config(tmp_path, **kwargs)
    config.returns.mkdir(parents=True, exist_ok=True)
    app = make_app(lambda: open_window(path, clock=county.clock, documents_root=documents), config)
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


def client(window: Window, url: str, **kwargs: Any) -> CountyClient:
    pair = keys.load(window.key_dir())
    kwargs.setdefault("retries", FAST)
    return CountyClient(url, window.me().code, pair.signing, **kwargs)


class Dropper:
    """A TCP relay to `target_port` that cuts the first `cuts` connections: after `after` bytes
    from the client (mid-upload), or, with `after=None`, just before the answer (the request
    reached the server whole, the client never hears back)."""

    def __init__(self, target_port: int, *, after: int | None, cuts: int = 1) -> None:
        self.target_port = target_port
        self.after = after
        self.cuts = cuts
        self.connections = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            cut = self.connections <= self.cuts
            threading.Thread(target=self._relay, args=(conn, cut), daemon=True).start()

    def _relay(self, conn: socket.socket, cut: bool) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        done = threading.Event()

        def pump(src: socket.socket, dst: socket.socket, limit: int | None) -> None:
            sent = 0
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    if limit is not None and sent + len(data) > limit:
                        dst.sendall(data[: limit - sent])
                        break
                    dst.sendall(data)
                    sent += len(data)
            except OSError:
                pass
            done.set()

        to_server = cut and self.after is not None
        threading.Thread(
            target=pump, args=(conn, upstream, self.after if to_server else None), daemon=True
        ).start()
        if cut and self.after is None:
            # let the request through, swallow the answer, then hang up on the client
            try:
                upstream.recv(65536)
            except OSError:
                pass
        else:
            threading.Thread(target=pump, args=(upstream, conn, None), daemon=True).start()
            done.wait(timeout=60)
        for s in (conn, upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self._stop = True
        self.listener.close()
