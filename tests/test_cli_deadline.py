"""`clerk deadline` and `clerk holidays`, called through clerk.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clerk.cli import main

FAKE_2027 = {
    "year": 2027,
    "source": "测试用：虚构的2027年节假日安排",
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"]
    + [f"2027-02-{d:02d}" for d in range(5, 14)]
    + [f"2027-10-{d:02d}" for d in range(1, 8)],
    "workdays": ["2027-02-14", "2027-02-20", "2027-09-26", "2027-10-09"],
}


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def fake_file(tmp_path: Path) -> Path:
    path = tmp_path / "2027年节假日.json"
    path.write_text(json.dumps(FAKE_2027, ensure_ascii=False), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- clerk deadline ------------------------------------------------------------------------------


def test_deadline_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "deadline", "26", "2026-09-18") == (
        0,
        "【26】职工医保参保人员享受门诊慢特病病种待遇认定\n"
        "受理日期：2026-09-18（星期五）\n"
        "办理时限：20个工作日（现场办理，按省清单）\n"
        "办结期限：2026-10-22（星期四）\n",
        "",
    )


def test_deadline_online_notes_the_superseded_local_figure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "deadline", "26", "2026-09-18", "--online")
    assert code == 0
    assert out.splitlines()[2:] == [
        "办理时限：7个工作日（线上办理，按省清单）",
        "办结期限：2026-09-29（星期二）",
        "注：永州办事指南写的是“20个工作日”，与省清单不一致，按省清单执行。",
    ]


def test_deadline_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "deadline", "21", "2026-11-20", "--online", "--json")
    data = json.loads(out)
    assert code == 0
    assert {
        k: data[k] for k in ("item", "start", "due", "provisional", "kind", "days", "online")
    } == {
        "item": 21,
        "start": "2026-11-20",
        "due": "2026-11-24",
        "provisional": False,
        "kind": "working_days",
        "days": 2,
        "online": True,
    }


def test_deadline_instant(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "deadline", "21", "2026-11-20")
    assert out.splitlines()[2:] == [
        "办理时限：即时办结（现场办理，按省清单）",
        "办结期限：2026-11-20（星期五），当场办结",
    ]


def test_deadline_declaration_items(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "deadline", "38", "2026-01-10")
    assert out.splitlines()[1:4] == [
        "申报截止日：2026-01-10（星期六）",
        "办理时限：自申报截止次日起20个工作日，至医保基金拨付（现场办理，按省清单）",
        "办结期限：2026-02-06（星期五）",
    ]


def test_deadline_provisional_line(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "deadline", "31", "2026-12-20")
    lines = out.splitlines()
    assert lines[3] == "办结期限：2027-01-25（星期一）"
    assert lines[-1] == (
        "暂定：2027年的节假日安排尚未安装，期间按周一至周五上班、只跳过法定节假日计算"
        "（不含调休上班日和连休），实际期限可能不同。"
        "国务院办公厅发布该年节假日安排后，请用 clerk holidays install 文件 安装，再重新计算。"
    )


def test_deadline_provisional_json(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "deadline", "31", "2026-12-20", "--json")
    data = json.loads(out)
    assert (data["due"], data["provisional"], data["missing_years"]) == ("2027-01-25", True, [2027])


def test_deadline_by_sub_item_code(capsys: pytest.CaptureFixture[str]) -> None:
    from clerk.domain.catalog import default_catalog

    code = default_catalog().item(36).sub_item.code
    _, out, _ = run(capsys, "deadline", code, "2026-03-01", "--json")
    assert (json.loads(out)["item"], json.loads(out)["due"]) == (36, "2026-05-20")


@pytest.mark.parametrize("item", ["0", "40", "abc"])
def test_deadline_bad_item(capsys: pytest.CaptureFixture[str], item: str) -> None:
    assert run(capsys, "deadline", item, "2026-09-18") == (
        1,
        "",
        f"没有找到事项“{item}”：请输入 1–39 的序号，或只对应一个事项的12位子项编码（可用 clerk catalog 查看）。\n",
    )


@pytest.mark.parametrize("day", ["2026-02-30", "2026/09/18", "20260918", "明天"])
def test_deadline_bad_date(capsys: pytest.CaptureFixture[str], day: str) -> None:
    assert run(capsys, "deadline", "26", day) == (
        1,
        "",
        f"日期“{day}”无效：请按 YYYY-MM-DD 输入，例如 2026-09-18。\n",
    )


# -- clerk holidays ----------------------------------------------------------------------------------


def test_install(capsys: pytest.CaptureFixture[str], fake_file: Path, data_dir: Path) -> None:
    code, out, _ = run(capsys, "holidays", "install", str(fake_file))
    assert code == 0
    assert out == (
        "已安装 2027 年节假日安排：测试用：虚构的2027年节假日安排；节假日 19 天，调休上班 4 天。\n"
        f"未找到数据库 {data_dir / 'clerk.db'}，没有需要重算的办件。\n"
    )
    assert (data_dir / "holidays" / "2027.json").is_file()


def test_install_makes_2027_deadlines_final(
    capsys: pytest.CaptureFixture[str], fake_file: Path
) -> None:
    run(capsys, "holidays", "install", str(fake_file))
    _, out, _ = run(capsys, "deadline", "15", "2027-02-04", "--json")
    assert (json.loads(out)["due"], json.loads(out)["provisional"]) == ("2027-02-18", False)


def test_install_bad_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dict(FAKE_2027, workdays=["2027-02-15"])), encoding="utf-8")
    code, out, err = run(capsys, "holidays", "install", str(bad))
    assert (code, out) == (1, "")
    assert err == (
        f"节假日文件有误，未安装：{bad}：workdays[0]："
        "2027-02-15 是星期一，本来就是工作日；workdays 只列周末调休上班的日期\n"
    )
    assert not (data_dir / "holidays" / "2027.json").exists()


def test_install_over_the_package_year_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    revised = tmp_path / "2026.json"
    revised.write_text(
        json.dumps({"year": 2026, "source": "修订", "holidays": ["2026-01-01"], "workdays": []}),
        encoding="utf-8",
    )
    _, out, _ = run(capsys, "holidays", "install", str(revised))
    assert out.startswith("已安装 2026 年节假日安排（替代 chinesecalendar 内置的该年数据）：修订；")


def test_list_without_files(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "holidays", "list")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "节假日数据（计算工作日和办结期限的依据）："
    assert lines[1].startswith("  2004–2026年：chinesecalendar ")
    assert lines[2] == f"节假日文件目录：{data_dir / 'holidays'}"


def test_list_shows_installed_file(
    capsys: pytest.CaptureFixture[str], fake_file: Path, data_dir: Path
) -> None:
    run(capsys, "holidays", "install", str(fake_file))
    _, out, _ = run(capsys, "holidays", "list")
    assert out.splitlines()[2] == (
        f"  2027年：已安装：测试用：虚构的2027年节假日安排（{data_dir / 'holidays' / '2027.json'}）"
    )


def test_holidays_without_action_lists(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "holidays")
    assert out.splitlines()[0] == "节假日数据（计算工作日和办结期限的依据）："


def test_list_json(capsys: pytest.CaptureFixture[str], fake_file: Path) -> None:
    run(capsys, "holidays", "install", str(fake_file))
    _, out, _ = run(capsys, "holidays", "list", "--json")
    data = json.loads(out)
    assert data["covered_years"] == list(range(2004, 2028))
    assert [(h["year"], h["source"]) for h in data["installed"]] == [
        (2027, "测试用：虚构的2027年节假日安排")
    ]


def test_broken_installed_file_stops_deadline(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    folder = data_dir / "holidays"
    folder.mkdir(parents=True)
    (folder / "2027.json").write_text("{", encoding="utf-8")
    code, _, err = run(capsys, "deadline", "26", "2026-09-18")
    assert code == 2
    assert err.startswith("数据文件有误，已停止：")


def test_installing_a_good_file_repairs_a_broken_one(
    capsys: pytest.CaptureFixture[str], fake_file: Path, data_dir: Path
) -> None:
    folder = data_dir / "holidays"
    folder.mkdir(parents=True)
    (folder / "2027.json").write_text("{", encoding="utf-8")
    assert run(capsys, "holidays", "install", str(fake_file))[0] == 0
    assert run(capsys, "deadline", "26", "2026-09-18")[0] == 0


def test_holidays_list_says_provisional_years_skip_the_statutory_days(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "holidays", "list")
    assert code == 0
    assert "无节假日" not in out
    assert "跳过《全国年节及纪念日放假办法》规定的法定节假日" in out
    assert "县级经办机构的每台电脑都要安装；服务点导入县级经办机构的回执包时自动安装" in out
