"""`clerk --help` and argparse's errors in Chinese."""

from __future__ import annotations

import pytest

from clerk.cli import main


def help_text(capsys, *argv: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    return capsys.readouterr().out


def test_top_level_help_is_chinese(capsys) -> None:  # type: ignore[no-untyped-def]
    out = help_text(capsys)
    assert out.startswith("用法：clerk")
    assert "位置参数" in out and "选项" in out and "显示本帮助并退出" in out
    for english in (
        "usage:",
        "positional arguments",
        "options:",
        "show this help message and exit",
    ):
        assert english not in out


def test_a_sub_command_help_is_chinese(capsys) -> None:  # type: ignore[no-untyped-def]
    out = help_text(capsys, "backup")
    assert out.startswith("用法：clerk backup")
    assert "show this help" not in out


def test_a_missing_argument_is_reported_in_chinese(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit):
        main(["user", "add"])
    assert "clerk user add：错误：缺少必填参数：--login, --name, --role" in capsys.readouterr().err


def test_a_backup_without_out_says_what_to_give_in_chinese(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["backup", "--db", "none.db"]) == 2
    assert "请用 --out 指定备份文件" in capsys.readouterr().err
