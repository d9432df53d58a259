"""The Textual app. `make_app` builds it for the command line and for the tests alike.

The app receives its `Window` (the application service); screens get their data in `__init__`
and call the window, never the store. Every key is a `Binding` with an id (see docs/KEYMAP.md),
so an office can remap keys with `App.set_keymap({"app.new_case": "f12"})`.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen

from clerk.limits import ADMIN_ROLES, LEDGER_ROLES
from clerk.model import Role

if TYPE_CHECKING:
    from clerk.service import Window

SCREENSHOT_ACTIONS = frozenset({"screenshot", "app.screenshot"})
NEEDS_USER = frozenset({"new_case", "search", "dashboard", "logout", "day_end", "sync_import"})
# Screens only some roles may open; the key is hidden and refused for everyone else.
ROLE_ACTIONS: dict[str, frozenset[Role]] = {
    "users": ADMIN_ROLES,
    "points": ADMIN_ROLES,
    "ledger": LEDGER_ROLES,
    "roster": LEDGER_ROLES,
}


class ClerkApp(App[None]):
    TITLE = "医保经办窗口"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("f1", "help", "帮助", id="app.help", tooltip="按键说明"),
        Binding("f2", "new_case", "新建办件", id="app.new_case", tooltip="选择事项，登记申请人，核验材料"),
        Binding("f3", "search", "查询", id="app.search", tooltip="按办件号、证件号、姓名、单位查询"),
        Binding("f4", "catalogue", "事项指南", id="app.catalogue", tooltip="39项经办事项的材料与时限"),
        Binding("f5", "dashboard", "工作台", id="app.dashboard", tooltip="回到工作台并刷新"),
        Binding("ctrl+r", "ledger", "日结单", id="app.ledger", tooltip="本机当日或以前某日的日结单，可导出", show=False),
        Binding("ctrl+y", "users", "用户管理", id="app.users", tooltip="新增、停用账号，重置密码（管理员）", show=False),
        Binding("ctrl+o", "points", "服务点", id="app.points", tooltip="经办机构和服务点，登记新服务点（管理员）", show=False),
        Binding("ctrl+t", "roster", "名册导入", id="app.roster", tooltip="大中专院校：学生名册（表6）整批参保登记"),
        Binding("ctrl+b", "day_end", "日终上报", id="app.day_end", tooltip="日结单，然后把上报包（县级：回执包）写到 U 盘", show=False),
        Binding("ctrl+g", "sync_import", "导入", id="app.sync_import", tooltip="导入对方的上报包或回执包，处理冲突", show=False),
        Binding("ctrl+p", "command_palette", "命令", id="app.palette", priority=True, show=False),
        Binding("ctrl+l", "logout", "注销", id="app.logout", tooltip="换人登录", show=False),
        Binding("ctrl+q", "quit", "退出", id="app.quit", priority=True, show=False),
    ]

    def __init__(self, window: Window, *, user: Any = None) -> None:
        super().__init__()
        self.window = window
        self.user = user
        window.on_actor_revoked = self._actor_revoked

    # ------------------------------------------------------------------ start-up

    def on_mount(self) -> None:
        from clerk.documents.fonts import font_warning

        warning = font_warning()
        if warning:
            self.notify(warning, title="文书字体", severity="warning", timeout=20)
        if self.user is not None:
            self._signed_in(self.user)
        else:
            self._ask_for_user()

    def _ask_for_user(self) -> None:
        from clerk.screens.login import LoginScreen
        from clerk.screens.setup import SetupScreen

        if self.window.needs_setup():
            self.push_screen(SetupScreen(self.window), self._setup_done)
        else:
            self.push_screen(LoginScreen(self.window), self._signed_in)

    def _setup_done(self, user: Any) -> None:
        self.notify(f"初始设置完成：{self.window.point().name}。管理员 {user.login} 已登录。")
        self._signed_in(user)

    def _signed_in(self, user: Any) -> None:
        from clerk.screens.dashboard import DashboardScreen

        self.user = user
        point = self.window.point()
        self.sub_title = f"{point.name}（{point.kind_label}）　{getattr(user, 'name', user.login)}"
        self.push_screen(DashboardScreen(self.window, user))
        self.refresh_bindings()

    def _actor_revoked(self, message: str) -> None:
        """The signed-in account was deactivated or given another role: log it out, say why."""
        if self.user is None:
            return
        self.call_later(self._log_out_revoked, message)

    def _log_out_revoked(self, message: str) -> None:
        self.action_logout()
        self.notify(message, severity="error", timeout=15)

    def action_logout(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.user = None
        self.sub_title = ""
        self.refresh_bindings()
        self._ask_for_user()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in SCREENSHOT_ACTIONS:
            return False  # an SVG of the screen would write personal data to disk
        if action in NEEDS_USER and self.user is None:
            return False
        if getattr(self.screen, "busy", False) and action not in ("help", "quit"):
            return False  # a roster import is writing: nothing else may touch the database
        if action == "roster" and (self.user is None or self.window.roster_point_problem() is not None):
            return False  # only a college point imports rosters
        if action in ROLE_ACTIONS:
            return self.user is not None and getattr(self.user, "role", None) in ROLE_ACTIONS[action]
        return True

    def action_help(self) -> None:
        from clerk.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_catalogue(self) -> None:
        from clerk.screens.catalogue import CatalogueScreen

        if not isinstance(self.screen, CatalogueScreen):
            self.push_screen(CatalogueScreen(self.window.catalog, self.window.finder))

    def action_new_case(self) -> None:
        from clerk.screens.new_case import NewCaseScreen

        self.go_home()
        self.push_screen(NewCaseScreen(self.window, self.user), self._case_opened)

    def _case_opened(self, case_uuid: str | None) -> None:
        if case_uuid:
            self.open_case(case_uuid, materials=True)

    def action_search(self) -> None:
        from clerk.screens.search import SearchScreen

        self.go_home()
        self.push_screen(SearchScreen(self.window))

    def action_ledger(self) -> None:
        from clerk.screens.ledger import LedgerScreen

        self.go_home()
        self.push_screen(LedgerScreen(self.window, self.user))

    def action_day_end(self) -> None:
        from clerk.screens.day_end import DayEndScreen

        self.go_home()
        self.push_screen(DayEndScreen(self.window, self.user))

    def action_sync_import(self) -> None:
        from clerk.screens.sync_import import SyncImportScreen

        self.go_home()
        self.push_screen(SyncImportScreen(self.window, self.user))

    def action_users(self) -> None:
        from clerk.screens.users import UsersScreen

        self.go_home()
        self.push_screen(UsersScreen(self.window, self.user))

    def action_points(self) -> None:
        from clerk.screens.points import PointsScreen

        self.go_home()
        self.push_screen(PointsScreen(self.window, self.user))

    def action_roster(self) -> None:
        from clerk.screens.roster import RosterScreen

        self.go_home()
        self.push_screen(RosterScreen(self.window, self.user))

    def action_dashboard(self) -> None:
        self.go_home()
        refresh = getattr(self.screen, "reload", None)
        if refresh is not None:
            refresh()

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(CommandPalette(id="--command-palette", placeholder="输入命令，如“新建”“查询”“指南”…"))

    # ------------------------------------------------------------------ navigation helpers

    def go_home(self) -> None:
        """Pop back to the dashboard (the bottom screen after login)."""
        from clerk.screens.dashboard import DashboardScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, DashboardScreen):
            self.pop_screen()

    def open_case(self, case_uuid: str, *, materials: bool = False) -> None:
        from clerk.screens.case_detail import CaseDetailScreen
        from clerk.screens.materials import MaterialsScreen

        self.push_screen(CaseDetailScreen(self.window, self.user, case_uuid))
        if materials:
            view = self.window.case(case_uuid, self.user)
            self.push_screen(MaterialsScreen(self.window, self.user, view))

    # ------------------------------------------------------------------ command palette

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Chinese commands only; Textual's screenshot command is left out on purpose."""
        if self.user is not None:
            yield SystemCommand("新建办件", "选择事项并登记申请人（F2）", self.action_new_case)
            yield SystemCommand("查询办件", "按办件号、证件号、姓名或单位查询（F3）", self.action_search)
            yield SystemCommand("工作台", "今日收件、待审核、即将到期、已逾期、待补正（F5）", self.action_dashboard)
            if self.check_action("roster", ()):
                yield SystemCommand("名册导入", "大中专院校学生名册（表6）整批参保登记（Ctrl+T）", self.action_roster)
        yield SystemCommand("事项指南", "39项经办事项的材料、时限和依据（F4）", self.action_catalogue)
        yield SystemCommand("帮助", "按键说明（F1）", self.action_help)
        yield SystemCommand("切换主题", "更换界面配色", self.action_change_theme)
        yield SystemCommand("退出", "退出程序（Ctrl+Q）", self.action_quit)


def make_app(window: Window, *, user: Any = None) -> ClerkApp:
    return ClerkApp(window, user=user)


def make_app_from_args(args: argparse.Namespace) -> ClerkApp:
    from clerk.catalog import default_catalog
    from clerk.offices import default_offices
    from clerk.paths import default_db_path, documents_dir
    from clerk.service import open_window

    path = Path(args.db) if getattr(args, "db", None) else default_db_path()
    window = open_window(path, default_catalog(), default_offices(), documents_root=documents_dir())
    return make_app(window)
