"""`clerk user add|list|passwd` on a database file."""

from __future__ import annotations

import io
import json

import pytest

from clerk.cli import main
from clerk.db import Store


def _add(db, *extra, password="admin-password\n", monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(password))
    return main(
        [
            "user",
            "add",
            "--db",
            str(db),
            "--login",
            "admin",
            "--name",
            "管理员",
            "--role",
            "admin",
            "--password-stdin",
            *extra,
        ]
    )


@pytest.fixture
def db(tmp_path):
    return tmp_path / "clerk.db"


def test_first_administrator_also_sets_the_point(db, monkeypatch, capsys):
    assert _add(db, "--point", "YZ01", monkeypatch=monkeypatch) == 0
    assert (
        capsys.readouterr().out
        == "已新增用户 admin（管理员，系统管理员，YZ01）。首次登录时须修改密码。\n本机所属经办机构或服务点已设为 YZ01。\n"
    )
    store = Store.open(db)
    assert store.get_setting("point_code") == "YZ01"
    assert store.authenticate("admin", "admin-password").role == "admin"


def test_later_users_default_to_the_configured_point(db, monkeypatch, capsys):
    _add(db, "--point", "YZ01", monkeypatch=monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO("clerk-password\n"))
    assert (
        main(
            [
                "user",
                "add",
                "--db",
                str(db),
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
    assert Store.open(db).user("wang").point_code == "YZ01"


def test_point_is_required_on_a_fresh_database(db, monkeypatch, capsys):
    assert _add(db, monkeypatch=monkeypatch) == 1
    assert "请用 --point 指定编码" in capsys.readouterr().err


def test_unknown_point_is_refused(db, monkeypatch, capsys):
    assert _add(db, "--point", "ZZ99", monkeypatch=monkeypatch) == 1
    assert "没有编码为 ZZ99" in capsys.readouterr().err


def test_short_password_is_refused_in_chinese(db, monkeypatch, capsys):
    assert _add(db, "--point", "YZ01", password="short\n", monkeypatch=monkeypatch) == 1
    assert capsys.readouterr().err == "未能新增用户：密码至少需要 8 个字符，请重新设置。\n"
    assert Store.open(db).has_users() is False
    assert Store.open(db).get_setting("point_code") is None


def test_password_prompt_must_match(db, monkeypatch, capsys):
    answers = iter(["first-password", "other-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert (
        main(
            [
                "user",
                "add",
                "--db",
                str(db),
                "--login",
                "admin",
                "--name",
                "管理员",
                "--role",
                "admin",
                "--point",
                "YZ01",
            ]
        )
        == 1
    )
    assert "两次输入的密码不一致" in capsys.readouterr().err


def test_list_as_json(db, monkeypatch, capsys):
    _add(db, "--point", "YZ01", monkeypatch=monkeypatch)
    capsys.readouterr()
    assert main(["user", "list", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {
            "login": "admin",
            "name": "管理员",
            "role": "admin",
            "point_code": "YZ01",
            "active": True,
            "locked": False,
        }
    ]


def test_list_as_text(db, monkeypatch, capsys):
    _add(db, "--point", "YZ01", monkeypatch=monkeypatch)
    capsys.readouterr()
    main(["user", "list", "--db", str(db)])
    assert capsys.readouterr().out == "admin\t管理员\t系统管理员\tYZ01\t正常\n"


def test_passwd_resets_the_password(db, monkeypatch, capsys):
    _add(db, "--point", "YZ01", monkeypatch=monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO("brand-new-pass\n"))
    assert main(["user", "passwd", "--db", str(db), "--login", "admin", "--password-stdin"]) == 0
    assert Store.open(db).authenticate("admin", "brand-new-pass").login == "admin"


def test_an_account_added_or_reset_on_the_command_line_must_change_its_password(
    tmp_path, monkeypatch
) -> None:
    import io

    from clerk.cli import main
    from clerk.db import Store

    db = str(tmp_path / "c.db")
    monkeypatch.setattr("sys.stdin", io.StringIO("initial-pass1\n"))
    assert (
        main(
            [
                "user",
                "add",
                "--db",
                db,
                "--login",
                "li4",
                "--name",
                "李四",
                "--role",
                "clerk",
                "--point",
                "YZ01",
                "--password-stdin",
            ]
        )
        == 0
    )
    with Store.open(db) as store:
        assert store.must_change_password("li4") is True
        store.require_password_change("li4", False)
    monkeypatch.setattr("sys.stdin", io.StringIO("reset-pass-22\n"))
    assert main(["user", "passwd", "--db", db, "--login", "li4", "--password-stdin"]) == 0
    with Store.open(db) as store:
        assert store.must_change_password("li4") is True


def test_a_password_prompt_at_the_end_of_the_input_is_told_not_a_traceback(tmp_path):
    """Run from a script without --password-stdin: the prompt meets the end of the input."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "clerk", "user", "add", "--db", str(tmp_path / "clerk.db")]
        + ["--login", "li", "--name", "李经办", "--role", "clerk", "--point", "YZ01"],
        input="only-one-line-12345\n",
        capture_output=True,
        text=True,
        env={**os.environ, "CLERK_DATA_DIR": str(tmp_path / "data")},
        start_new_session=True,  # no terminal: getpass reads the input it is given
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "用 --password-stdin 从标准输入的第一行传入密码" in done.stderr
    assert "only-one-line" not in done.stderr + done.stdout
