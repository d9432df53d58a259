"""Several bundles at once (`clerk.sync.fan_in`): each sender's bundles in bundle-number order,
one after another; different senders side by side; an unreadable file on its own."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from clerk.sync.fan_in import by_sender, import_all


def bundle_file(folder: Path, sender: str, seq: int) -> Path:
    header = {"from": sender, "kind": "city", "seq": seq, "to": "YZ"}
    path = folder / f"clerk-{sender}-YZ-{seq:06d}.clerkbundle"
    path.write_bytes(
        b"CLERK-BUNDLE/2 "
        + json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
        + b"\nrest"
    )
    return path


def test_each_senders_bundles_in_number_order(tmp_path):  # type: ignore[no-untyped-def]
    a2, a1 = bundle_file(tmp_path, "YZ03", 2), bundle_file(tmp_path, "YZ03", 1)
    b1 = bundle_file(tmp_path, "YZ05", 1)
    junk = tmp_path / "junk.clerkbundle"
    junk.write_bytes(b"not a bundle")
    assert by_sender([a2, b1, junk, a1]) == [[a1, a2], [b1], [junk]]


def test_one_sender_in_order_and_results_in_the_order_given(tmp_path):  # type: ignore[no-untyped-def]
    files = [bundle_file(tmp_path, "YZ03", n) for n in (3, 1, 2)] + [
        bundle_file(tmp_path, "YZ05", 1)
    ]
    seen: list[str] = []
    lock = threading.Lock()

    def one(path: Path) -> str:
        with lock:
            seen.append(path.name)
        return path.name[-18:-12]

    results = import_all(files, one)
    assert [r for _, r in results] == ["000003", "000001", "000002", "000001"]
    yz03 = [name for name in seen if "YZ03" in name]
    assert yz03 == sorted(yz03)
