"""A document read before it is issued: the applicant's part as it will be printed (the service
renders it with the same `compose` as the PDF), F10 issues, Esc goes back. Keyboard only; the
text scrolls (arrows, PgUp/PgDn) so a long document fits 80×24.

Each document has its own screen (its F10 says what it issues): `NoticePreviewScreen`,
`RefusalPreviewScreen`.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen

from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic


class DocumentPreviewScreen(GuardedScreen, ModalScreen[bool]):
    """Dismissed with True (F10: issue) or False (Esc: back to change it)."""

    TITLE_TEXT = ""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield PlainStatic(self.TITLE_TEXT, classes="dialog-title")
            with VerticalScroll(id="notice-scroll"):
                yield PlainStatic(Text(self.text), id="notice-text")
            yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#notice-scroll").focus()

    def action_issue(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
