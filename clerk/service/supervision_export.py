"""The supervision report as an Excel workbook (`clerk city report --xlsx FILE`): a sheet of the
counties' figures with native bar charts (按时办结率, 超期率, 好评率 per county), a sheet of the
points, a sheet of the items with their working-day ages, and with the lists that need action a
sheet 清单汇总 (per county) and a sheet per list holding all of it. Rates are stored as fractions with
a percent format (a rate over no cases is an empty cell), the counts behind them beside them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from clerk.domain.indicators import Figures
from clerk.service.supervision import COUNTS, RATES, SupervisionReport, SupervisionTrend
from clerk.service.supervision_lists import (
    CASE_LISTS,
    LIST_LABELS,
    XLSX_LIST_ROWS,
    ActionLists,
    ListedCase,
    counts_table,
    list_table,
)
from clerk.support.file_modes import make_private, use_private_umask

TITLE = "医保经办监督统计"
CHARTED = ("on_time", "overdue", "good")
# The whole's rates drawn as lines month by month on the trend sheet.
TREND_LINES = ("on_time", "overdue", "good", "follow_up")


def header() -> list[str]:
    row = ["代码", "名称"] + [label for _key, label in COUNTS]
    for _key, label in RATES:
        row += [label, f"{label}分子", f"{label}分母"]
    return row


def figure_row(code: str, name: str, f: Figures) -> list[Any]:
    row: list[Any] = [code, name] + [getattr(f, key) for key, _label in COUNTS]
    for key, _label in RATES:
        rate = getattr(f, key)
        row += [rate.value, rate.part, rate.whole]
    return row


def write_xlsx(
    report: SupervisionReport,
    path: str | Path,
    trend: SupervisionTrend | None = None,
    lists: ActionLists | None = None,
    listed: Callable[[str], Iterable[ListedCase]] | None = None,
) -> Path:
    """`listed(key)`: every entry of case list `key` (streamed); default the page `lists` holds."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font

    out = Path(path)
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    columns = header()
    first_rate = 2 + len(COUNTS) + 1  # the 1-based column of the first rate

    def sheet_of(title: str, rows: Sequence[list[Any]]) -> Any:
        sheet = book.create_sheet(title)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append(row)
        for i in range(len(RATES)):
            for (cell,) in sheet.iter_rows(
                min_row=2, min_col=first_rate + 3 * i, max_col=first_rate + 3 * i
            ):
                cell.number_format = "0.0%"
        sheet.freeze_panes = "C2"
        sheet.column_dimensions["B"].width = 24
        return sheet

    counties = [figure_row(o.code, o.name, o.figures) for o in report.offices]
    counties.append(figure_row("合计", "全市", report.total))
    sheet = sheet_of("县区", counties)
    anchor_row = len(counties) + 4
    for n, key in enumerate(CHARTED):
        index = [k for k, _label in RATES].index(key)
        column = first_rate + 3 * index
        chart = BarChart()
        chart.type = "col"
        chart.title = dict(RATES)[key]
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.legend = None
        last = len(report.offices) + 1  # the counties, without the total
        chart.add_data(
            Reference(sheet, min_col=column, min_row=1, max_row=max(last, 2)), titles_from_data=True
        )
        chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=max(last, 2)))
        chart.width, chart.height = 16, 7.5
        sheet.add_chart(chart, f"B{anchor_row + 16 * n}")

    sheet_of(
        "服务点",
        [figure_row(p.code, p.name, p.figures) for o in report.offices for p in o.points],
    )
    items = book.create_sheet("事项用时")
    items.append(["事项", "名称", "本期办结件数", "中位数（工作日）", "90% 分位（工作日）"])
    for cell in items[1]:
        cell.font = bold
    for group in report.items:
        for item_no, ages in group.figures.ages.items():
            items.append([item_no, group.name, ages.cases, ages.median, ages.p90])
    items.column_dimensions["B"].width = 32
    if trend is not None:
        _trend_sheet(book, trend, bold, LineChart, Reference)
    if lists is not None:
        _list_sheets(book, lists, bold, listed)
    period = report.period
    book.properties.title = f"{TITLE} {period.first.isoformat()}–{period.last.isoformat()}"
    use_private_umask()
    book.save(out)
    make_private(out)
    return out


def _list_sheets(
    book: Any,
    lists: ActionLists,
    bold: Any,
    listed: Callable[[str], Iterable[ListedCase]] | None = None,
) -> None:
    """Sheet 清单汇总 (each list's count per county), then a sheet per list: its entries up to
    `XLSX_LIST_ROWS`, and a last line saying how many more there are."""
    sheets = [("清单汇总", "", counts_table(lists))]
    for key, label in LIST_LABELS.items():
        entries = listed(key) if listed is not None and key in CASE_LISTS else None
        sheets.append((label, key, list_table(lists, key, XLSX_LIST_ROWS, entries)))
    for title, key, rows in sheets:
        sheet = book.create_sheet(title[:31])  # Excel's limit on a sheet name
        for row in rows:
            sheet.append(row)
        if key and (more := lists.count(key) - (len(rows) - 1)) > 0:
            sheet.append([f"……另有 {more} 件，完整清单用 clerk city lists --json"])
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"


def _trend_sheet(book: Any, trend: SupervisionTrend, bold: Any, line_chart: Any, ref: Any) -> None:
    """The whole's figures month by month with a native line chart of its main rates, then each
    county's 受理量 and 按时办结率 month by month."""
    labels = dict(RATES)
    sheet = book.create_sheet("趋势")
    sheet.append(["月份"] + [label for _k, label in COUNTS] + [labels[k] for k in TREND_LINES])
    for cell in sheet[1]:
        cell.font = bold
    for month, f in zip(trend.labels(), trend.total, strict=True):
        sheet.append(
            [month]
            + [getattr(f, key) for key, _label in COUNTS]
            + [getattr(f, key).value for key in TREND_LINES]
        )
    first_rate = 2 + len(COUNTS)
    for row in sheet.iter_rows(min_row=2, min_col=first_rate, max_col=first_rate + 3):
        for cell in row:
            cell.number_format = "0.0%"
    chart = line_chart()
    chart.title = "全部：逐月比率"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    months = len(trend.months)
    chart.add_data(
        ref(
            sheet,
            min_col=first_rate,
            max_col=first_rate + len(TREND_LINES) - 1,
            min_row=1,
            max_row=months + 1,
        ),
        titles_from_data=True,
    )
    chart.set_categories(ref(sheet, min_col=1, min_row=2, max_row=months + 1))
    chart.width, chart.height = 20, 9
    sheet.add_chart(chart, f"A{months + 4}")
    top = months + 24
    sheet.cell(row=top, column=1, value="各县区逐月受理量、按时办结率").font = bold
    sheet.append(["代码", "名称"] + trend.labels())
    for o in trend.offices:
        sheet.append([o.code, f"{o.name} 受理量"] + [f.accepted for f in o.months])
        sheet.append([o.code, f"{o.name} 按时办结率"] + [f.on_time.value for f in o.months])
        for cell in sheet[sheet.max_row][2:]:
            cell.number_format = "0.0%"
    sheet.column_dimensions["B"].width = 30
