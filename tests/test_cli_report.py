"""`clerk report`: the text ledger, the files it writes, JSON, and its Chinese refusals."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import datetime

import pytest
from openpyxl import load_workbook
from test_ledger import build_day, person_id

from clerk.cli import main
from clerk.domain import clock as clock_module
from clerk.domain.clock import TZ
from clerk.support.paths import default_db_path

DATE = "2026-11-20"


@pytest.fixture
def db(tmp_path):
    day = build_day(tmp_path)
    day.window.store.close()
    return tmp_path / "clerk.db"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_prints_the_text_ledger(db, capsys):
    code, out, err = run(capsys, "report", "--db", str(db), "--date", DATE)
    assert (code, err) == (0, "")
    assert out.splitlines()[2] == "日期：2026-11-20（星期五，工作日）"
    assert "一、当日收件　共 4 件" in out
    assert "范围：本库全部办件" in out


def test_point_option_names_the_point(db, capsys):
    code, out, _ = run(capsys, "report", "--db", str(db), "--date", DATE, "--point", "yz03")
    assert code == 0
    assert "范围：YZ03　冷水滩区政务服务中心" in out
    assert "一、当日收件　共 4 件" in out


def test_point_option_of_another_office_counts_nothing(db, capsys):
    code, out, _ = run(capsys, "report", "--db", str(db), "--date", DATE, "--point", "YZ01")
    assert code == 0
    assert "一、当日收件　共 0 件" in out


def test_unknown_point_is_refused(db, capsys):
    code, out, err = run(capsys, "report", "--db", str(db), "--date", DATE, "--point", "ZZ99")
    assert (code, out) == (1, "")
    assert err == "没有编码为 ZZ99 的经办机构或服务点，请用 clerk point list 查看编码。\n"


def test_bad_date_is_refused_in_chinese(db, capsys):
    code, out, err = run(capsys, "report", "--db", str(db), "--date", "2026-13-01")
    assert (code, out) == (1, "")
    assert err.startswith("日期“2026-13-01”的格式不对，请按 YYYY-MM-DD 填写")


def test_future_date_is_refused(db, capsys):
    code, out, err = run(capsys, "report", "--db", str(db), "--date", "2999-01-01")
    assert (code, out) == (1, "")
    assert err == "2999-01-01 还没有到，不能生成日结单；请选择今天或以前的日期。\n"


def test_missing_database_is_refused_and_not_created(tmp_path, capsys):
    path = tmp_path / "nowhere.db"
    code, _, err = run(capsys, "report", "--db", str(path), "--date", DATE)
    assert code == 1
    assert err == f"找不到数据库文件 {path}，请用 --db 指定本机数据库的位置。\n"
    assert not path.exists()


def test_global_db_option_is_used(db, capsys):
    code, out, _ = run(capsys, "--db", str(db), "report", "--date", DATE)
    assert code == 0
    assert "一、当日收件　共 4 件" in out


def test_default_database_is_used_without_db(db, capsys):
    default_db_path().write_bytes(db.read_bytes())
    code, out, _ = run(capsys, "report", "--date", DATE)
    assert code == 0
    assert "一、当日收件　共 4 件" in out


def test_date_defaults_to_today(db, capsys, monkeypatch):
    monkeypatch.setattr(
        clock_module, "system_clock", lambda: datetime(2026, 11, 20, 17, 30, tzinfo=TZ)
    )
    code, out, _ = run(capsys, "report", "--db", str(db))
    assert code == 0
    assert out.splitlines()[2] == "日期：2026-11-20（星期五，工作日）"
    assert "生成：2026-11-20" in out


def test_writes_csv_and_xlsx(db, tmp_path, capsys):
    csv_path, xlsx_path = tmp_path / "day.csv", tmp_path / "day.xlsx"
    code, out, _ = run(
        capsys,
        "report",
        "--db",
        str(db),
        "--date",
        DATE,
        "--csv",
        str(csv_path),
        "--xlsx",
        str(xlsx_path),
    )
    assert code == 0
    assert out.endswith(f"已写出 CSV 文件：{csv_path}\n已写出 Excel 文件：{xlsx_path}\n")
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[:3] == [["概况"], ["项目", "内容"], ["日期", DATE]]
    sheet = load_workbook(xlsx_path)["概况"]
    assert [c.value for c in sheet["B"]][:2] == ["内容", DATE]


def test_unwritable_file_is_reported(db, tmp_path, capsys):
    target = tmp_path / "no-such-dir" / "day.csv"
    code, _, err = run(capsys, "report", "--db", str(db), "--date", DATE, "--csv", str(target))
    assert code == 1
    assert err.startswith(f"CSV 文件 {target} 没有写成（")
    assert err.endswith("），请检查目录是否存在、是否有写入权限。\n")


def test_json_output(db, capsys):
    code, out, _ = run(capsys, "report", "--db", str(db), "--date", DATE, "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["day"], data["received"], data["adds_up"]) == (DATE, 4, True)
    assert [i["item_no"] for i in data["by_item"]] == [9, 31]


def test_json_output_stays_parseable_when_files_are_written(db, tmp_path, capsys):
    code, out, err = run(
        capsys,
        "report",
        "--db",
        str(db),
        "--date",
        DATE,
        "--json",
        "--csv",
        str(tmp_path / "d.csv"),
    )
    assert code == 0
    assert json.loads(out)["received"] == 4
    assert err == f"已写出 CSV 文件：{tmp_path / 'd.csv'}\n"


def test_tampered_log_prints_the_ledger_and_exits_1(db, capsys):
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'mallory' WHERE seq = 2")
    conn.close()
    code, out, err = run(capsys, "report", "--db", str(db), "--date", DATE)
    assert code == 1
    assert "本库核验：未通过。" in out
    assert "来源 YZ03 的第 2 条事件记录的内容与其哈希值不符" in out
    assert err == "注意：事件记录校验未通过，请立即报告系统管理员。\n"


def test_no_id_number_or_phone_in_any_output(db, tmp_path, capsys):
    csv_path, xlsx_path = tmp_path / "d.csv", tmp_path / "d.xlsx"
    _, text, _ = run(
        capsys,
        "report",
        "--db",
        str(db),
        "--date",
        DATE,
        "--csv",
        str(csv_path),
        "--xlsx",
        str(xlsx_path),
    )
    _, js, _ = run(capsys, "report", "--db", str(db), "--date", DATE, "--json")
    book = load_workbook(xlsx_path)
    cells = " ".join(
        str(c) for s in book for r in s.iter_rows(values_only=True) for c in r if c is not None
    )
    everything = text + js + csv_path.read_text(encoding="utf-8-sig") + cells
    secrets = [person_id(n) for n in range(1, 7)] + [f"1381234{n:04d}" for n in range(1, 7)]
    secrets += ["张三丰", "李四海", "王五福", "赵六顺", "钱七星", "孙八达"]
    assert [s for s in secrets if s in everything] == []
    assert person_id(1)[:6] not in everything
