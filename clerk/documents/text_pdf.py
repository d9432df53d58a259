"""A fixed-width text (the daily ledger) as an A4 PDF, in the same embedded CJK font as the documents.

CUPS would print a text file through its own text filter, which has no Chinese font on most
machines; a PDF carries its glyphs.

The ledger's tables are columns of a fixed-width text (a CJK character takes two cells), so the
page is laid out as a grid of cells: every run of characters between spaces starts at the x of
its cell and is spaced to end at the x of its last (a CJK glyph is one em, two cells), so the
spaces between columns keep their width and the columns stay under their headers whatever the
font's own widths; a run stays one string, so the PDF's text can still be copied and searched. (reportlab's `simpleSplit`, used before, collapsed runs of spaces and the printed
rows read `YZ03202611090015U 15 演示建筑工程有限公司 已受理 …` with no columns at all.) A line
longer than the page continues on the next line, indented, and pages are numbered.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from clerk.documents.fonts import pdf_font

SIZE = 9
LEADING = 12.5
MARGIN = 15 * mm
CELL = SIZE / 2  # one terminal cell: half the font size; a CJK character takes two
CONTINUED = 4  # cells a continued line is indented by


def cells(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def grid_lines(line: str, width_cells: int) -> list[list[tuple[int, str]]]:
    """`line` as rows of (cell, character), cut where it would pass `width_cells`."""
    rows: list[list[tuple[int, str]]] = [[]]
    col = 0
    for char in line.expandtabs(4):
        wide = cells(char)
        if col + wide > width_cells:
            rows.append([])
            col = CONTINUED
        if char != " ":
            rows[-1].append((col, char))
        col += wide
    return rows


def runs(row: list[tuple[int, str]]) -> list[tuple[int, str, int]]:
    """Adjacent characters of a row joined: (first cell, text, cells it spans)."""
    out: list[tuple[int, str, int]] = []
    for col, char in row:
        if out and out[-1][0] + out[-1][2] == col:
            start, text, span = out[-1]
            out[-1] = (start, text + char, span + cells(char))
        else:
            out.append((col, char, cells(char)))
    return out


def render_text_pdf(text: str, path: Path, *, title: str, created: datetime) -> Path:
    font = pdf_font().name
    canvas = Canvas(str(path), pagesize=A4, invariant=1, initialFontName=font)
    canvas.setTitle(title)
    canvas.setCreator("clerk")
    stamp = f"D:{created:%Y%m%d%H%M%S}+08'00'"
    canvas.setDateFormatter(lambda *_ymdhms: stamp)
    width, height = A4
    width_cells = int((width - 2 * MARGIN) // CELL)
    page = 1

    def footer() -> None:
        canvas.setFont(font, SIZE - 1)
        canvas.drawCentredString(width / 2, MARGIN / 2, f"{title}　第 {page} 页")
        canvas.setFont(font, SIZE)

    y = height - MARGIN
    canvas.setFont(font, SIZE)
    for line in text.splitlines() or [""]:
        for row in grid_lines(line, width_cells):
            if y < MARGIN:
                footer()
                canvas.showPage()
                page += 1
                canvas.setFont(font, SIZE)
                y = height - MARGIN
            for col, run, span in runs(row):
                spare = span * CELL - canvas.stringWidth(run, font, SIZE)
                canvas.drawString(MARGIN + col * CELL, y, run, charSpace=spare / len(run))
            y -= LEADING
    footer()
    canvas.save()
    return path
