"""The monthly supervision report as PDF (`clerk city report --month YYYY-MM --pdf FILE`).

A4 landscape, the project's CJK font embedded (`clerk.documents.fonts`): a title and the whole's
figures; bar charts per county (受理量, 按时办结率, 超期率, 好评率); trend lines of the whole's
rates over the trend's months; the counties' table (every rate with the counts behind it); the
points' table; the working-day ages per item; the counties' month-by-month 按时办结率 and 受理量.
Drawn with reportlab's own graphics (no image files). `progress` hears each step as it is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clerk.domain.indicators import Figures, Rate
from clerk.service.supervision import SupervisionReport, SupervisionTrend
from clerk.service.supervision_lists import (
    LIST_LABELS,
    LIST_ROWS_SHOWN,
    ActionLists,
    counts_table,
    list_table,
)
from clerk.support.file_modes import make_private, use_private_umask
from clerk.support.progress import Progress, silent

TITLE = "医保经办监督月报"
# The rates of the tables (key, label), and of the trend lines.
TABLE_RATES: tuple[tuple[str, str], ...] = (
    ("closure", "办结率"),
    ("on_time", "按时办结率"),
    ("overdue", "超期率"),
    ("one_time_notice", "一次性告知率"),
    ("refusal", "不予受理率"),
    ("good", "好评率"),
    ("follow_up", "回访率"),
)
TREND_RATES: tuple[tuple[str, str], ...] = (
    ("on_time", "按时办结率"),
    ("overdue", "超期率"),
    ("good", "好评率"),
    ("follow_up", "回访率"),
)
BAR_CHARTS: tuple[tuple[str, str], ...] = (
    ("accepted", "受理量"),
    ("on_time", "按时办结率（%）"),
    ("overdue", "超期率（%）"),
    ("good", "好评率（%）"),
)
STEPS = 6  # what `progress` counts to
LINE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def _percent(rate: Rate) -> float:
    value = rate.value
    return 0.0 if value is None else round(value * 100, 1)


def _cell(rate: Rate) -> str:
    return f"{rate.percent()}\n{rate.part}/{rate.whole}"


def figures_row(code: str, name: str, f: Figures) -> list[str]:
    """One table row: code, name, 受理量, 办结量, each rate with its counts, 差评数."""
    row = [code, name, str(f.accepted), str(f.closed)]
    row += [_cell(getattr(f, key)) for key, _label in TABLE_RATES]
    row.append(str(f.bad))
    return row


def table_header() -> list[str]:
    return ["代码", "名称", "受理量", "办结量"] + [label for _k, label in TABLE_RATES] + ["差评数"]


def write_pdf(
    report: SupervisionReport,
    trend: SupervisionTrend,
    path: str | Path,
    progress: Progress = silent,
    lists: ActionLists | None = None,
) -> Path:
    """Write the report to `path` (private file mode); returns the path. `lists`: the lists that
    need action, added as a last section (counts per county, then each list's first
    `LIST_ROWS_SHOWN` entries)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from clerk.documents.fonts import pdf_font

    font = pdf_font().name
    done = 0
    steps = STEPS + (1 if lists is not None else 0)

    def step(what: str) -> None:
        nonlocal done
        done += 1
        progress(f"写出 PDF：{what}", done, steps)

    title_style = ParagraphStyle("t", fontName=font, fontSize=18, leading=24, spaceAfter=4)
    heading = ParagraphStyle("h", fontName=font, fontSize=13, leading=18, spaceBefore=6)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    period = report.period
    month = f"{period.first.year} 年 {period.first.month} 月"
    if period.first != period.last and period.first.day == 1:
        span = month
    else:
        span = f"{period.first.isoformat()} 至 {period.last.isoformat()}"

    def table(rows: Sequence[Sequence[str]], widths: Sequence[float] | None = None) -> Any:
        t = Table([list(r) for r in rows], colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), font, 7.5, 9),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("ALIGN", (2, 0), (-1, -1), "CENTER"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return t

    story: list[Any] = [
        Paragraph(f"{TITLE}　{span}", title_style),
        Paragraph(
            f"统计范围：{len(report.offices)} 个县区经办机构及其服务点；"
            f"差评回访期限 {report.follow_up_days} 个工作日；"
            "每个比率下方为其分子/分母，无可计算的件为“—”。",
            body,
        ),
        Spacer(1, 4 * mm),
        table(
            [table_header(), figures_row("合计", "全部", report.total)],
            _widths(),
        ),
        Spacer(1, 4 * mm),
    ]
    step("全部合计")

    charts = [_bar_chart(report, key, label, font) for key, label in BAR_CHARTS]
    grid = Table([charts[:2], charts[2:]], hAlign="LEFT")
    grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 8)]))  # no Helvetica named
    story += [
        Paragraph(f"趋势（{trend.labels()[0]} 至 {trend.labels()[-1]}，全部）", heading),
        _trend_chart(trend, font),
        PageBreak(),
        Paragraph("各县区对比", heading),
        grid,
        PageBreak(),
    ]
    step("各县区对比图")

    story += [
        Paragraph("逐月指标（全部）", heading),
        table(
            [["月份", "受理量", "办结量"] + [label for _k, label in TREND_RATES] + ["差评数"]]
            + [
                [label, str(f.accepted), str(f.closed)]
                + [_cell(getattr(f, key)) for key, _l in TREND_RATES]
                + [str(f.bad)]
                for label, f in zip(trend.labels(), trend.total, strict=True)
            ]
        ),
        PageBreak(),
    ]
    step("趋势")

    story += [
        Paragraph("各县区指标", heading),
        table(
            [table_header()]
            + [figures_row(o.code, o.name, o.figures) for o in report.offices]
            + [figures_row("合计", "全部", report.total)],
            _widths(),
        ),
        Paragraph("各服务点指标", heading),
        table(
            [table_header()]
            + [figures_row(p.code, p.name, p.figures) for o in report.offices for p in o.points],
            _widths(),
        ),
    ]
    step("指标表")

    ages = [["事项", "名称", "本期办结件数", "中位数（工作日）", "90% 分位（工作日）"]]
    for group in report.items:
        for item_no, a in group.figures.ages.items():
            ages.append(
                [
                    str(item_no),
                    group.name,
                    str(a.cases),
                    "—" if a.median is None else f"{a.median:g}",
                    "—" if a.p90 is None else str(a.p90),
                ]
            )
    story += [
        Paragraph("各事项办理用时", heading),
        KeepTogether([table(ages, [14 * mm, 110 * mm, 28 * mm, 32 * mm, 32 * mm])])
        if len(ages) < 30
        else table(ages, [14 * mm, 110 * mm, 28 * mm, 32 * mm, 32 * mm]),
    ]
    months = trend.labels()
    story += [
        Paragraph("各县区逐月受理量与按时办结率", heading),
        table(
            [["代码", "名称"] + [m[2:] for m in months]]
            + [
                [o.code, o.name] + [f"{f.accepted}\n{f.on_time.percent()}" for f in o.months]
                for o in trend.offices
            ]
        ),
    ]
    step("用时与逐月表")

    if lists is not None:
        story += _lists_section(lists, table, heading, body)
        step("需要处理的清单")

    out = Path(path)
    use_private_umask()
    doc = SimpleDocTemplate(
        str(out),
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=f"{TITLE} {span}",
        author="clerk",
        initialFontName=font,
    )

    def footer(canvas: Any, d: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawRightString(d.pagesize[0] - 12 * mm, 7 * mm, f"{TITLE}　{span}　第 {d.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    make_private(out)
    step("写出")
    return out


def _lists_section(lists: ActionLists, table: Any, heading: Any, body: Any) -> list[Any]:
    """The lists that need action: how many per county, then each list's first entries."""
    from reportlab.platypus import PageBreak, Paragraph

    out: list[Any] = [
        PageBreak(),
        Paragraph(
            f"需要处理的清单（截至 {lists.day.isoformat()}，"
            f"差评回访期限 {lists.follow_up_days} 个工作日）",
            heading,
        ),
        table([[str(c) for c in row] for row in counts_table(lists)]),
    ]
    if lists.overdue_period is not None:
        p = lists.overdue_period
        out.append(
            Paragraph(
                f"超期清单为 {p.first.isoformat()} 至 {p.last.isoformat()} 期间超期的办件"
                "（期内超期办结，或期末仍在办且已过期限），与本期超期率的分子一致。",
                body,
            )
        )
    for key, label in LIST_LABELS.items():
        entries = getattr(lists, key)[:LIST_ROWS_SHOWN]
        total = lists.count(key)
        out.append(Paragraph(f"{label}：{total} 件", heading))
        if entries:
            rows = list_table(lists, key, len(entries))
            out.append(table([[str(c) for c in row] for row in rows]))
        if total > len(entries):
            more = total - len(entries)
            out.append(Paragraph(f"……另有 {more} 件，完整清单见 Excel 文件或 --json。", body))
    return out


def _widths() -> list[float]:
    from reportlab.lib.units import mm

    return [16 * mm, 44 * mm, 16 * mm, 16 * mm] + [25 * mm] * len(TABLE_RATES) + [16 * mm]


def _bar_chart(report: SupervisionReport, key: str, label: str, font: str) -> Any:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    offices = report.offices
    values = [
        float(getattr(o.figures, key)) if key == "accepted" else _percent(getattr(o.figures, key))
        for o in offices
    ]
    drawing = Drawing(380, 190, initialFontName=font)
    drawing.add(String(190, 176, label, fontName=font, fontSize=10, textAnchor="middle"))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 36, 30, 330, 135
    chart.data = [values or [0.0]]
    chart.categoryAxis.categoryNames = [o.code for o in offices] or ["—"]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(offices) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(offices) > 8 else "n"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    chart.barLabels.fontName = font
    chart.valueAxis.valueMin = 0
    if key != "accepted":
        chart.valueAxis.valueMax = 100
        chart.valueAxis.valueStep = 20
    chart.bars[0].fillColor = colors.HexColor("#4a78b5")
    chart.barLabels.fontSize = 6
    chart.barLabelFormat = "%g"
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def _trend_chart(trend: SupervisionTrend, font: str) -> Any:
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(760, 200, initialFontName=font)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, 560, 160
    chart.data = [  # a month with nothing to divide leaves a gap, not a fall to 0
        [None if getattr(f, key).value is None else _percent(getattr(f, key)) for f in trend.total]
        for key, _l in TREND_RATES
    ]
    chart.categoryAxis.categoryNames = [m[2:] for m in trend.labels()]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    for i, colour in enumerate(LINE_COLOURS[: len(TREND_RATES)]):
        chart.lines[i].strokeColor = colors.HexColor(colour)
        chart.lines[i].strokeWidth = 1.5
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 620, 170
    legend.fontName = font
    legend.fontSize = 8
    legend.columnMaximum = len(TREND_RATES)
    legend.colorNamePairs = [
        (colors.HexColor(c), f"{label}（%）")
        for c, (_k, label) in zip(LINE_COLOURS, TREND_RATES, strict=False)
    ]
    drawing.add(legend)
    return drawing
