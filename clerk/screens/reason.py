"""A reason (不予受理, 审核不通过, 撤回, 终止, 回访; the review opinion on 审核通过).

A required reason will not close empty. Common reasons are listed under the field: ↓ into the
list, Enter copies one into the field to complete or confirm. With `optional`, the dialog is a
confirmation with an opinion field: Enter confirms, the opinion may stay empty.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from clerk.screens.discard import ConfirmDiscard
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainOptionList, PlainStatic

REASON_MAX_INPUT = (
    300  # the domain limit (clerk.domain.field_limits.REASON_MAX); the field stops there too
)


class ReasonScreen(ConfirmDiscard, GuardedScreen, ModalScreen[str | None]):
    BINDINGS = [
        Binding("f10", "submit", "确定（或 Enter）", id="reason.submit"),
        Binding("escape", "cancel", "取消", id="reason.cancel"),
    ]

    def __init__(
        self,
        title: str,
        prompt: str,
        *,
        placeholder: str = "",
        common: tuple[str, ...] = (),
        optional: bool = False,
        value: str = "",
    ) -> None:
        super().__init__()
        self.value = value  # a reason given before, back to be corrected
        self.title_text = title
        self.prompt = prompt
        self.placeholder = placeholder
        self.common = common
        self.optional = optional

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield PlainStatic(self.title_text, classes="dialog-title")
            yield PlainStatic(self.prompt, classes="hint")
            yield Input(
                self.value,
                placeholder=self.placeholder or "请填写理由，按 Enter 确认",
                max_length=REASON_MAX_INPUT,
                select_on_focus=False,  # a picked common reason is completed, not typed over
                id="reason-input",
            )
            if self.common:
                yield PlainStatic("常用理由（↓ 选择，Enter 填入后可补充）", classes="hint")
                yield PlainOptionList(
                    *[Option(text, id=str(n)) for n, text in enumerate(self.common)],
                    id="reason-common",
                )
            yield PlainStatic("", id="reason-message", classes="error")
            yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key == "down" and self.focused is self.query_one(Input) and self.common:
            self.query_one("#reason-common", OptionList).focus()
            event.stop()

    @on(OptionList.OptionSelected, "#reason-common")
    def _common_chosen(self, event: OptionList.OptionSelected) -> None:
        field = self.query_one("#reason-input", Input)
        field.value = self.common[int(event.option.id or 0)]
        field.cursor_position = len(field.value)
        field.focus()

    @on(Input.Submitted, "#reason-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self._finish(event.value)

    def action_submit(self) -> None:
        self._finish(self.query_one("#reason-input", Input).value)

    def _finish(self, value: str) -> None:
        from clerk.domain.field_limits import checked_reason

        message = self.query_one("#reason-message", Static)
        text = value.strip()
        if not text and not self.optional:
            message.update("理由不能为空，请填写后按 Enter 或 F10。")
            return
        try:  # the service checks again; here the clerk keeps what was typed to correct it
            text = checked_reason(text) if text else text
        except ValueError as exc:
            message.update(str(exc))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.discard_or_ask(lambda: self.dismiss(None))
