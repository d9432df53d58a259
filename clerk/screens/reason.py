"""A required reason (不予受理, 审核不通过, 撤回, 终止, 回访): the dialog will not close empty."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from clerk.widgets.discard import ConfirmDiscard
from clerk.widgets.guard import GuardedScreen


class ReasonScreen(ConfirmDiscard, GuardedScreen, ModalScreen[str | None]):
    BINDINGS = [
        Binding("f10", "submit", "确定（或 Enter）", id="reason.submit"),
        Binding("escape", "cancel", "取消", id="reason.cancel"),
    ]

    def __init__(self, title: str, prompt: str, *, placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.prompt, classes="hint")
            yield Input(placeholder=self.placeholder or "请填写理由，按 Enter 确认", id="reason-input")
            yield Static("", id="reason-message", classes="error")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#reason-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self._finish(event.value)

    def action_submit(self) -> None:
        self._finish(self.query_one("#reason-input", Input).value)

    def _finish(self, value: str) -> None:
        text = value.strip()
        if not text:
            self.query_one("#reason-message", Static).update("理由不能为空，请填写后按 Enter 或 F10。")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.discard_or_ask(lambda: self.dismiss(None))
