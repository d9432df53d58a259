"""`clerk roster template|import`: the template, and a roster checked and enrolled from the command line."""

from __future__ import annotations

import io
import json

import pytest
from roster_support import PASSWORD, college_window, roster
from support.tamper import raw_value

from clerk.cli import main
from clerk.db import Store


@pytest.fixture
def db(tmp_path):
    window, _ = college_window(tmp_path)
    window.store.close()
    return tmp_path / "clerk.db"


def run(*args: str, password: str | None = None, monkeypatch=None) -> int:
    if password is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(list(args))


def enrol_args(db, path, *extra: str) -> list[str]:
    return [
        "roster",
        "import",
        str(path),
        "--db",
        str(db),
        "--seal-checked",
        "--login",
        "li",
        "--password-stdin",
        *extra,
    ]


def cases(db) -> int:
    store = Store.open(db)
    try:
        return int(raw_value(store, "SELECT COUNT(*) FROM cases"))
    finally:
        store.close()


def test_template_writes_the_workbook(tmp_path, capsys):
    out = tmp_path / "表6.xlsx"
    assert run("roster", "template", "--out", str(out)) == 0
    assert out.is_file()
    assert capsys.readouterr().out.startswith(f"已生成名册模板：{out}\n")


def test_template_never_overwrites_a_file(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    out.write_text("keep")
    assert run("roster", "template", "--out", str(out)) == 1
    assert out.read_text() == "keep"
    assert capsys.readouterr().err == f"文件 {out} 已存在，未覆盖。请换一个文件名。\n"


def test_template_must_be_an_xlsx_file(tmp_path, capsys):
    assert run("roster", "template", "--out", str(tmp_path / "t.xls")) == 1
    assert "文件名请以 .xlsx 结尾" in capsys.readouterr().err


def test_import_without_the_seal_only_checks(db, tmp_path, capsys):
    assert run("roster", "import", str(roster(tmp_path, 2)), "--db", str(db)) == 1
    captured = capsys.readouterr()
    assert "共 2 行，可登记 2 人。" in captured.out
    assert (
        "请核验纸质汇总表（表6）已加盖学校公章，然后加 --seal-checked 和 --login 经办人 再次运行。"
        in captured.err
    )
    assert cases(db) == 0


def test_import_lists_every_bad_row_and_stores_nothing(db, tmp_path, capsys, monkeypatch):
    path = roster(tmp_path, 4, bad={0: "empty_name", 2: "check_digit"})
    assert run(*enrol_args(db, path), password=PASSWORD, monkeypatch=monkeypatch) == 1
    captured = capsys.readouterr()
    assert "  第2行【姓名】：未填写，请填写姓名。" in captured.out
    assert "  第4行【证件号码】：身份证号校验位应为" in captured.out
    assert (
        "未导入任何学生。请学校改正上列 2 行后重新报送；或加 --accept-valid 先登记无误的 2 人"
        in captured.err
    )
    assert cases(db) == 0


def test_import_enrols_a_clean_roster(db, tmp_path, capsys, monkeypatch):
    assert (
        run(*enrol_args(db, roster(tmp_path, 3)), password=PASSWORD, monkeypatch=monkeypatch) == 0
    )
    captured = capsys.readouterr()
    assert "已登记 3 人（批次 XY01" in captured.out
    assert "受理回执：" in captured.out
    assert "登记中… 3/3" in captured.err
    assert cases(db) == 3


def test_accept_valid_enrols_the_valid_rows_and_prints_the_notice(
    db, tmp_path, capsys, monkeypatch
):
    path = roster(tmp_path, 3, bad={1: "bad_phone"})
    assert (
        run(*enrol_args(db, path, "--accept-valid"), password=PASSWORD, monkeypatch=monkeypatch)
        == 0
    )
    out = capsys.readouterr().out
    assert "已登记 2 人" in out and "名册信息更正告知书（1 行）：" in out
    assert cases(db) == 2


def test_the_same_file_twice_enrols_nobody_twice(db, tmp_path, capsys, monkeypatch):
    path = roster(tmp_path, 2)
    assert run(*enrol_args(db, path), password=PASSWORD, monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert run(*enrol_args(db, path), password=PASSWORD, monkeypatch=monkeypatch) == 0
    out = capsys.readouterr().out
    assert "没有需要登记的学生：2 人已参保登记，本次没有重复登记任何人。" in out
    assert "注意：这个文件已于" in out
    assert cases(db) == 2


def test_a_wrong_password_enrols_nobody(db, tmp_path, capsys, monkeypatch):
    assert (
        run(
            *enrol_args(db, roster(tmp_path, 1)), password="wrong-password", monkeypatch=monkeypatch
        )
        == 1
    )
    assert cases(db) == 0


def test_enrolment_needs_a_login(db, tmp_path, capsys):
    path = roster(tmp_path, 1)
    assert run("roster", "import", str(path), "--db", str(db), "--seal-checked") == 1
    assert "请用 --login 指明经办人的登录名" in capsys.readouterr().err


def test_import_as_json(db, tmp_path, capsys, monkeypatch):
    path = roster(tmp_path, 2, bad={1: "empty_name"})
    assert (
        run(
            *enrol_args(db, path, "--accept-valid", "--json"),
            password=PASSWORD,
            monkeypatch=monkeypatch,
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert (result["imported"], result["rows"], result["valid"], result["to_correct"]) == (
        True,
        2,
        1,
        1,
    )
    assert result["problems"] == [
        {"row": 3, "column": "姓名", "message": "未填写，请填写姓名。", "kind": "row"}
    ]
    assert result["batch"]["enrolled"] == 1


def test_a_file_that_is_not_a_workbook_is_reported(db, tmp_path, capsys):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"PK\x03\x04junk")
    assert run("roster", "import", str(path), "--db", str(db)) == 1
    captured = capsys.readouterr()
    assert "文件无法作为 Excel 工作簿（.xlsx）打开" in captured.out
    assert "未导入：名册文件本身有问题" in captured.err


def test_import_at_a_township_point_is_refused(tmp_path, capsys):
    window, _ = college_window(tmp_path, kind="township_hall")
    window.store.close()
    assert (
        run("roster", "import", str(roster(tmp_path, 1)), "--db", str(tmp_path / "clerk.db")) == 1
    )
    assert "学生名册（表6）由大中专院校服务点导入" in capsys.readouterr().err


def test_a_missing_roster_file_is_reported(db, tmp_path, capsys):
    assert run("roster", "import", str(tmp_path / "none.xlsx"), "--db", str(db)) == 1
    assert capsys.readouterr().err == f"找不到名册文件 {tmp_path / 'none.xlsx'}，请核对路径。\n"


def test_verify_passes_after_a_batch(db, tmp_path, capsys, monkeypatch):
    run(*enrol_args(db, roster(tmp_path, 5)), password=PASSWORD, monkeypatch=monkeypatch)
    capsys.readouterr()
    assert run("verify", "--db", str(db)) == 0
    out = capsys.readouterr().out
    assert "共 20 条，本次核验 20 条，哈希链完整" in out
    assert (
        "办件核对：5 件；文书核对：10 份" in out
    )  # the receipt: each case's acceptance and completion


def test_a_full_verify_finds_no_orphan_after_a_notice(db, tmp_path, capsys, monkeypatch):
    path = roster(tmp_path, 3, bad={1: "bad_phone"})
    assert (
        run(*enrol_args(db, path, "--accept-valid"), password=PASSWORD, monkeypatch=monkeypatch)
        == 0
    )
    capsys.readouterr()
    assert run("verify", "--db", str(db), "--full") == 0, capsys.readouterr().out
