"""重置密码: an administrator sets a new password for an account (this also lifts a lockout)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from clerk.domain.limits import MIN_PASSWORD_LENGTH
from clerk.screens.discard import ConfirmDiscard
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic

if TYPE_CHECKING:
    from clerk.service.window import User, Window


class PasswordResetScreen(ConfirmDiscard, GuardedScreen, ModalScreen[bool]):
    """Returns True once the new password is stored, False when cancelled."""

    BINDINGS = [
        Binding("f10", "submit", "保存", id="password.submit"),
        Binding("escape", "cancel", "取消", id="password.cancel"),
    ]

    def __init__(self, window: Window, user: User, *, actor: Any) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.actor = actor

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield PlainStatic(
                f"重置密码：{self.user.login}　{self.user.name}", classes="dialog-title"
            )
            yield PlainStatic(
                "设置后请把新密码当面告诉本人，并提醒其妥善保管。账号如被锁定，将一并解锁。",
                classes="hint",
            )
            yield Input(
                placeholder=f"新密码（至少{MIN_PASSWORD_LENGTH}位，不能与登录名相同）",
                password=True,
                id="password-new",
            )
            yield Input(placeholder="再次输入新密码", password=True, id="password-confirm")
            yield PlainStatic("", id="password-message", classes="error")
            yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#password-new", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "password-new":
            self.query_one("#password-confirm", Input).focus()
        else:
            self.action_submit()

    def action_submit(self) -> None:
        from clerk.service.case_reader import ServiceError
        from clerk.service.window import UserError

        message = self.query_one("#password-message", Static)
        new = self.query_one("#password-new", Input)
        confirm = self.query_one("#password-confirm", Input)
        if new.value != confirm.value:
            message.update("两次输入的密码不一致，请重新输入。")
            self._clear()
            return
        try:
            self.window.reset_password(self.actor, self.user.login, new.value)
        except (UserError, ServiceError) as exc:
            message.update(str(exc))
            self._clear()
            return
        self.dismiss(True)

    def _clear(self) -> None:
        self.query_one("#password-new", Input).value = ""
        self.query_one("#password-confirm", Input).value = ""
        self.query_one("#password-new", Input).focus()

    def action_cancel(self) -> None:
        self.discard_or_ask(lambda: self.dismiss(False))
