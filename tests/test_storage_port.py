"""The storage port: neutral errors classified in one place, typed records decoded in storage,
and the CLI making accounts through the same service rules as the app."""

from __future__ import annotations

import io
import sqlite3
from datetime import date, datetime
from pathlib import Path
from unittest.mock import ANY

import pytest
from support.app import PASSWORD, complete_checks, open_case, ready

from clerk.cli import main
from clerk.db import Store
from clerk.domain.clock import TZ
from clerk.domain.model import Action, CaseState
from clerk.ports import errors
from clerk.service.write_errors import storage_problem
from clerk.storage.sqlite.errors import translate


@pytest.mark.parametrize(
    ("raised", "neutral"),
    [
        (sqlite3.OperationalError("database or disk is full"), errors.DiskFullError),
        (sqlite3.OperationalError("database is locked"), errors.BusyError),
        (sqlite3.OperationalError("attempt to write a readonly database"), errors.ReadOnlyError),
        (sqlite3.DatabaseError("file is not a database"), errors.DamagedError),
        (sqlite3.DatabaseError("database disk image is malformed"), errors.DamagedError),
        (sqlite3.IntegrityError("UNIQUE constraint failed: cases.case_no"), errors.ConstraintError),
        (sqlite3.OperationalError("no such table: nothing"), errors.StorageError),
        # a disk with a few KB left, a removed stick, a folder that cannot be written: not damage
        (sqlite3.OperationalError("disk I/O error"), errors.DiskError),
        (sqlite3.OperationalError("unable to open database file"), errors.ReadOnlyError),
        (sqlite3.DatabaseError("some other database error"), errors.StorageError),
    ],
)
def test_a_sqlite_error_becomes_one_neutral_error(raised, neutral) -> None:
    translated = translate(raised)
    assert type(translated) is neutral
    assert str(translated) == str(raised)


def test_the_store_raises_neutral_errors_from_a_transaction(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "clerk.db")
    with pytest.raises(errors.DiskFullError):
        with store.transaction():
            raise sqlite3.OperationalError("database or disk is full")


def test_opening_a_damaged_file_raises_damaged(tmp_path: Path) -> None:
    path = tmp_path / "clerk.db"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(errors.DamagedError, match="file is not a database"):
        Store.open(path)


def test_write_errors_speak_chinese_for_neutral_errors() -> None:
    assert storage_problem(errors.BusyError("locked")) == (
        "数据库正被其他程序占用，本次操作没有保存，之前的记录完好。请稍候重试；如一直这样，请关闭其他打开该数据库的程序。"
    )
    assert storage_problem(errors.ReadOnlyError("readonly")) == (
        "数据库文件是只读的，本次操作没有保存，之前的记录完好。请联系信息管理员检查数据目录的权限。"
    )
    assert storage_problem(ValueError("not the store's")) is None


def test_records_come_back_typed(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = window.accept(admin, open_case(window, admin, complete=True).uuid)
    case = window.store.get_case(view.uuid)
    assert case is not None
    assert (case.state, case.due_date, case.due_provisional, case.accepted_by) == (
        CaseState.ACCEPTED,
        view.deadline.due,
        False,
        "admin",
    )
    assert isinstance(case.accepted_at, datetime) and case.accepted_at.tzinfo is not None
    events = window.store.case_events(view.uuid)
    assert [e.action for e in events] == [Action.RECEIVE, Action.CHECK, Action.ACCEPT]
    [document] = window.store.documents_for(view.uuid)
    assert events[-1].data["documents"] == [  # the document the acceptance issued, proven
        {"kind": "acceptance", "no": document.doc_no, "pdf": document.sha256, "txt": ANY}
    ]
    assert {k: v for k, v in events[-1].data.items() if k != "documents"} == {
        "due": view.deadline.due.isoformat(),
        "due_start": "2025-03-12",
        "provisional": False,
    }
    [document] = window.store.documents_for(view.uuid)
    assert (document.kind, document.issued_by, len(document.sha256)) == ("acceptance", "admin", 64)
    checks = window.store.material_checks(view.uuid)
    assert {c.material_id for c in checks} == set(complete_checks(window, 31))


def test_a_case_record_takes_stored_form_changes(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    case = window.store.get_case(open_case(window, admin).uuid)
    assert case is not None
    changed = case.with_changes(
        {
            "state": "accepted",
            "due_date": "2025-04-09",
            "due_provisional": 1,
            "accepted_at": "2025-03-12T09:30:00+08:00",
        }
    )
    assert (changed.state, changed.due_date, changed.due_provisional, changed.accepted_at) == (
        CaseState.ACCEPTED,
        date(2025, 4, 9),
        True,
        datetime(2025, 3, 12, 9, 30, tzinfo=TZ),
    )
    assert changed.uuid == case.uuid and case.state == CaseState.DRAFT


def test_the_cli_refuses_an_account_at_an_unknown_point_with_the_services_rule(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    window, _ = ready(tmp_path)
    window.store.close()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert (
        main(
            [
                "user",
                "add",
                "--db",
                str(tmp_path / "clerk.db"),
                "--login",
                "wang",
                "--name",
                "王芳",
                "--role",
                "clerk",
                "--point",
                "ZZ99",
                "--password-stdin",
            ]
        )
        == 1
    )
    assert capsys.readouterr().err == (
        "未能新增用户：没有编码为 ZZ99 的经办机构或服务点，请检查编码（clerk point list 可查看）。\n"
    )


def test_an_account_made_from_the_cli_signs_in_at_the_window(tmp_path: Path, monkeypatch) -> None:
    window, _ = ready(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("clerk-password\n"))
    assert (
        main(
            [
                "user",
                "add",
                "--db",
                str(tmp_path / "clerk.db"),
                "--login",
                "wang",
                "--name",
                "王芳",
                "--role",
                "clerk",
                "--password-stdin",
            ]
        )
        == 0
    )
    wang = window.login("wang", "clerk-password")
    assert (wang.role, wang.point_code, wang.active) == ("clerk", "YZ05", True)


def test_only_a_damaged_file_is_told_to_restore_a_backup() -> None:
    from clerk.service.open_errors import open_problem

    for exc in [
        errors.DiskError("disk I/O error"),
        errors.DiskFullError("database or disk is full"),
        errors.ReadOnlyError("unable to open database file"),
        errors.BusyError("database is locked"),
        errors.StorageError("no such table: x"),
    ]:
        assert "备份" not in open_problem(exc, "clerk.db") or "不要从备份恢复" in open_problem(
            exc, "clerk.db"
        ), exc
        message = storage_problem(exc)
        assert message is not None
        assert "从备份恢复" not in message or "不要从备份恢复" in message, exc
    assert "最近一份备份" in open_problem(errors.DamagedError("file is not a database"), "clerk.db")
    assert "最近一份备份" in (storage_problem(errors.DamagedError("malformed")) or "")


def test_a_disk_error_says_the_file_is_not_damaged() -> None:
    from clerk.service.open_errors import open_problem

    assert open_problem(errors.DiskError("disk I/O error"), "clerk.db") == (
        "读写数据库 clerk.db 时磁盘出错（可能磁盘空间将满，或 U 盘、网络盘被拔出），已停止，文件未作任何改动。"
        "请检查磁盘空间和连接后重试；数据库本身未见损坏，不要从备份恢复。"
    )
