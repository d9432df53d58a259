"""修改密码: a user changes their own password (Ctrl+N), and must do so at the first sign-in
with a password an administrator chose (an initial or reset password)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from clerk.screens.discard import ConfirmDiscard
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic

if TYPE_CHECKING:
    from clerk.service.window import Window


class PasswordChangeScreen(ConfirmDiscard, GuardedScreen, ModalScreen[bool]):
    """Returns True once the new password is stored, False when cancelled."""

    BINDINGS = [
        Binding("f10", "submit", "保存", id="password_change.submit"),
        Binding("escape", "cancel", "取消", id="password_change.cancel"),
    ]

    def __init__(self, window: Window, user: Any, *, forced: bool = False) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.forced = forced

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="password-change"):
            yield PlainStatic(
                f"修改密码：{self.user.login}　{self.user.name}", classes="dialog-title"
            )
            if self.forced:
                yield PlainStatic(
                    "您的密码是管理员设置的初始密码或重置密码，请先改成只有您自己知道的密码再开始办理。"
                    "按 Esc 退出登录。",
                    classes="hint",
                )
            yield Input(placeholder="原密码", password=True, id="password-current")
            yield Input(
                placeholder="新密码（至少8位，不能与登录名相同）", password=True, id="password-new"
            )
            yield Input(placeholder="再次输入新密码", password=True, id="password-confirm")
            yield PlainStatic("", id="password-change-message", classes="error")
            yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#password-current", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "password-confirm":
            self.action_submit()
        else:
            self.focus_next()

    def action_submit(self) -> None:
        from clerk.service.window import UserError

        fields = [self.query_one(f"#password-{n}", Input) for n in ("current", "new", "confirm")]
        message = self.query_one("#password-change-message", Static)
        try:
            self.window.change_own_password(self.user, *(f.value for f in fields))
        except (ValueError, UserError) as exc:
            message.update(str(exc))
            for field in fields[1:]:
                field.value = ""
            fields[1].focus()
            return
        for field in fields:
            field.value = ""
        self.notify("密码已修改，请牢记新密码。")
        self.dismiss(True)

    def action_cancel(self) -> None:
        if self.forced:
            self.dismiss(False)
        else:
            self.discard_or_ask(lambda: self.dismiss(False))
