"""登录: login name and password; the error says what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic

if TYPE_CHECKING:
    from clerk.service.window import Window


class LoginScreen(GuardedScreen, Screen[Any]):
    """Returns the signed-in `User`."""

    BINDINGS = [
        Binding("f10", "submit", "登录", id="login.submit"),
    ]

    def __init__(self, window: Window) -> None:
        super().__init__()
        self.window = window
        self.sub_title = "登录"

    def compose(self) -> ComposeResult:
        point = self.window.point()
        yield Header()
        with Vertical(id="login-dialog", classes="dialog"):
            yield PlainStatic(f"{point.name}（{point.kind_label}）　请登录", classes="dialog-title")
            yield Input(placeholder="登录名", id="login-name")
            yield Input(placeholder="密码", password=True, id="login-password")
            yield PlainStatic("", id="login-message", classes="error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#login-name", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "login-name":
            self.query_one("#login-password", Input).focus()
        else:
            self.action_submit()

    def action_submit(self) -> None:
        login = self.query_one("#login-name", Input).value.strip()
        password_input = self.query_one("#login-password", Input)
        message = self.query_one("#login-message", Static)
        if not login:
            message.update("请输入登录名。")
            self.query_one("#login-name", Input).focus()
            return
        try:
            user = self.window.login(login, password_input.value)
        except ValueError as exc:
            message.update(str(exc))
            password_input.value = ""
            password_input.focus()
            return
        self.dismiss(user)
