"""新增用户: login, name, role, password twice. The store checks the login and the password policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from clerk.domain.field_limits import USER_NAME_MAX
from clerk.domain.limits import MIN_PASSWORD_LENGTH, ROLE_ORDER
from clerk.domain.model import ROLE_LABELS, Role
from clerk.screens.discard import ConfirmDiscard
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainOptionList, PlainStatic

if TYPE_CHECKING:
    from clerk.service.window import Window

# The order an administrator most often needs them: the window staff first.


class UserFormScreen(ConfirmDiscard, GuardedScreen, ModalScreen[Any]):
    """Creates an account at this installation's point; returns the new `User`, or None."""

    BINDINGS = [
        Binding("f10", "submit", "保存", id="user_form.submit"),
        Binding("escape", "cancel", "取消", id="user_form.cancel"),
    ]

    def __init__(self, window: Window, actor: Any) -> None:
        super().__init__()
        self.window = window
        self.actor = actor

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="user-form"):
            yield PlainStatic(
                f"新增用户（所属：{self.window.point().name}）", classes="dialog-title"
            )
            yield Input(placeholder="登录名（英文字母或数字开头）", id="user-login")
            yield Input(placeholder="姓名", max_length=USER_NAME_MAX, id="user-name")
            yield PlainStatic("角色（↑↓ 选择，Enter 确定）", classes="hint")
            yield PlainOptionList(
                *[Option(ROLE_LABELS[role], id=str(role)) for role in ROLE_ORDER],
                id="user-role",
            )
            yield Input(
                placeholder=f"初始密码（至少{MIN_PASSWORD_LENGTH}位，不能与登录名相同）",
                password=True,
                id="user-password",
            )
            yield Input(placeholder="再次输入密码", password=True, id="user-confirm")
            yield PlainStatic("", id="user-message", classes="error")
            yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#user-role", OptionList).highlighted = 0
        self.query_one("#user-login", Input).focus()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "user-confirm":
            self.action_submit()
        else:
            self.focus_next()

    @on(OptionList.OptionSelected, "#user-role")
    def _role_chosen(self) -> None:
        self.query_one("#user-password", Input).focus()

    @property
    def role(self) -> Role:
        index = self.query_one("#user-role", OptionList).highlighted
        return ROLE_ORDER[index or 0]

    def action_submit(self) -> None:
        from clerk.service.case_reader import ServiceError
        from clerk.service.window import PasswordPolicyError, UserError

        message = self.query_one("#user-message", Static)
        password = self.query_one("#user-password", Input)
        confirm = self.query_one("#user-confirm", Input)
        if password.value != confirm.value:
            message.update("两次输入的密码不一致，请重新输入。")
            self._clear_passwords()
            return
        try:
            user = self.window.add_user(
                self.actor,
                self.query_one("#user-login", Input).value,
                self.query_one("#user-name", Input).value,
                self.role,
                password.value,
            )
        except PasswordPolicyError as exc:
            message.update(str(exc))
            self._clear_passwords()
            return
        except (UserError, ServiceError) as exc:
            message.update(str(exc))
            self.query_one("#user-login", Input).focus()
            return
        self.dismiss(user)

    def _clear_passwords(self) -> None:
        self.query_one("#user-password", Input).value = ""
        self.query_one("#user-confirm", Input).value = ""
        self.query_one("#user-password", Input).focus()

    def action_cancel(self) -> None:
        self.discard_or_ask(lambda: self.dismiss(None))
