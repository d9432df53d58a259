"""Issue 23, item 9 (sync part): two imports of one bundle at once, a full disk during an import,
`clerk export` on a file never set up — each a Chinese message, nothing doubled, no traceback."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from support.sync import collected, export, snapshot

from clerk.cli import main
from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.offices import default_offices
from clerk.service.window import Window
from clerk.sync.exchange import report_text

PREFIX = "未导入，本机未作任何改动："


def second_window(county: Window) -> Window:
    """Another window on the county's database (a second counter, or the server)."""
    return Window(
        Store.open(county.store.sync_store().database_path(), clock=county.clock),
        default_catalog(),
        default_offices(),
        clock=county.clock,
        documents_root=county.store.sync_store().database_path().parent / "documents",
    )


def test_the_loser_of_two_imports_of_one_bundle_gets_the_duplicate_report(
    pair, tmp_path, monkeypatch
):
    county, point = pair
    uuid = collected(point, 35)
    path = export(point, tmp_path / "usb").path
    other = second_window(county)
    from clerk.storage.sqlite.sync import SQLiteSyncStore

    real_heads = SQLiteSyncStore.heads
    first: list = []

    def heads_then_lose_the_race(self):  # between the first duplicate check and the write
        if self.store is county.store and not first:
            first.append(other.import_bundle(path))  # the other window imports it meanwhile
        return real_heads(self)

    monkeypatch.setattr(SQLiteSyncStore, "heads", heads_then_lose_the_race)
    report = county.import_bundle(path)
    assert first[0].status == "imported"
    after_winner = snapshot(county)
    assert (report.status, report.duplicates) == ("duplicate", 1)
    assert report_text(report) == "LS01 的第 1 号包已经导入过，本次未作任何改动。"
    assert snapshot(county) == after_winner
    assert county.store.get_case(uuid) is not None
    assert [d.path_pdf for d in county.store.documents_for(uuid)] == [
        d.path_pdf for d in other.store.documents_for(uuid)
    ]
    assert all(Path(d.path_pdf).exists() for d in county.store.documents_for(uuid))
    other.store.close()


def test_a_full_disk_during_the_import_is_said_once_in_chinese(pair, tmp_path, monkeypatch):
    from clerk.storage.sqlite import sync as storage_sync

    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    monkeypatch.setattr(
        storage_sync.SQLiteSyncStore,
        "record_bundle",
        lambda *a, **k: (_ for _ in ()).throw(sqlite3.OperationalError("database or disk is full")),
    )
    report = county.import_bundle(path)
    assert report_text(report) == (
        PREFIX + "磁盘空间已满，记录没有写入。请清理磁盘空间后重新导入同一个包。"
    )


def test_a_document_not_written_on_a_full_disk_is_said_in_chinese(pair, tmp_path, monkeypatch):
    from clerk.sync import received

    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(received, "_put", full)  # where a document file is stored
    text = report_text(county.import_bundle(path))
    assert text == (
        PREFIX + "收到的文书文件没有写成（磁盘空间已满）。请清理磁盘空间后重新导入同一个包。"
    )


def test_export_on_a_file_never_set_up_says_what_to_do(tmp_path, capsys):
    Store.open(tmp_path / "new.db").close()
    (tmp_path / "usb").mkdir()
    args = ["export", "--db", str(tmp_path / "new.db"), "--out", str(tmp_path / "usb")]
    assert main(args) == 1
    assert capsys.readouterr().err == (
        "未完成：本机尚未设置所属经办机构或服务点，请先启动 clerk 完成初始设置。\n"
    )


def _import_in_child(db: str, documents: str, path: str, start, results) -> None:
    from support.clock import MONDAY, Clock

    clock = Clock(MONDAY)
    window = Window(
        Store.open(db, clock=clock),
        default_catalog(),
        default_offices(),
        clock=clock,
        documents_root=Path(documents),
    )
    start.wait(30)
    report = window.import_bundle(Path(path))
    results.put((report.status, report.message))
    window.store.close()


def test_two_processes_importing_one_bundle_at_once_store_it_once(pair, tmp_path):
    import multiprocessing

    county, point = pair
    uuid = collected(point, 35)
    path = export(point, tmp_path / "usb").path
    db = county.store.sync_store().database_path()
    before = len(county.store.events_for(uuid)) if county.store.get_case(uuid) else 0
    county.store.close()
    ctx = multiprocessing.get_context("fork")
    start, results = ctx.Barrier(2), ctx.Queue()
    args = (str(db), str(db.parent / "documents"), str(path), start, results)
    children = [ctx.Process(target=_import_in_child, args=args) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
    outcomes = sorted(results.get(timeout=10) for _ in children)
    assert [status for status, _ in outcomes] == ["duplicate", "imported"]
    assert outcomes[0][1] == "LS01 的第 1 号包已经导入过，本次未作任何改动。"
    again = Store.open(db)
    assert before == 0 and len(again.events_for(uuid)) == len(point.store.events_for(uuid))
    again.close()
