"""`clerk verify`: exit status, Chinese report, JSON, and a tampered copy named by its broken seq."""

from __future__ import annotations

import json
import sqlite3

import pytest
from test_storage_support import case_row, event, open_store

from clerk.cli import main
from clerk.domain.model import Action

UUID = case_row(1).uuid


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "clerk.db"
    store = open_store(path)
    store.insert_case(case_row(1))
    for action in (Action.RECEIVE, Action.PRINT, Action.REVEAL):
        store.append_event(event(UUID, action), "YZ01")
    store.close()
    return path


def _tampered_copy(db, tmp_path, sql="UPDATE events SET actor = 'mallory' WHERE seq = 2"):
    copy = tmp_path / "tampered.db"
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute(sql)
    conn.close()
    return copy


def test_intact_database_passes(db, capsys):
    assert main(["verify", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        f"数据库：{db}\n核验方式：完整核验\n  首次核验，已做完整核验\n文件结构：正常\n"
    )
    assert "事件记录（来源 YZ01）：共 3 条，本次核验 3 条，哈希链完整" in out
    assert out.endswith("办件核对：1 件；文书核对：0 份；链头检查点：0 个\n结论：检查通过。\n")


def test_second_verify_is_incremental_from_the_first(db, capsys):
    assert main(["verify", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["verify", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "核验方式：增量核验（自上次核验以来）" in out
    assert "文件结构：本次未检查（完整核验请加 --full）" in out
    assert "事件记录（来源 YZ01）：共 3 条，本次核验 0 条，哈希链完整" in out
    assert "办件核对：0 件" in out


def test_full_option_checks_everything_again(db, capsys):
    assert main(["verify", "--db", str(db)]) == 0
    assert main(["verify", "--db", str(db), "--full"]) == 0
    out = capsys.readouterr().out.split("数据库：")[-1]
    assert "核验方式：完整核验" in out and "本次核验 3 条" in out


def test_intact_database_as_json(db, capsys):
    assert main(["verify", "--db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {
        k: report[k] for k in ("ok", "integrity", "chain_ok", "events", "first_broken", "problem")
    } == {
        "ok": True,
        "integrity": "ok",
        "chain_ok": True,
        "events": 3,
        "first_broken": None,
        "problem": None,
    }


def test_tampered_copy_fails_naming_the_first_broken_event(db, tmp_path, capsys):
    copy = _tampered_copy(db, tmp_path)
    assert main(["verify", "--db", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "事件记录（来源 YZ01）：哈希链在第 2 条断开" in out
    assert "  - 来源 YZ01 的第 2 条事件记录的内容与其哈希值不符，记录可能被篡改。" in out
    assert "  - 保护记录的触发器缺失（events_no_update）：有人绕过程序改动了数据库。" in out


def test_tampered_copy_as_json(db, tmp_path, capsys):
    copy = _tampered_copy(db, tmp_path, 'UPDATE events SET data = \'{"field":"x"}\' WHERE seq = 3')
    assert main(["verify", "--db", str(copy), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["ok"], report["chain_ok"], report["first_broken"]) == (False, False, 3)


def test_verify_does_not_modify_the_file(db, tmp_path):
    copy = _tampered_copy(db, tmp_path)
    before = copy.read_bytes()
    main(["verify", "--db", str(copy)])
    assert copy.read_bytes() == before


def test_missing_file(tmp_path, capsys):
    assert main(["verify", "--db", str(tmp_path / "nope.db")]) == 1
    assert "找不到数据库文件" in capsys.readouterr().out


def test_file_that_is_not_a_database(tmp_path, capsys):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    assert main(["verify", "--db", str(junk)]) == 1
    assert "不是有效的 clerk 数据库或已损坏" in capsys.readouterr().out


def test_corrupted_page_fails_the_integrity_check(db, tmp_path, capsys):
    copy = tmp_path / "corrupt.db"
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    conn = sqlite3.connect(copy)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    # the events table's root page: it holds cells (the last page may belong to an empty table)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    conn.close()
    data = bytearray(copy.read_bytes())
    last = (root - 1) * page_size  # scribble over that page's cells
    data[last + 8 : last + page_size] = b"\xff" * (page_size - 8)
    copy.write_bytes(bytes(data))
    assert main(["verify", "--db", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "结论：检查未通过" in out
    assert "数据库文件结构检查未通过（PRAGMA integrity_check）" in out


def test_global_db_option_is_honoured(db, capsys):
    assert main(["--db", str(db), "verify"]) == 0


def test_a_full_verify_tells_its_progress_on_stderr(db, capsys):
    assert main(["verify", "--db", str(db), "--full"]) == 0
    captured = capsys.readouterr()
    assert "核验事件记录：3 / 3（100%）" in captured.err.splitlines()
    assert any(
        line.startswith("核对办件：") and line.endswith("（100%）")
        for line in captured.err.splitlines()
    )
    assert "%）" not in captured.out  # stdout holds the report only


def test_an_incremental_verify_shows_no_progress(db, capsys):
    assert main(["verify", "--db", str(db), "--full"]) == 0
    capsys.readouterr()
    assert main(["verify", "--db", str(db)]) == 0
    assert capsys.readouterr().err == ""
