"""Choose one of a few options by digit or arrows (rating, which field to reveal, which document)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainOptionList, PlainStatic

MAX_DIGIT_CHOICES = 9


class ChoiceScreen(GuardedScreen, ModalScreen[str | None]):
    """Returns the chosen option's value, or None. Digits 1-9 choose directly."""

    BINDINGS = [
        Binding("escape", "cancel", "取消", id="choice.cancel"),
        *[
            Binding(str(n), f"pick({n})", f"第{n}项", id=f"choice.pick_{n}", show=False)
            for n in range(1, MAX_DIGIT_CHOICES + 1)
        ],
    ]

    def __init__(self, title: str, options: list[tuple[str, str]], *, hint: str = "") -> None:
        """`options` are (value, label) pairs."""
        super().__init__()
        self.title_text = title
        self.options = options
        self.hint = hint or "按数字键直接选择，或 ↑↓ 后 Enter；Esc 取消"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield PlainStatic(self.title_text, classes="dialog-title")
            yield PlainOptionList(
                *[
                    Option(f"{n}. {label}", id=value)
                    for n, (value, label) in enumerate(self.options, 1)
                ],
                id="choice-list",
            )
            yield PlainStatic(self.hint, classes="hint")
            yield SteadyFooter()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def action_pick(self, n: int) -> None:
        if 1 <= n <= len(self.options):
            self.dismiss(self.options[n - 1][0])

    @on(OptionList.OptionSelected, "#choice-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
