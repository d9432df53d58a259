"""Files readable by their owner only; start-up removes stale temporaries and sets aside
documents no record names."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from support.app import open_case, ready

from clerk.documents.tidy import STALE_SECONDS, sweep_documents
from clerk.service.ledger_export import write_csv

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Unix file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():  # type: ignore[no-untyped-def]
    """The umask a default desktop session has (022): files would be world-readable."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_database_and_its_wal_are_owner_only(tmp_path: Path, loose_umask) -> None:
    window, _ = ready(tmp_path)
    db = tmp_path / "clerk.db"
    assert mode(db) == 0o600
    assert mode(Path(f"{db}-wal")) == 0o600
    assert mode(Path(f"{db}-shm")) == 0o600


def test_an_existing_world_readable_database_is_tightened_on_open(
    tmp_path: Path, loose_umask
) -> None:
    from clerk.db import Store

    Store.open(tmp_path / "old.db").close()
    (tmp_path / "old.db").chmod(0o644)
    Store.open(tmp_path / "old.db").close()
    assert mode(tmp_path / "old.db") == 0o600


def test_documents_and_their_folders_are_owner_only(tmp_path: Path, loose_umask) -> None:
    window, admin = ready(tmp_path)
    view = window.refuse(admin, open_case(window, admin).uuid, "申请人不具备该事项的申请资格")
    pdf = Path(view.documents[0].path_pdf)
    assert mode(pdf) == 0o600
    assert mode(pdf.parent) == 0o700


def test_a_backup_is_owner_only(tmp_path: Path, loose_umask) -> None:
    window, _ = ready(tmp_path)
    window.store.backup(tmp_path / "backup.db")
    assert mode(tmp_path / "backup.db") == 0o600


def test_an_exported_ledger_is_owner_only(tmp_path: Path, loose_umask) -> None:
    window, _ = ready(tmp_path)
    out = write_csv(window.daily_ledger(window.today()), tmp_path / "ledger.csv")
    assert mode(out) == 0o600


def test_the_full_sweep_removes_a_stale_part_file_and_keeps_a_fresh_one(tmp_path: Path) -> None:
    folder = tmp_path / "2025" / "03"
    folder.mkdir(parents=True)
    stale, fresh = folder / ".tmp-a.part", folder / ".tmp-b.part"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    old = time.time() - STALE_SECONDS - 1
    os.utime(stale, (old, old))
    tidied = sweep_documents(tmp_path, lambda p: False)
    assert tidied.removed == [stale]
    assert not stale.exists() and fresh.exists()


def test_the_full_sweep_sets_aside_an_unrecorded_document(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = window.refuse(admin, open_case(window, admin).uuid, "申请人不具备该事项的申请资格")
    recorded = Path(view.documents[0].path_pdf)
    orphan = recorded.with_name("YZ05-2025-BY-9999.pdf")
    orphan.write_bytes(b"%PDF never recorded")
    old = time.time() - STALE_SECONDS - 1
    for p in (recorded, orphan):
        os.utime(p, (old, old))
    sweep_documents(tmp_path / "documents", window.store.document_at)
    assert recorded.exists()
    assert not orphan.exists()
    assert orphan.with_name("YZ05-2025-BY-9999.unrecorded-1.pdf").exists()
