"""用户管理 (administrator only): list the accounts, add one, deactivate / reactivate, reset a password.

The rules (administrators only, never deactivate yourself or the last administrator) live in
`clerk.service.administration`; this screen asks the window and shows the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header

from clerk.domain.clock import TZ
from clerk.domain.model import ROLE_LABELS
from clerk.screens.password_reset import PasswordResetScreen
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.user_form import UserFormScreen
from clerk.screens.widgets.plain import PlainStatic, PlainTable

if TYPE_CHECKING:
    from datetime import datetime

    from clerk.service.window import User, Window

HINT = "停用的账号不能再登录，其经办记录保留。重置密码会同时解除因输错密码造成的锁定。"


def status_text(user: User, now: datetime) -> str:
    if not user.active:
        return "已停用"
    if user.locked(now) and user.locked_until is not None:
        return f"已锁定至 {user.locked_until.astimezone(TZ):%H:%M}"
    return "在用"


class UsersScreen(GuardedScreen, Screen[None]):
    BINDINGS = [
        Binding("f6", "add", "新增用户", id="users.add"),
        Binding("f7", "deactivate", "停用", id="users.deactivate"),
        Binding("f7", "activate", "启用", id="users.activate"),
        Binding("f8", "reset_password", "重置密码", id="users.password"),
        Binding("escape", "close", "返回", id="users.close"),
    ]

    def __init__(self, window: Window, user: Any) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.accounts: list[User] = []
        self.sub_title = "用户管理"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="panel"):
            yield PlainStatic("用户管理", classes="dialog-title")
            yield PlainTable(id="users-table", cursor_type="row", zebra_stripes=True)
            yield PlainStatic(HINT, classes="hint")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#users-table", DataTable)
        table.add_columns("登录名", "姓名", "角色", "所属", "状态")
        self.reload()
        table.focus()

    def reload(self, *, select: str | None = None) -> None:
        from clerk.service.case_reader import ServiceError

        table = self.query_one("#users-table", DataTable)
        current = select or self.selected_login
        try:
            self.accounts = self.window.users(self.user)
        except ServiceError as exc:  # e.g. this account was deactivated since it logged in
            self.notify(str(exc), severity="error")
            self.dismiss(None)
            return
        now = self.window.clock()
        table.clear()
        for u in self.accounts:
            table.add_row(
                u.login, u.name, ROLE_LABELS[u.role], u.point_code, status_text(u, now), key=u.login
            )
        logins = [u.login for u in self.accounts]
        if current in logins:
            table.move_cursor(row=logins.index(current))
        self.refresh_bindings()

    @property
    def selected_login(self) -> str | None:
        tables = self.query("#users-table")
        if not tables:
            return None
        table = tables.first(DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @property
    def selected(self) -> User | None:
        login = self.selected_login
        return next((u for u in self.accounts if u.login == login), None)

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        chosen = self.selected
        if action == "deactivate":
            return chosen is not None and chosen.active
        if action == "activate":
            return chosen is not None and not chosen.active
        if action == "reset_password":
            return chosen is not None
        return True

    # ------------------------------------------------------------------ actions

    def action_add(self) -> None:
        def added(user: User | None) -> None:
            if user is not None:
                self.reload(select=user.login)
                self.notify(
                    f"已新增用户 {user.login}（{ROLE_LABELS[user.role]}），可以用初始密码登录。"
                )

        self.app.push_screen(UserFormScreen(self.window, self.user), added)

    def action_deactivate(self) -> None:
        self._set_active(False)

    def action_activate(self) -> None:
        self._set_active(True)

    def _set_active(self, active: bool) -> None:
        from clerk.service.case_reader import ServiceError

        target = self.selected
        if target is None or target.active == active:
            return
        try:
            self.window.set_user_active(self.user, target.login, active)
        except ServiceError as exc:
            self.notify(str(exc), severity="error")
            return
        self.reload()
        if active:
            self.notify(f"已启用 {target.login}　{target.name}。")
        else:
            self.notify(
                f"已停用 {target.login}　{target.name}，该账号不能再登录；按 F7 可重新启用。"
            )

    def action_reset_password(self) -> None:
        target = self.selected
        if target is None:
            return

        def done(changed: bool | None) -> None:
            if changed:
                self.reload()
                self.notify(f"已重置 {target.login} 的密码。")

        self.app.push_screen(PasswordResetScreen(self.window, target, actor=self.user), done)

    def action_close(self) -> None:
        self.dismiss(None)
