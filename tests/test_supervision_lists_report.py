"""The monthly report carries the lists that need action (issue 21 item 4): the PDF a section with
each list's count per county and its first entries, the XLSX a sheet 清单汇总 and a sheet per list.
The day: 2 November 2026 at LS01 and YZ03 (`run_the_day`), reported in December, so the bad
rating of LS01's instant case is past the 5 working days of the follow-up setting."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from test_city_counting import run_the_day

from clerk.cli import main
from clerk.service.supervision_lists import LIST_LABELS

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils not installed"
)
CASE_NO = "LS01202611020001H"
LIST_SHEETS = ["清单汇总", *LIST_LABELS.values()]


def reported(pair, tmp_path, clock, *extra: str) -> int:  # type: ignore[no-untyped-def]
    county, point = pair
    run_the_day(county, point, tmp_path, clock)
    clock.set(2026, 12, 20, 9, 0)
    path = str(county.store.path)
    county.store.close()
    return main(["city", "report", "--db", path, "--month", "2026-11", *extra])


def pdf_lines(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@needs_poppler
def test_the_pdf_lists_what_needs_action_with_counts_per_county(pair, tmp_path, clock):  # type: ignore[no-untyped-def]
    out = tmp_path / "month.pdf"
    assert reported(pair, tmp_path, clock, "--pdf", str(out)) == 0
    lines = pdf_lines(out)
    start = lines.index("需要处理的清单（截至 2026-11-30，差评回访期限 5 个工作日）")
    section = lines[start:]
    assert "YZ03 0 0 0 1 0 0 0" in section
    assert "合计 0 0 0 1 0 0 0" in section
    assert [line for line in section if line.endswith(" 件")] == [
        "超期未办结：0 件",
        "3 个工作日内到期：0 件",
        "收件超过 5 个工作日未作受理决定：0 件",
        "差评逾期未回访：1 件",
        "导入报告的冲突：0 件",
        "导入报告的时间异常：0 件",
        "县区已不再持有市级确认的记录：0 件",
    ]
    assert f"YZ03 LS01 {CASE_NO} 3 已办结 2026-11-02 2026-11-02 2026-11-02 15" in section


@needs_poppler
def test_the_pdf_shows_the_first_entries_and_says_how_many_more(  # type: ignore[no-untyped-def]
    pair, tmp_path, clock, monkeypatch
):
    monkeypatch.setattr("clerk.service.supervision_pdf.LIST_ROWS_SHOWN", 0)
    out = tmp_path / "month.pdf"
    assert reported(pair, tmp_path, clock, "--pdf", str(out)) == 0
    section = pdf_lines(out)
    assert "……另有 1 件，完整清单见 Excel 文件或 --json。" in section
    assert not any(CASE_NO in line for line in section)


def test_the_xlsx_has_a_sheet_per_list(pair, tmp_path, clock):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    out = tmp_path / "month.xlsx"
    assert reported(pair, tmp_path, clock, "--xlsx", str(out)) == 0
    book = load_workbook(out)
    assert book.sheetnames[4:] == LIST_SHEETS
    counts = list(book["清单汇总"].iter_rows(values_only=True))
    assert counts == [
        ("县区", *LIST_LABELS.values()),
        ("YZ03", 0, 0, 0, 1, 0, 0, 0),
        ("合计", 0, 0, 0, 1, 0, 0, 0),
    ]
    bad = list(book["差评逾期未回访"].iter_rows(values_only=True))
    assert bad == [
        ("县区", "服务点", "办件号", "事项", "状态", "收件日期", "期限", "评价日期", "工作日"),
        ("YZ03", "LS01", CASE_NO, 3, "已办结", "2026-11-02", "2026-11-02", "2026-11-02", 15),
    ]
    assert list(book["超期未办结"].iter_rows(values_only=True)) == [bad[0]]
    issues = list(book["导入报告的冲突"].iter_rows(values_only=True))
    assert issues == [("县区", "记录链", "序号", "办件号", "情况")]


def test_a_listed_case_carries_no_personal_data(pair, tmp_path, clock):  # type: ignore[no-untyped-def]
    """The lists name cases by number, item and dates only: no name, no ID number, no phone."""
    from openpyxl import load_workbook

    out = tmp_path / "month.xlsx"
    assert reported(pair, tmp_path, clock, "--xlsx", str(out)) == 0
    book = load_workbook(out)
    cells = [
        str(c)
        for name in LIST_SHEETS
        for row in book[name].iter_rows(values_only=True)
        for c in row
    ]
    for personal in ("张三丰", "王五", "李四", "13812345678"):
        assert not any(personal in c for c in cells)
