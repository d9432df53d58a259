"""A damaged, foreign or unreachable database stops the command with a Chinese message and
leaves the file exactly as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from clerk.cli import main
from clerk.db import Store
from clerk.storage.sqlite.schema import LATEST

JUNK = b"this is not a database, just bytes someone saved under the wrong name" * 20


def test_app_refuses_a_file_that_is_not_a_database(tmp_path: Path, capsys) -> None:
    db = tmp_path / "clerk.db"
    db.write_bytes(JUNK)
    assert main(["--db", str(db)]) == 2
    assert capsys.readouterr().err == (
        f"数据库 {db} 打不开（file is not a database），已停止，文件未作任何改动。"
        "如果文件已损坏，请联系信息管理员用 clerk verify 检查，并换用 clerk backup 做的最近一份备份。\n"
    )
    assert db.read_bytes() == JUNK


def test_report_refuses_a_file_that_is_not_a_database(tmp_path: Path, capsys) -> None:
    db = tmp_path / "clerk.db"
    db.write_bytes(JUNK)
    assert main(["report", "--db", str(db), "--date", "2026-11-02"]) == 2
    assert "打不开（file is not a database）" in capsys.readouterr().err
    assert db.read_bytes() == JUNK


def test_app_refuses_a_database_from_a_newer_clerk(tmp_path: Path, capsys) -> None:
    db = tmp_path / "clerk.db"
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    assert main(["--db", str(db)]) == 2
    assert capsys.readouterr().err == (
        f"已停止：数据库版本为 {LATEST + 1}，高于本程序支持的 {LATEST}，请升级 clerk 后再打开。\n"
    )


def test_verify_names_a_damaged_file_without_a_broken_link(tmp_path: Path, capsys) -> None:
    db = tmp_path / "clerk.db"
    db.write_bytes(JUNK)
    assert main(["verify", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "不是有效的 clerk 数据库或已损坏" in out
    assert "哈希链" not in out and "None" not in out


def test_an_unreachable_folder_is_not_called_a_damaged_file(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    assert main(["--db", str(blocker / "clerk.db")]) == 2
    err = capsys.readouterr().err
    assert "没有权限读写数据库" in err
    assert "不要从备份恢复" in err
    assert "损坏，请联系" not in err


def test_a_full_disk_is_not_called_a_damaged_file() -> None:
    from clerk.service.open_errors import open_problem

    message = open_problem(sqlite3.OperationalError("database or disk is full"), "clerk.db")
    assert message.startswith("磁盘空间已满，数据库 clerk.db 无法打开写入")
    assert "不要从备份恢复" in message
