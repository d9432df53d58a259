"""A damaged, foreign or unreachable database stops the command with a Chinese message and
leaves the file exactly as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from clerk.cli import main
from clerk.db import Store
from clerk.storage.sqlite.schema import LATEST

JUNK = b"this is not a database, just bytes someone saved under the wrong name" * 20


def test_app_refuses_a_file_that_is_not_a_database(tmp_path: Path, capsys) -> None:
    db = tmp_path / "clerk.db"
    db.write_bytes(JUNK)
    assert main(["--db", str(db)]) == 2
    assert capsys.readouterr().err == (
        f"数据库 {db} 不是 clerk 数据库或已损坏（file is not a database），已停止，文件未作任何改动。"
        "请先确认 --db 指定的文件没错；确认是本机的数据库后，联系信息管理员换用 clerk backup 做的最近一份备份。\n"
    )
    assert db.read_bytes() == JUNK


def test_report_refuses_a_file_that_is_not_a_database(tmp_path: Path, capsys) -> None:
    db = tmp_path / "clerk.db"
    db.write_bytes(JUNK)
    assert main(["report", "--db", str(db), "--date", "2026-11-02"]) == 2
    assert "不是 clerk 数据库或已损坏（file is not a database）" in capsys.readouterr().err
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


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        ("disk I/O error", "磁盘读写出错"),
        ("database or disk is full", "磁盘空间不足"),
        ("unable to open database file", "没有权限读取"),
        ("attempt to write a readonly database", "没有权限读取"),
    ],
)
def test_verify_on_a_failing_disk_never_advises_restoring_a_backup(
    tmp_path, monkeypatch, raised: str, expected: str
) -> None:
    """With a few KB free, or on a read-only folder, SQLite fails with an I/O or permission error:
    the file is not damaged, and restoring a backup on that advice would lose the day's work."""
    import sqlite3

    from clerk.db import Store
    from clerk.storage.sqlite import chain_walk, files

    path = tmp_path / "clerk.db"
    Store.open(path).close()

    def failing(*args, **kwargs):
        raise sqlite3.OperationalError(raised)

    # a read the proof makes through the port: the adapter hands the error on as a neutral one
    monkeypatch.setattr(chain_walk, "origins", failing)
    report = files.verify_file(path)
    assert not report.ok
    assert expected in report.problem
    assert "不要从备份恢复" in report.problem


def test_verify_of_a_file_that_is_not_a_database_says_so(tmp_path) -> None:
    from clerk.storage.sqlite import files

    path = tmp_path / "clerk.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    report = files.verify_file(path)
    assert not report.ok
    assert "不是有效的 clerk 数据库或已损坏" in report.problem


def _other_programs_file(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('someone else''s data')")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    "command",
    [
        ["user", "list"],
        ["user", "add", "--login", "li", "--name", "李经办", "--role", "clerk"],
        ["point", "list"],
        ["keys", "list"],
        ["report", "--date", "2026-11-02"],
        ["export", "--out", "OUT"],
    ],
)
def test_a_file_of_another_program_is_never_changed(tmp_path: Path, capsys, command) -> None:
    db = tmp_path / "other_app.db"
    before = _other_programs_file(db)
    args = [a.replace("OUT", str(tmp_path)) for a in command]
    assert main([*args, "--db", str(db)]) != 0
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other_app.db"]
    assert "不是 clerk 数据库" in capsys.readouterr().err


def test_verify_says_a_file_of_another_program_is_not_a_clerk_database(tmp_path: Path) -> None:
    from clerk.storage.sqlite.files import verify_file

    db = tmp_path / "other_app.db"
    before = _other_programs_file(db)
    report = verify_file(db)
    assert report.problem == (
        f"{db} 不是 clerk 数据库（里面有其他程序的 1 个数据表或索引），请检查 --db 指定的文件。"
    )
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    "command",
    [["user", "list"], ["user", "passwd", "--login", "admin"], ["keys", "list"], ["point", "list"]],
)
def test_a_command_that_only_reads_never_creates_a_database(
    tmp_path: Path, capsys, command
) -> None:
    db = tmp_path / "typo.db"
    main([*command, "--db", str(db)])
    assert not db.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_missing_database_is_named_and_nothing_is_created(tmp_path: Path, capsys) -> None:
    db = tmp_path / "typo.db"
    assert main(["user", "list", "--db", str(db)]) == 2
    assert capsys.readouterr().err == (
        f"找不到数据库文件 {db}，未新建任何文件。请用 --db 指定本机数据库的位置"
        "（首次使用请先运行 make run 或 clerk 完成设置）。\n"
    )
