"""A problem found in a roster: where (row and column, as the clerk sees them in Excel) and what."""

from __future__ import annotations

from dataclasses import dataclass

FILE = "file"  # the file as a whole cannot be imported (not a workbook, header, merged cells, ...)
ROW = "row"  # the row needs correcting before this student can be enrolled
ENROLLED = "enrolled"  # the student is already enrolled in this database: skipped, not an error


@dataclass(frozen=True, order=True)
class Problem:
    row: int  # spreadsheet row number (1 = the header row); 0 for the file as a whole
    column: str  # the column's Chinese name, "" when the problem is not about one column
    message: str  # Chinese: what is wrong and what to do; never the ID number itself
    kind: str = ROW

    @classmethod
    def file(cls, message: str, *, row: int = 0, column: str = "") -> Problem:
        return cls(row, column, message, FILE)

    def text(self) -> str:
        """The line printed for the clerk: 第12行【证件号码】校验位应为 X，…"""
        where = f"第{self.row}行" if self.row else "整个文件"
        if self.column:
            where += f"【{self.column}】"
        return f"{where}：{self.message}"
