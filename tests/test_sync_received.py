"""An import's document files: linked from the checked work copy, not copied; durable before the
import commits; a stored copy kept when whole, replaced when not."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from support.sync import collected, export

from clerk.sync import received as received_module
from clerk.sync.received import CarriedFile, ReceivedFiles


def carried(folder: Path, data: bytes) -> CarriedFile:
    digest = hashlib.sha256(data).hexdigest()
    path = folder / digest
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return CarriedFile(digest, path, path.read_bytes)


def test_a_new_file_is_linked_from_the_work_copy_owner_only(tmp_path):
    file = carried(tmp_path / "work", b"%PDF-1.4 one")
    target = tmp_path / "received" / f"{file.digest}.pdf"
    with ReceivedFiles() as files:
        assert files.place(file, target) == target
        files.make_durable()
    assert target.read_bytes() == b"%PDF-1.4 one"
    assert os.path.samestat(target.stat(), file.path.stat())  # one copy of the bytes
    assert target.stat().st_mode & 0o777 == 0o600
    assert files.placed == [target]
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary left


def test_a_file_is_copied_where_it_cannot_be_linked(tmp_path, monkeypatch):
    file = carried(tmp_path / "work", b"%PDF-1.4 two")
    target = tmp_path / "received" / f"{file.digest}.pdf"

    def refused(*args: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(received_module.os, "link", refused)
    with ReceivedFiles() as files:
        files.place(file, target)
        files.make_durable()
    assert target.read_bytes() == b"%PDF-1.4 two"
    assert not os.path.samestat(target.stat(), file.path.stat())
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_file_held_in_memory_is_written(tmp_path):
    data = b"%PDF-1.4 three"
    file = CarriedFile(hashlib.sha256(data).hexdigest(), None, lambda: data)
    target = tmp_path / "received" / f"{file.digest}.pdf"
    with ReceivedFiles() as files:
        files.place(file, target)
    assert target.read_bytes() == data


def test_a_whole_stored_copy_is_kept_and_a_damaged_one_replaced(tmp_path):
    whole = carried(tmp_path / "work", b"whole")
    damaged = carried(tmp_path / "work", b"damaged")
    root = tmp_path / "received"
    root.mkdir()
    (root / f"{whole.digest}.txt").write_bytes(b"whole")
    (root / f"{damaged.digest}.txt").write_bytes(b"damaged, changed on disk")
    kept = (root / f"{whole.digest}.txt").stat()
    with ReceivedFiles() as files:
        files.place(whole, root / f"{whole.digest}.txt")
        files.place(damaged, root / f"{damaged.digest}.txt")
        files.make_durable()
    assert os.path.samestat((root / f"{whole.digest}.txt").stat(), kept)
    assert (root / f"{damaged.digest}.txt").read_bytes() == b"damaged"
    assert files.placed == [root / f"{damaged.digest}.txt"]


def test_every_placed_file_and_its_folder_are_synced_before_make_durable_returns(
    tmp_path, monkeypatch
):
    synced: list[Path] = []
    real = received_module._fsync  # noqa: SLF001

    def recording(path: Path) -> None:
        real(path)
        synced.append(Path(path))

    monkeypatch.setattr(received_module, "_fsync", recording)
    targets = []
    with ReceivedFiles() as files:
        for n in range(10):
            file = carried(tmp_path / "work", f"file {n}".encode())
            targets.append(files.place(file, tmp_path / "received" / f"{file.digest}.txt"))
        files.make_durable()
        assert sorted(synced) == sorted([*targets, tmp_path / "received"])


def test_a_failed_sync_fails_the_import_step(tmp_path, monkeypatch):
    def failing(path: Path) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(received_module, "_fsync", failing)
    file = carried(tmp_path / "work", b"x")
    with ReceivedFiles() as files, pytest.raises(OSError):
        files.place(file, tmp_path / "received" / f"{file.digest}.txt")
        files.make_durable()


def test_an_import_links_its_documents_and_syncs_them_once_each(pair, tmp_path, monkeypatch):
    county, point = pair
    collected(point, 35)
    collected(point, 35, n=1)
    path = export(point, tmp_path / "usb").path
    synced: list[Path] = []
    real = received_module._fsync  # noqa: SLF001

    def recording(where: Path) -> None:
        real(where)
        synced.append(Path(where))

    monkeypatch.setattr(received_module, "_fsync", recording)
    report = county.import_bundle(path)
    assert report.status == "imported", report.message
    root = county.documents.root / "received" / "LS01"
    stored = sorted(root.iterdir())
    assert stored
    assert sorted(synced) == sorted([*stored, root])
    for file in stored:
        assert file.stat().st_mode & 0o777 == 0o600
        assert file.name.startswith(hashlib.sha256(file.read_bytes()).hexdigest())
