"""Reading a roster file: an .xlsx workbook or a CSV file, into rows of raw cell values.

Nothing is judged here except what only the file can tell: whether it is a workbook at all, which
sheet holds the roster, other sheets that also hold data, and merged cells. The row checks are in
`clerk.roster.checks`. The file's SHA-256 is taken over the bytes read, so the batch record names
exactly the file that was checked.

CSV files are read as UTF-8 (with or without BOM) or, failing that, GB18030: Excel on a Chinese
Windows saves "CSV" in the ANSI code page (GBK), which GB18030 reads.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clerk.roster.columns import INSTRUCTIONS_SHEET, SHEET_NAME
from clerk.roster.problems import Problem

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc) format
MAX_LISTED_MERGES = 20


@dataclass
class Sheet:
    """The roster's rows as read: (spreadsheet row number, cell values), empty rows left out."""

    source: str  # the file name (no directory: it is printed on the receipt)
    kind: str  # "xlsx" | "csv" | "unknown"
    sha256: str
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # file-level problems


def read_roster(path: str | Path) -> Sheet:
    """Read `path`; raises `OSError` only when the file cannot be read at all."""
    path = Path(path)
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    sheet = Sheet(source=path.name, kind="unknown", sha256=sha)
    if not data.strip():
        sheet.problems.append(Problem.file("文件是空的，请选择填好的名册文件。"))
    elif data.startswith(OLE_MAGIC):
        sheet.problems.append(
            Problem.file(
                "这是旧版 Excel（.xls）文件，请在 Excel 中“另存为”Excel 工作簿（.xlsx）或 CSV 后再导入。"
            )
        )
    elif data.startswith(ZIP_MAGIC):
        sheet.kind = "xlsx"
        _read_xlsx(data, sheet)
    else:
        text = _decode(data)
        if text is None or "\x00" in text:
            sheet.problems.append(
                Problem.file(
                    "文件不是 Excel 工作簿（.xlsx），也不是 CSV 文本，无法读取。"
                    "请用 clerk roster template 生成的模板填写，保存为 .xlsx 后再导入。"
                )
            )
        else:
            sheet.kind = "csv"
            _read_csv(text, sheet)
    return sheet


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_csv(text: str, sheet: Sheet) -> None:
    try:
        for n, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if not all(_empty(c) for c in cells):
                sheet.rows.append((n, tuple(cells)))
    except csv.Error as exc:
        sheet.problems.append(
            Problem.file(f"CSV 文件格式有误（{exc}），请在 Excel 中打开后另存为 .xlsx 再导入。")
        )


def _read_xlsx(data: bytes, sheet: Sheet) -> None:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged or foreign zip
        sheet.kind = "unknown"
        sheet.problems.append(
            Problem.file(
                "文件无法作为 Excel 工作簿（.xlsx）打开，可能已损坏或不是 Excel 文件。"
                "请在 Excel 中打开并重新保存为 .xlsx 后再导入。"
            )
        )
        return
    try:
        worksheets = list(book.worksheets)
        chosen = next((ws for ws in worksheets if ws.title == SHEET_NAME), None)
        if chosen is None:
            chosen = next(
                (ws for ws in worksheets if ws.title != INSTRUCTIONS_SHEET), worksheets[0]
            )
        for ws in worksheets:
            if ws is chosen or ws.title == INSTRUCTIONS_SHEET:
                continue
            if any(not _empty(v) for row in ws.iter_rows(values_only=True) for v in row):
                sheet.problems.append(
                    Problem.file(
                        f"工作簿中还有工作表“{ws.title}”也填了内容。名册只能放在一个工作表（“{chosen.title}”）中："
                        f"请把学生合并到同一个工作表，删除工作表“{ws.title}”后再导入。"
                    )
                )
        merges = sorted(chosen.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
        for merged in merges[:MAX_LISTED_MERGES]:
            sheet.problems.append(
                Problem.file(
                    f"{merged.coord} 是合并单元格：合并后只有第一个格子有内容。"
                    "请取消合并，每个学生一行、每格一项后再导入。",
                    row=merged.min_row,
                )
            )
        if len(merges) > MAX_LISTED_MERGES:
            sheet.problems.append(
                Problem.file(
                    f"另有 {len(merges) - MAX_LISTED_MERGES} 处合并单元格未列出，请全部取消合并。"
                )
            )
        for n, values in enumerate(chosen.iter_rows(values_only=True), start=1):
            if not all(_empty(v) for v in values):
                sheet.rows.append((n, tuple(values)))
    finally:
        book.close()
