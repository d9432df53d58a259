"""Widgets that show text as it was typed: never read as markup.

Textual reads a `str` given to a `Static`, an `OptionList` option or a `DataTable` cell as markup:
"[b]" vanishes and a stray closing tag ("见附件[/1]" in a refusal reason, "王[/x]" in an account's
name) raised `MarkupError` and ended the app as the screen was drawn. The window shows names,
reasons, unit names and file names that clerks and applicants typed, and uses no markup in its
own texts, so every one of these widgets takes text as plain (`PlainStatic`, `PlainOptionList`,
`PlainTable`); styled text is passed as a Rich `Text` or a Textual `Content`, as before.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.data_table import ColumnKey, RowKey


class PlainStatic(Static):
    """A `Static` whose strings are shown as they are (`markup=False` unless asked)."""

    def __init__(self, *args: Any, markup: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, markup=markup, **kwargs)


class PlainOptionList(OptionList):
    """An `OptionList` whose string prompts are shown as they are."""

    def __init__(self, *args: Any, markup: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, markup=markup, **kwargs)


class Cell:
    """One line of plain text in a table cell, drawn as one segment cut or padded to the column.

    DataTable reads a `str` cell as markup and draws it as a Rich `Text` (wrapping, justifying),
    ~75 µs a cell: the case tables' largest cost when a queue is shown. The row's style (cursor,
    zebra stripe) is applied by DataTable as before. Equal to its text, so a row reads as strings.
    """

    __slots__ = ("text", "width")

    def __init__(self, text: str) -> None:
        self.text = text
        self.width = cell_len(text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return repr(self.text)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Cell):
            return other.text == self.text
        if isinstance(other, str):
            return other == self.text
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        yield Segment(self.text if self.width == width else set_cell_size(self.text, width))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)


def plain(value: Any) -> Any:
    """A `str` as plain text (a `Cell`, or a `Text` if it runs over lines); anything else as is."""
    if not isinstance(value, str):
        return value
    return Text(value, end="") if "\n" in value else Cell(value)


def plain_label(label: Any) -> Any:
    return Text(label) if isinstance(label, str) else label


class PlainTable(DataTable[Any]):
    """A `DataTable` whose string cells, column labels and row labels are shown as they are."""

    def add_column(
        self,
        label: Any,
        *,
        width: int | None = None,
        key: str | None = None,
        default: Any = None,
    ) -> ColumnKey:
        return super().add_column(plain_label(label), width=width, key=key, default=plain(default))

    def add_row(
        self,
        *cells: Any,
        height: int | None = 1,
        key: str | None = None,
        label: Any = None,
    ) -> RowKey:
        return super().add_row(
            *(plain(cell) for cell in cells), height=height, key=key, label=plain_label(label)
        )

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: Any,
        *,
        update_width: bool = False,
    ) -> None:
        super().update_cell(row_key, column_key, plain(value), update_width=update_width)

    def update_cell_at(
        self, coordinate: Coordinate, value: Any, *, update_width: bool = False
    ) -> None:
        super().update_cell_at(coordinate, plain(value), update_width=update_width)
