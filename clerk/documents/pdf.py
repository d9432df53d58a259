"""The printed document: an A4 PDF with both parts, laid out with reportlab.

The words come from `clerk.documents.text.compose`, so the PDF says exactly what the text file
says. The font is a CJK TrueType font found on the machine, embedded as a subset of the glyphs used
(`clerk.documents.fonts`), so the PDF shows its Chinese on any reader; the CID font STSong-Light is
only a last resort. Both parts share one page when they fit, with a dashed cut line between them;
otherwise each part gets its own page. The output is byte-for-byte reproducible for the same data
(reportlab's `invariant` mode, with the creation date set to the document's own issue time rather
than invariant mode's 2000-01-01), so its SHA-256 identifies the document.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as rl_paragraph

from clerk.documents.fonts import pdf_font
from clerk.documents.model import PART_LABELS, DocumentData
from clerk.documents.text import (
    CUT_LABEL,
    DATE_BLANK,
    RECEIPT_SENTENCE,
    SIGN_BLANK,
    Content,
    NumberedList,
    compose,
)
from clerk.domain.clock import TZ

MARGIN_X = 16 * mm
MARGIN_Y = 11 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN_X
FRAME_HEIGHT = A4[1] - 2 * MARGIN_Y
BODY_SIZE = 10
TITLE_SIZE = 17
SMALL_SIZE = 8.5
INDENT = 2 * BODY_SIZE  # two characters, as Chinese paragraphs begin
# SimpleDocTemplate's frame pads 6 pt on each side; measured heights must leave room for it.
FRAME_PADDING = 12
CONTENT_WIDTH = FRAME_WIDTH - FRAME_PADDING


# Chinese punctuation that must not begin a line. reportlab's CJK wrapping knows the Japanese set
# but not the full-width comma, colon, semicolon, question and exclamation marks.
_CANNOT_START = "，：；？！、。）》」』】"


@cache
def _font() -> str:
    name = pdf_font().name
    _teach_line_breaking()
    _measure_characters_once()
    return name


def _teach_line_breaking() -> None:
    """Add Chinese closing punctuation to the set reportlab hangs at a line's end instead of wrapping."""
    for module in (rl_paragraph, rl_textsplit):  # multi-fragment and single-fragment paragraphs
        missing = "".join(ch for ch in _CANNOT_START if ch not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing


_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def _char_widths(word: str, font_name: str, font_size: float) -> list[float]:
    """`reportlab.lib.textsplit.getCharWidths` with each character's width measured once per
    process and size: CJK wrapping measures every character of every line again at every wrap
    (a paragraph is wrapped two or three times: fitting both parts on one page, the frame, the
    table cells), one `stringWidth` call per character. Same numbers, so the same bytes."""
    widths = _WIDTHS.get((font_name, font_size))
    if widths is None:
        widths = _WIDTHS.setdefault((font_name, font_size), {})
    out = []
    for ch in word:
        width = widths.get(ch)
        if width is None:
            width = widths[ch] = pdfmetrics.stringWidth(ch, font_name, font_size)
        out.append(width)
    return out


def _measure_characters_once() -> None:
    """CJK line breaking (`textsplit.wordSplit`) measures characters through the module's
    `getCharWidths`; give it the remembering one."""
    rl_textsplit.getCharWidths = _char_widths


@cache
def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    body = ParagraphStyle(
        "body", fontName=font, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.45, wordWrap="CJK"
    )
    return {
        "body": ParagraphStyle("para", parent=body, firstLineIndent=INDENT),
        "plain": body,
        "list": ParagraphStyle("list", parent=body, leftIndent=INDENT + 12, firstLineIndent=-12),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12.5),
        "label": ParagraphStyle("label", parent=body, fontSize=9.5, leading=12.5),
        "small": ParagraphStyle(
            "small", parent=body, fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.4
        ),
        "part": ParagraphStyle("part", parent=body, fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.3),
        "docno": ParagraphStyle(
            "docno", parent=body, fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.3, alignment=TA_RIGHT
        ),
        "seal": ParagraphStyle("seal", parent=body, alignment=TA_RIGHT),
    }


def _p(text: str, style: str) -> Paragraph:
    return Paragraph(escape(text), _styles()[style])


class _Title(Flowable):
    """The title, centred, larger, drawn with fill and stroke so the light Song face looks bold."""

    def __init__(self, text: str, size: float = TITLE_SIZE) -> None:
        super().__init__()
        self.text = text
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.size * 1.5

    def draw(self) -> None:
        canvas = self.canv
        text_width = pdfmetrics.stringWidth(self.text, _font(), self.size)
        canvas.saveState()
        canvas.setLineWidth(0.45)
        obj = canvas.beginText()
        obj.setFont(_font(), self.size)
        obj.setTextRenderMode(2)
        obj.setTextOrigin((self.width - text_width) / 2, self.size * 0.4)
        obj.textOut(self.text)
        canvas.drawText(obj)
        canvas.restoreState()


class _CutLine(Flowable):
    """A dashed line across the page with 沿此线剪开 in its middle."""

    def __init__(self, label: str = CUT_LABEL) -> None:
        super().__init__()
        self.label = label
        self.spaceBefore = 4 * mm
        self.spaceAfter = 4 * mm

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, SMALL_SIZE * 1.5

    def draw(self) -> None:
        canvas = self.canv
        y = SMALL_SIZE * 0.75
        label_width = pdfmetrics.stringWidth(self.label, _font(), SMALL_SIZE)
        gap_left = (self.width - label_width) / 2 - 4
        gap_right = (self.width + label_width) / 2 + 4
        canvas.saveState()
        canvas.setDash(4, 3)
        canvas.setLineWidth(0.6)
        canvas.setStrokeColor(colors.grey)
        canvas.line(0, y, gap_left, y)
        canvas.line(gap_right, y, self.width, y)
        canvas.setFillColor(colors.grey)
        canvas.setFont(_font(), SMALL_SIZE)
        canvas.drawCentredString(self.width / 2, y - SMALL_SIZE * 0.35, self.label)
        canvas.restoreState()


def _fields_table(fields: tuple[tuple[str, str], ...]) -> Table:
    """The header facts in a ruled grid, two label/value pairs a row; an odd last pair spans."""
    label_w = 17 * mm
    value_w = CONTENT_WIDTH / 2 - label_w
    rows: list[list[object]] = []
    spans: list[tuple[int, int]] = []
    for i in range(0, len(fields), 2):
        pair = fields[i : i + 2]
        row: list[object] = []
        for label, value in pair:
            row += [_p(label, "label"), _p(value, "cell")]
        if len(pair) == 1:
            row += ["", ""]
            spans.append((len(rows), len(rows)))
        rows.append(row)
    table = Table(rows, colWidths=[label_w, value_w, label_w, value_w])
    style = [
        ("FONTNAME", (0, 0), (-1, -1), _font()),  # empty cells too: no stray Helvetica
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    for row_no in range(len(rows)):
        if (row_no, row_no) in spans:
            style.append(("SPAN", (1, row_no), (3, row_no)))
        else:
            style.append(("BACKGROUND", (2, row_no), (2, row_no), colors.HexColor("#eeeeee")))
    table.setStyle(TableStyle(style))
    return table


def _header(part: int, doc_no: str) -> Table:
    label = f"【第{'一二'[part]}联　{PART_LABELS[part]}】"
    table = Table(
        [[_p(label, "part"), _p(f"文书编号：{doc_no}", "docno")]],
        colWidths=[CONTENT_WIDTH * 0.35, CONTENT_WIDTH * 0.65],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), _font()),  # empty cells too: no stray Helvetica
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _signatures(content: Content, part: int) -> list[Flowable]:
    """Signature lines on the left; the office name and date on the right, where the seal goes."""
    left = [_p(f"经办人：{content.clerk_name}", "plain")]
    if part == 0:
        left.append(_p(RECEIPT_SENTENCE, "plain"))
    left += [_p(f"申请人签字：{SIGN_BLANK}", "plain"), _p(f"日期：{DATE_BLANK}", "plain")]
    right = [_p(f"{content.office_name}（盖章）", "seal")]
    if content.on_behalf:
        right.append(_p(content.on_behalf, "seal"))
    right.append(_p(content.issued_on, "seal"))
    table = Table([[left, right]], colWidths=[CONTENT_WIDTH * 0.55, CONTENT_WIDTH * 0.45])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), _font()),  # empty cells too: no stray Helvetica
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    return [table]


def _part(content: Content, part: int) -> list[Flowable]:
    story: list[Flowable] = [
        _header(part, content.doc_no),
        _Title(content.title),
        _fields_table(content.fields),
    ]
    story += [Spacer(1, 2.5 * mm), _p(content.salutation, "plain")]
    for block in content.blocks:
        if isinstance(block, NumberedList):
            if block.heading:
                story.append(_p(block.heading, "body"))
            story += [_p(f"{n}. {entry}", "list") for n, entry in enumerate(block.items, start=1)]
        else:
            story.append(_p(block, "body"))
    story.append(Spacer(1, 2 * mm))
    story += [_p(f"{label}：{value}", "small") for label, value in content.footer]
    story.append(Spacer(1, 2.5 * mm))
    story += _signatures(content, part)
    return story


def _height(story: list[Flowable]) -> float:
    total = 0.0
    for flowable in story:
        _, h = flowable.wrap(CONTENT_WIDTH, FRAME_HEIGHT)
        total += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def build_story(data: DocumentData) -> list[Flowable]:
    """Both parts, on one page with a cut line when they fit, else on separate pages."""
    return content_story(compose(data))


def content_story(content: Content) -> list[Flowable]:
    """Both parts of already composed content (see `build_story`)."""
    first, second = _part(content, 0), _part(content, 1)
    cut = _CutLine()
    if _height(first) + _height([cut]) + _height(second) <= FRAME_HEIGHT - FRAME_PADDING:
        return [*first, cut, *second]
    return [*_part(content, 0), PageBreak(), *_part(content, 1)]


def render_pdf(data: DocumentData, path: Path) -> Path:
    """Write the document as an A4 PDF at `path` and return `path`. Raises `DocumentError`."""
    title = f"{data.title} {data.doc_no}"
    created = data.issued_at or datetime.combine(data.issued_on, time(0, 0), tzinfo=TZ)
    return _write(
        build_story(data),
        path,
        title=title,
        author=data.office_name,
        subject=data.title,
        created=created,
    )


def render_content_pdf(content: Content, path: Path) -> Path:
    """Write already composed content as an A4 PDF at `path` and return `path`."""
    return _write(
        content_story(content),
        path,
        title=f"{content.title} {content.doc_no}",
        author=content.office_name,
        subject=content.title,
    )


def _write(
    story: list[Flowable],
    path: Path,
    *,
    title: str,
    author: str,
    subject: str,
    created: datetime | None = None,
) -> Path:
    """Build the PDF. `created` is its creation date (invariant mode would say 2000-01-01)."""
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_Y,
        bottomMargin=MARGIN_Y,
        title=title,
        author=author,
        subject=subject,
        creator="clerk",
        invariant=1,
        initialFontName=_font(),  # so no unembedded Helvetica is named in the file
    )
    if created is None:
        doc.build(story)
        return path
    stamp = _pdf_date(created)

    def set_creation_date(canvas: Any, _doc: Any) -> None:
        canvas.setDateFormatter(lambda *_ymdhms: stamp)

    doc.build(story, onFirstPage=set_creation_date, onLaterPages=set_creation_date)
    return path


def _pdf_date(moment: datetime) -> str:
    """A PDF date string, D:YYYYMMDDHHmmSS+08'00'."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm_ = divmod(abs(minutes), 60)
    return f"D:{moment:%Y%m%d%H%M%S}{sign}{hh:02d}'{mm_:02d}'"
