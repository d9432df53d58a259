"""The case tables' cells (clerk/screens/widgets/case_table.py `Cell`): one line of plain text,
drawn cut or padded to the column's width, measured by its terminal cells (a CJK character
takes two), never read as markup."""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.style import Style

from clerk.screens.widgets.plain import Cell

CONSOLE = Console(width=80, color_system=None)


def drawn(cell: Cell, width: int, style: Style | None = None) -> list[str]:
    lines = CONSOLE.render_lines(cell, CONSOLE.options.update_width(width), style=style)
    return ["".join(segment.text for segment in line) for line in lines]


def test_a_cell_is_measured_in_terminal_cells() -> None:
    assert Cell("张*丰").width == 5
    assert Cell("YZ0120250312000001").width == 18
    assert Cell("31 城乡居民参保登记").__rich_measure__(CONSOLE, CONSOLE.options) == Measurement(
        19, 19
    )


def test_a_cell_is_padded_to_a_wider_column() -> None:
    assert drawn(Cell("已受理"), 10) == ["已受理    "]


def test_a_cell_is_cut_to_a_narrower_column_on_a_character_boundary() -> None:
    assert drawn(Cell("31 城乡居民参保登记"), 8) == ["31 城乡 "]


def test_a_cell_fills_a_column_of_its_own_width_unchanged() -> None:
    assert drawn(Cell("03-25"), 5) == ["03-25"]


def test_a_cell_is_one_line_even_in_a_narrow_column() -> None:
    assert len(drawn(Cell("城乡居民基本医疗保险参保登记"), 4)) == 1


def test_brackets_in_a_name_are_shown_not_read_as_markup() -> None:
    assert drawn(Cell("[b]长沙某公司"), 16) == ["[b]长沙某公司   "]


def test_the_row_style_reaches_the_cell() -> None:
    lines = CONSOLE.render_lines(
        Cell("张*丰"), CONSOLE.options.update_width(6), style=Style(reverse=True)
    )
    assert all(segment.style and segment.style.reverse for segment in lines[0])


def test_a_cell_reads_as_its_text() -> None:
    assert str(Cell("张*丰")) == "张*丰"
    assert str([Cell("张*丰"), Cell("已受理")]) == "['张*丰', '已受理']"
