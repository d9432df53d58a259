"""`clerk backup`: a consistent, verified copy even while another process writes."""

from __future__ import annotations

import os
import signal

import pytest
from support.tamper import tamper_sql
from test_storage_crash import _assert_every_case_is_whole, _wait_for, _writer
from test_storage_support import case_row, event, open_store, write_one

from clerk.cli import main


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "clerk.db"
    store = open_store(path)
    for n in range(1, 4):
        write_one(store, 1, n)
    store.close()
    return path


def test_backup_copies_and_verifies(db, tmp_path, capsys):
    out = tmp_path / "backup.db"
    assert main(["backup", "--db", str(db), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"已备份到 {out}\n")
    assert _assert_every_case_is_whole(out) == 3


def test_backup_is_a_single_self_contained_file(db, tmp_path):
    out = tmp_path / "backup.db"
    main(["backup", "--db", str(db), "--out", str(out)])
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("backup")) == [
        "backup.db"
    ]


def test_existing_output_is_never_overwritten(db, tmp_path, capsys):
    out = tmp_path / "backup.db"
    out.write_bytes(b"older backup")
    assert main(["backup", "--db", str(db), "--out", str(out)]) == 1
    assert "已存在" in capsys.readouterr().err
    assert out.read_bytes() == b"older backup"


def test_missing_source(tmp_path, capsys):
    assert main(["backup", "--db", str(tmp_path / "nope.db"), "--out", str(tmp_path / "b.db")]) == 1
    assert "找不到数据库文件" in capsys.readouterr().err
    assert not (tmp_path / "b.db").exists()


def test_backup_of_a_broken_chain_reports_failure(tmp_path, capsys):
    path = tmp_path / "clerk.db"
    store = open_store(path)
    store.insert_case(case_row(1))
    store.append_event(event(case_row(1).uuid), "YZ01")
    tamper_sql(store, "DROP TRIGGER events_no_update")
    tamper_sql(store, "UPDATE events SET actor = 'mallory'")
    store.close()
    assert main(["backup", "--db", str(path), "--out", str(tmp_path / "b.db")]) == 1
    assert "哈希链在第 1 条断开" in capsys.readouterr().out


def test_store_backup_method(db, tmp_path):
    store = open_store(db)
    result = store.backup(tmp_path / "b.db")
    store.close()
    assert (result["ok"], result["events"]) == (True, 6)


def test_backup_of_a_verified_file_checks_the_copy_quickly_from_its_last_verify(db, tmp_path):
    from clerk.storage.sqlite.files import backup_file, verify_file

    assert verify_file(db, full=True)["ok"] is True  # remembered: the copy starts from here
    result = backup_file(db, tmp_path / "b.db")
    assert (result["ok"], result["mode"], result["integrity"]) == (True, "incremental", "ok")


def test_backup_of_a_never_verified_file_checks_the_copy_in_full(db, tmp_path):
    from clerk.storage.sqlite.files import backup_file

    result = backup_file(db, tmp_path / "b.db")
    assert (result["ok"], result["mode"], result["integrity"]) == (True, "full", "ok")


@pytest.mark.slow
def test_backup_while_another_process_writes(db, tmp_path):
    ready = tmp_path / "ready"
    writer = _writer(db, 2, 0, "--ready", str(ready))
    try:
        _wait_for(ready, writer)
        for i in range(3):
            out = tmp_path / f"live{i}.db"
            assert main(["backup", "--db", str(db), "--out", str(out)]) == 0
            assert _assert_every_case_is_whole(out) >= 3
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.communicate()
    assert writer.returncode == -signal.SIGKILL  # it was still writing when the copies were taken


def test_backup_into_a_folder_names_the_file_by_date(db, tmp_path, capsys):
    folder = tmp_path / "backups"
    folder.mkdir()
    assert main(["backup", "--db", str(db), "--out", str(folder)]) == 0
    made = [p.name for p in folder.iterdir()]
    assert len(made) == 1 and made[0].startswith("clerk-backup-") and made[0].endswith(".db")
    assert _assert_every_case_is_whole(folder / made[0]) == 3


def test_backup_with_documents_copies_the_documents_beside_it(db, tmp_path, capsys):
    docs = tmp_path / "documents" / "2025" / "03"
    docs.mkdir(parents=True)
    (docs / "YZ05-2025-SL-0001.pdf").write_bytes(b"%PDF")
    (docs / "YZ05-2025-SL-0001.txt").write_text("受理通知书")
    (docs / ".tmp-x.part").write_bytes(b"half")
    out = tmp_path / "backup.db"
    args = [
        "backup",
        "--db",
        str(db),
        "--out",
        str(out),
        "--with-documents",
        "--documents",
        str(tmp_path / "documents"),
    ]
    assert main(args) == 0
    copied = tmp_path / "backup-documents" / "2025" / "03"
    assert sorted(p.name for p in copied.iterdir()) == [
        "YZ05-2025-SL-0001.pdf",
        "YZ05-2025-SL-0001.txt",
    ]
    assert "文书已备份到" in capsys.readouterr().out


def test_backup_tells_its_progress_on_stderr(db, tmp_path, capsys):
    out = tmp_path / "copy.db"
    assert main(["backup", "--db", str(db), "--out", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    copied = [line for line in err if line.startswith("复制数据库：")]
    assert copied and copied[-1].endswith("（100%）"), err
    assert err[-1] == "核验副本……"
    assert out.is_file()


def _issued(tmp_path):
    """A file whose two decisions' documents live in tmp_path/documents, not the default folder."""
    from support.app import open_case, ready

    window, admin = ready(tmp_path / "live")
    for _ in range(2):
        window.refuse(admin, open_case(window, admin).uuid, "申请人不具备该事项的申请资格")
    window.store.close()
    return tmp_path / "live" / "clerk.db", tmp_path / "live" / "documents"


def test_backup_with_documents_copies_the_folder_the_record_names(tmp_path, capsys):
    db, documents = _issued(tmp_path)
    out = tmp_path / "backup.db"
    assert main(["backup", "--db", str(db), "--out", str(out), "--with-documents"]) == 0
    text = capsys.readouterr().out
    copied = tmp_path / "backup-documents"
    assert sorted(p.relative_to(copied) for p in copied.rglob("*.pdf")) == sorted(
        p.relative_to(documents) for p in documents.rglob("*.pdf")
    )
    assert f"文书已备份到 {copied}（4 个文件，取自 {documents}）" in text
    assert "文书核对：2 份" in text and text.endswith("结论：检查通过。\n")


def test_backup_missing_recorded_documents_does_not_pass(tmp_path, capsys):
    db, documents = _issued(tmp_path)
    lost = sorted(documents.rglob("*.pdf"))[0]
    lost.unlink()
    out = tmp_path / "backup.db"
    assert main(["backup", "--db", str(db), "--out", str(out), "--with-documents"]) == 1
    text = capsys.readouterr().out
    assert "检查通过" not in text
    assert (
        f"备份的文书不全：数据库登记的 1 个文书文件不在 {documents} 中，未能复制（如 {lost}）"
        in text
    )


def test_backup_json_keeps_the_verified_document_count_apart_from_the_folder(tmp_path, capsys):
    import json

    db, documents = _issued(tmp_path)
    out = tmp_path / "backup.db"
    args = ["backup", "--db", str(db), "--out", str(out), "--with-documents", "--json"]
    assert main(args) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["documents"], shown["document_files"], shown["documents_missing"]) == (2, 4, 0)
    assert shown["documents_folder"] == str(tmp_path / "backup-documents")
