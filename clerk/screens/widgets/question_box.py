"""A yes/no question with a box to tick, its whole text wrapped over as many lines as it needs.

Textual's `SelectionList` draws one line per option and its `Checkbox` one line per label, so at
80 columns the longer questions of the catalogue ("是否初次办理费用支付业务，或收款账户信息有变化？")
ended in "…" and a clerk could not read what was asked.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

TICKED, EMPTY = "[✓]", "[ ]"
INDENT = 4  # the box and a space


class QuestionBox(Widget, can_focus=True):
    """Space or Enter ticks and unticks; `code` names the condition the question asks about."""

    DEFAULT_CSS = """
    QuestionBox {
        width: 1fr;
        height: auto;
        padding: 0 1;
    }
    QuestionBox:focus {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    """

    BINDINGS = [
        Binding("space", "tick", "勾选", show=False),
        Binding("enter", "tick", "勾选", show=False),
    ]

    value: reactive[bool] = reactive(False)

    class Changed(Message):
        def __init__(self, box: QuestionBox) -> None:
            super().__init__()
            self.box = box

        @property
        def control(self) -> QuestionBox:
            return self.box

    def __init__(self, question: str, code: str, *, classes: str | None = None) -> None:
        super().__init__(name=code, classes=classes)
        self.question = question
        self.code = code

    def lines(self, width: int) -> list[str]:
        """The question cut into lines of `width` cells after the box, the later lines indented
        under the first (a CJK question has no spaces to wrap at, so it is cut by cells)."""
        room = max(width - INDENT, 8)
        lines: list[str] = []
        line = ""
        for char in self.question:
            if cell_len(line + char) > room:
                lines.append(line)
                line = ""
            line += char
        return [*lines, line]

    def render(self) -> Text:
        text = Text(TICKED if self.value else EMPTY, style="bold")
        for n, line in enumerate(self.lines(self.content_size.width)):
            text.append(("\n" + " " * INDENT if n else " ") + line)
        return text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def watch_value(self) -> None:
        self.post_message(self.Changed(self))

    def action_tick(self) -> None:
        self.value = not self.value
