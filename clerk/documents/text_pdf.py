"""A fixed-width text (the daily ledger) as an A4 PDF, in the same embedded CJK font as the documents.

CUPS would print a text file through its own text filter, which has no Chinese font on most
machines; a PDF carries its glyphs. Lines are wrapped to the page width and paginated.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from clerk.documents.fonts import pdf_font

SIZE = 9
LEADING = 12.5
MARGIN = 15 * mm


def render_text_pdf(text: str, path: Path, *, title: str, created: datetime) -> Path:
    font = pdf_font().name
    canvas = Canvas(str(path), pagesize=A4, invariant=1, initialFontName=font)
    canvas.setTitle(title)
    canvas.setCreator("clerk")
    stamp = f"D:{created:%Y%m%d%H%M%S}+08'00'"
    canvas.setDateFormatter(lambda *_ymdhms: stamp)
    width, height = A4
    y = height - MARGIN
    canvas.setFont(font, SIZE)
    for line in text.splitlines() or [""]:
        for piece in simpleSplit(line, font, SIZE, width - 2 * MARGIN) or [""]:
            if y < MARGIN:
                canvas.showPage()
                canvas.setFont(font, SIZE)
                y = height - MARGIN
            canvas.drawString(MARGIN, y, piece)
            y -= LEADING
    canvas.save()
    return path
