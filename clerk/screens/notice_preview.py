"""一次性告知书 preview: the clerk reads the notice before it is issued (F10 issues, Esc goes back).

The text shown is the applicant's part of the document as it will be printed (the service renders
it with the same `compose` as the PDF), so the paper says exactly what the preview said.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from clerk.screens.textual_patches import GuardedScreen


class NoticePreviewScreen(GuardedScreen, ModalScreen[bool]):
    BINDINGS = [
        Binding("f10", "issue", "出具告知书", id="notice.issue"),
        Binding("escape", "back", "返回修改", id="notice.back"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("一次性告知书（预览）　核对无误后按 F10 出具", classes="dialog-title")
            with VerticalScroll(id="notice-scroll"):
                yield Static(Text(self.text), id="notice-text")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#notice-scroll").focus()

    def action_issue(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
