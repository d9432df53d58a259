"""The county's mailbox for bundles arriving over the network (no HTTP here; `clerk.net.server`
is the HTTP side).

Every bundle received is kept as it came, byte for byte, under the spool directory
(`<sender>/<seq>.clerkbundle`) with a small record of what became of it (`<seq>.json`: the
SHA-256 of the bytes, the state, the import report). Then it is imported by exactly the code
`clerk import` runs (`Window.import_bundle`), one bundle at a time (one lock for the database),
each sender's in the order of their numbers. A bundle the import code finds a gap in (the chain
lacks earlier events: "bring bundle N") *waits*: it is kept, reported as waiting for N, and
imported as soon as a bundle filling the gap has been imported. A later bundle from a point
carries everything the county has not acknowledged, so a bundle that has no gap is imported even
when an earlier number never arrived (a stick lost, a send that failed): nobody waits for a file
that may not exist any more.

States: `received` (stored, not yet tried), `imported`, `duplicate` (nothing new: the same
bundle came by USB, or a later one already carried it), `waiting` (a gap), `refused` (the import
code refused it; final), `retry` (the database could not take it now: disk full, busy; tried
again with the next bundle or at start-up).

Identity is by number and bytes: the same number with the same bytes is a resend (its stored
outcome is answered again); the same number with other bytes is refused (409), whatever the
first one's fate, and nothing is overwritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clerk.service.window import Window
from clerk.sync import bundle as fmt
from clerk.sync.bundle import BundleError
from clerk.sync.keys import write_atomic
from clerk.sync.report import ImportReport

log = logging.getLogger("clerk.net")

CODE = re.compile(r"^[A-Z0-9]{2,16}$")
PENDING = ("received", "waiting", "retry")


@dataclass(frozen=True)
class Outcome:
    """What the server answers: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any]


def _code_for(state: str, refusal: str | None, *, resend: bool) -> int:
    if state == "imported":
        return 200 if resend else 201
    if state == "duplicate":
        return 200
    if state == "waiting":
        return 202
    if state == "retry":
        return 503
    if refusal == "conflicting_bundle":
        return 409
    return 422


class Mailbox:
    """Received bundles on disk and their import through the window (thread-safe)."""

    def __init__(
        self,
        open_window: Callable[[], Window],
        spool: Path,
        *,
        passphrase: str | None = None,
    ) -> None:
        self._open_window = open_window
        self.spool = Path(spool)
        self.passphrase = passphrase
        self.lock = threading.Lock()  # one import (one database writer) at a time
        self._window: Window | None = None
        self.spool.mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------ the window

    @contextmanager
    def window(self) -> Iterator[Window]:
        """The county's window, opened once and used under the lock."""
        with self.lock:
            yield self._win()

    def _win(self) -> Window:
        """The window (the caller holds the lock)."""
        if self._window is None:
            self._window = self._open_window()
        return self._window

    def close(self) -> None:
        with self.lock:
            if self._window is not None:
                self._window.store.close()
                self._window = None

    def me(self) -> str:
        with self.window() as w:
            return w.me().code

    # ------------------------------------------------------------------ the spool

    def _dir(self, sender: str) -> Path:
        return self.spool / sender

    def _meta_path(self, sender: str, seq: int) -> Path:
        return self._dir(sender) / f"{seq:06d}.json"

    def bundle_path(self, sender: str, seq: int) -> Path:
        return self._dir(sender) / f"{seq:06d}{fmt.SUFFIX}"

    def meta(self, sender: str, seq: int) -> dict[str, Any] | None:
        try:
            return dict(json.loads(self._meta_path(sender, seq).read_text("utf-8")))
        except FileNotFoundError:
            return None

    def _save_meta(self, sender: str, seq: int, meta: dict[str, Any]) -> None:
        write_atomic(
            self._meta_path(sender, seq),
            json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8"),
            mode=0o600,
        )

    def senders(self) -> list[str]:
        return sorted(p.name for p in self.spool.iterdir() if p.is_dir() and CODE.match(p.name))

    def pending(self, sender: str) -> list[int]:
        out = []
        for path in self._dir(sender).glob("*.json"):
            with suppress(ValueError):
                meta = json.loads(path.read_text("utf-8"))
                if meta.get("state") in PENDING:
                    out.append(int(meta["seq"]))
        return sorted(out)

    # ------------------------------------------------------------------ receiving

    def receive(self, sender: str, seq: int, upload: Path, sha256: str, at: str) -> Outcome:
        """Take an uploaded file (already checked against its Content-Digest) for `sender`'s
        bundle number `seq`: keep it, import what can be imported, and answer."""
        with self.lock:
            known = self.meta(sender, seq)
            if known is not None:
                upload.unlink(missing_ok=True)
                if known["sha256"] != sha256:
                    return Outcome(409, _different(sender, seq))
                if known["state"] in PENDING:
                    self._drain(sender)
                    known = self.meta(sender, seq) or known
                return self._answer(known, resend=True)
            problem = self._check_header(sender, seq, upload)
            if problem is not None:
                upload.unlink(missing_ok=True)
                return Outcome(422, problem)
            self._dir(sender).mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(upload, self.bundle_path(sender, seq))
            meta = {
                "sender": sender,
                "seq": seq,
                "sha256": sha256,
                "size": self.bundle_path(sender, seq).stat().st_size,
                "received_at": at,
                "state": "received",
            }
            self._save_meta(sender, seq, meta)
            self._drain(sender)
            return self._answer(self.meta(sender, seq) or meta, resend=False)

    def _check_header(self, sender: str, seq: int, upload: Path) -> dict[str, Any] | None:
        with upload.open("rb") as f:
            head = f.read(fmt.MAX_HEADER + 1)
        try:
            header, _ = fmt.read_header(head)
        except BundleError as exc:
            return {"status": "refused", "refusal": exc.code, "message": str(exc)}
        me = self._win().me().code
        if header.sender != sender or header.seq != seq:
            return {
                "status": "refused",
                "refusal": "wrong_address",
                "message": f"这是 {header.sender} 的第 {header.seq} 号包，不是地址所说的 {sender} 第 {seq} 号包，未收。",
            }
        if header.receiver != me:
            return {
                "status": "refused",
                "refusal": "wrong_receiver",
                "message": f"这个包是写给 {header.receiver} 的，不是给本机（{me}）的，未收。请确认上报地址。",
            }
        return None

    def _answer(self, meta: dict[str, Any], *, resend: bool) -> Outcome:
        report = meta.get("report") or {}
        code = _code_for(meta["state"], report.get("refusal"), resend=resend)
        return Outcome(code, meta)

    def drain_all(self) -> None:
        """At start-up: try every bundle left pending (a server stopped mid-import, a gap)."""
        with self.lock:
            for torn in self.spool.glob(".*.part"):  # an upload cut by the stop
                torn.unlink(missing_ok=True)
            for sender in self.senders():
                for stray in self._dir(sender).glob(f"*{fmt.SUFFIX}"):
                    if not stray.with_suffix(".json").exists():  # stopped before it was recorded
                        stray.unlink(missing_ok=True)
                self._drain(sender)

    def _drain(self, sender: str) -> None:
        """Import `sender`'s pending bundles in order until a pass imports nothing more."""
        progress = True
        while progress:
            progress = False
            for seq in self.pending(sender):
                meta = self.meta(sender, seq)
                if meta is None:
                    continue
                report = self._import(sender, seq)
                state = _state_of(report)
                meta["state"] = state
                meta["report"] = report.to_json()
                if state == "waiting":
                    meta["waiting_for"] = _waiting_for(report)
                else:
                    meta.pop("waiting_for", None)
                self._save_meta(sender, seq, meta)
                log.info(
                    "import %s #%d %s%s",
                    sender,
                    seq,
                    state,
                    f" (waiting for {meta.get('waiting_for')})" if state == "waiting" else "",
                )
                if state == "imported":
                    progress = True
                if state == "retry":
                    return

    def _import(self, sender: str, seq: int) -> ImportReport:
        return self._win().import_bundle(self.bundle_path(sender, seq), passphrase=self.passphrase)

    # ------------------------------------------------------------------ return bundles

    def returns_for(self, point: str, after: int, directory: Path) -> list[dict[str, Any]]:
        """The return bundles written for `point` (by `clerk export --for`) numbered after `after`
        whose files are in `directory`."""
        with self.window() as w:
            rows = w.sync_store().bundles("out", point, limit=1000)
        out = []
        for row in sorted(rows, key=lambda r: int(r["seq"])):
            seq = int(row["seq"])
            path = self.return_file(point, seq, directory, row)
            if seq <= after or path is None:
                continue
            out.append(
                {
                    "seq": seq,
                    "size": path.stat().st_size,
                    "sha256": _file_sha256(path),
                    "href": f"/v1/bundles/for/{point}/{seq}",
                }
            )
        return out

    def return_file(
        self, point: str, seq: int, directory: Path, row: dict[str, Any] | None = None
    ) -> Path | None:
        if row is None:
            with self.window() as w:
                row = w.sync_store().bundle("out", point, seq)
        if row is None or not row.get("file_name"):
            return None
        path = Path(directory) / str(row["file_name"])
        if not path.is_file():
            return None
        with path.open("rb") as f:
            head = f.read(fmt.MAX_HEADER + 1)
        try:
            header, _ = fmt.read_header(head)
        except BundleError:
            return None
        if header.receiver != point or header.seq != seq or header.kind != "return":
            return None
        return path


def _state_of(report: ImportReport) -> str:
    if report.status in ("imported", "duplicate"):
        return report.status
    if report.status == "gap":
        return "waiting"
    if report.refusal == "not_stored":
        return "retry"
    return "refused"


def _waiting_for(report: ImportReport) -> int | None:
    bring = sorted({int(g["bring"]) for g in report.gaps if g.get("bring")})
    return bring[0] if bring else None


def _different(sender: str, seq: int) -> dict[str, Any]:
    return {
        "status": "refused",
        "refusal": "conflicting_bundle",
        "sender": sender,
        "seq": seq,
        "message": f"本机已收到 {sender} 的第 {seq} 号包，但内容不同。未收；"
        "同一编号的包只能重发原文件。请联系信息管理员核对（服务点是否从旧备份恢复过）。",
    }


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
