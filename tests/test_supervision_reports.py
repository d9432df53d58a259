"""`clerk city report --pdf FILE` (the monthly report: charts, tables, the font embedded) and the
XLSX's trend sheet with its native line chart."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from support.sync import OFFICE, POINT
from test_city_counting import run_the_day

from clerk.cli import main
from clerk.documents.fonts import pdf_font

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils not installed",
)


def report(pair, tmp_path, clock, *extra: str) -> tuple[int, Path]:  # type: ignore[no-untyped-def]
    county, point = pair
    run_the_day(county, point, tmp_path, clock)
    path = str(county.store.path)
    county.store.close()
    return main(["city", "report", "--db", path, "--month", "2026-11", *extra]), Path(path)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@needs_poppler
def test_the_pdf_embeds_only_subset_fonts_and_has_five_pages(pair, tmp_path, clock, capsys):  # type: ignore[no-untyped-def]
    assert pdf_font().embedded
    out = tmp_path / "month.pdf"
    assert report(pair, tmp_path, clock, "--pdf", str(out))[0] == 0
    assert f"已写出 PDF 文件：{out}" in capsys.readouterr().out
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows
    for row in rows:
        assert (row[-5], row[-4]) == ("yes", "yes"), row
        assert row[0][6] == "+", row
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "Pages:           5" in info  # the lists that need action on the last
    assert oct(out.stat().st_mode & 0o777) == "0o600"


@needs_poppler
def test_the_pdf_text_holds_the_codes_and_the_counts_behind_the_rates(pair, tmp_path, clock):  # type: ignore[no-untyped-def]
    out = tmp_path / "month.pdf"
    report(pair, tmp_path, clock, "--pdf", str(out))
    text = pdf_text(out)
    assert "医保经办监督月报 2026 年 11 月" in text
    assert OFFICE in text and POINT in text
    assert "冷水滩区政务服务中心" in text
    assert "1/5" in text  # 不予受理率: one refusal of five received
    assert "0/1" in text  # 回访率: the one bad rating not followed up
    assert "2025-12" in text and "2026-11" in text  # the twelve months of the trend


def test_the_pdf_tells_its_progress_on_stderr(pair, tmp_path, clock, capsys):  # type: ignore[no-untyped-def]
    report(pair, tmp_path, clock, "--pdf", str(tmp_path / "month.pdf"))
    err = capsys.readouterr().err
    assert "写出 PDF：各县区对比图：2 / 7（28%）" in err
    assert "写出 PDF：写出：7 / 7（100%）" in err


def test_a_pdf_into_a_missing_folder_is_said_in_chinese(pair, tmp_path, clock, capsys):  # type: ignore[no-untyped-def]
    target = tmp_path / "no-such-folder" / "month.pdf"
    assert report(pair, tmp_path, clock, "--pdf", str(target))[0] == 1
    err = capsys.readouterr().err
    assert f"PDF 文件 {target} 没有写成" in err
    assert "Traceback" not in err


def test_the_xlsx_trend_sheet_has_twelve_months_and_a_line_chart(pair, tmp_path, clock):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    out = tmp_path / "month.xlsx"
    assert report(pair, tmp_path, clock, "--xlsx", str(out))[0] == 0
    book = load_workbook(out)
    sheet = book["趋势"]
    months = [row[0] for row in sheet.iter_rows(min_row=2, max_row=13, values_only=True)]
    assert months[0] == "2025-12" and months[-1] == "2026-11"
    assert sheet.cell(row=13, column=3).value == 3  # 受理量 in November
    chart_xml = [
        zipfile.ZipFile(out).read(n).decode()
        for n in zipfile.ZipFile(out).namelist()
        if n.startswith("xl/charts/chart")
    ]
    assert sum("<lineChart>" in x for x in chart_xml) == 1
    assert sum("<barChart>" in x for x in chart_xml) == 3
