"""`clerk city report`: the month's figures per county as Chinese text or JSON."""

from __future__ import annotations

import json

from support.sync import OFFICE, POINT
from test_city_counting import run_the_day

from clerk.cli import main


def test_json_gives_every_figure_per_county_and_for_the_city(pair, tmp_path, clock, capsys):  # type: ignore[no-untyped-def]
    county, point = pair
    run_the_day(county, point, tmp_path, clock)
    path = str(county.store.path)
    county.store.close()
    assert main(["city", "report", "--db", path, "--month", "2026-11", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["period"] == {"first": "2026-11-01", "last": "2026-11-30"}
    assert out["follow_up_days"] == 5
    assert list(out["offices"]) == [OFFICE]
    office = out["offices"][OFFICE]
    assert (office["name"], office["received"], office["accepted"]) == (
        "冷水滩区政务服务中心",
        5,
        3,
    )
    assert office["refusal"] == {"part": 1, "whole": 5, "rate": 0.2}
    assert office["follow_up"] == {"part": 0, "whole": 1, "rate": 0.0}
    assert set(office["points"]) == {OFFICE, POINT}
    assert office["ages"]["19"] == {"cases": 1, "median": 0.0, "p90": 0}
    assert out["city"]["received"] == 5


def test_text_is_chinese_and_a_day_and_follow_up_deadline_can_be_chosen(
    pair, tmp_path, clock, capsys
):  # type: ignore[no-untyped-def]
    county, point = pair
    run_the_day(county, point, tmp_path, clock)
    path = str(county.store.path)
    county.store.close()
    argv = ["city", "report", "--db", path, "--month", "2026-11", "--day", "2026-11-03"]
    assert main([*argv, "--follow-up-days", "15"]) == 0
    text = capsys.readouterr().out
    assert "医保经办监督统计　2026-11-03" in text
    assert "15 个工作日" in text
    assert "收件 0" in text
    assert main(["city", "report", "--db", path, "--month", "2026-11"]) == 0
    text = capsys.readouterr().out
    assert "【冷水滩区政务服务中心（YZ03）】" in text
    assert "不予受理率 20.0%（1/5）" in text


def test_a_wrong_month_or_a_day_outside_it_is_refused(pair, capsys):  # type: ignore[no-untyped-def]
    county, _point = pair
    path = str(county.store.path)
    assert main(["city", "report", "--db", path, "--month", "2026-13"]) == 1
    assert "YYYY-MM" in capsys.readouterr().err
    assert main(["city", "report", "--db", path, "--month", "2026-11", "--day", "2026-12-01"]) == 1
    assert "不在" in capsys.readouterr().err


def test_xlsx_holds_the_counties_with_native_charts(pair, tmp_path, clock, capsys):  # type: ignore[no-untyped-def]
    import zipfile

    from openpyxl import load_workbook

    county, point = pair
    run_the_day(county, point, tmp_path, clock)
    path = str(county.store.path)
    county.store.close()
    out = tmp_path / "report.xlsx"
    argv = ["city", "report", "--db", path, "--month", "2026-11", "--xlsx", str(out)]
    assert main(argv) == 0
    assert "已写出 Excel 文件" in capsys.readouterr().out
    charts = [n for n in zipfile.ZipFile(out).namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4  # three bar charts per county, the trend's line chart
    book = load_workbook(out)
    assert book.sheetnames[:5] == ["县区", "服务点", "事项用时", "趋势", "清单汇总"]
    rows = list(book["县区"].iter_rows(values_only=True))
    header = rows[0]
    office = dict(zip(header, rows[1], strict=True))
    total = dict(zip(header, rows[-1], strict=True))
    assert (office["代码"], office["收件量"], office["不予受理率"], office["不予受理率分母"]) == (
        "YZ03",
        5,
        0.2,
        5,
    )
    assert (total["代码"], total["名称"]) == ("合计", "全市")
    assert [r[0] for r in book["服务点"].iter_rows(min_row=2, values_only=True)] == ["LS01", "YZ03"]
