"""The Textual app. `make_app` builds it for the command line and for the tests alike.

The app receives its `Window` (the application service); screens get their data in `__init__`
and call the window, never the store. Every key is a `Binding` with an id (see docs/KEYMAP.md),
so an office can remap keys with `App.set_keymap({"app.new_case": "f12"})`.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.screen import Screen

from clerk.domain.limits import ADMIN_ROLES, LEDGER_ROLES, SUPERVISOR_ROLES
from clerk.domain.model import Role
from clerk.screens.app_bindings import APP_BINDINGS
from clerk.screens.textual_patches import (
    ChinesePalette,
    CrashWithoutLocals,
    FailuresAsToasts,
    KeysOneByOne,
)
from clerk.support.gc_freeze import freeze_start_up

if TYPE_CHECKING:
    from clerk.service.window import Window

SCREENSHOT_ACTIONS = frozenset({"screenshot", "app.screenshot"})
NEEDS_USER = frozenset(
    {"new_case", "search", "dashboard", "logout", "day_end", "sync_import", "change_password"}
)
# A city installation (kind "city") reads the counties' figures only: these keys, no other.
CITY_KIND = "city"
CITY_ACTIONS = frozenset(
    {
        "help",
        "quit",
        "logout",
        "change_password",
        "command_palette",
        "users",
        "help_quit",
        "network",  # the counties' reports (network and stick), as a county sees its points'
    }
)
# Screens only some roles may open; the key is hidden and refused for everyone else.
ROLE_ACTIONS: dict[str, frozenset[Role]] = {
    "users": ADMIN_ROLES,
    "points": ADMIN_ROLES,
    "ledger": LEDGER_ROLES,
    "roster": LEDGER_ROLES,
    "network": SUPERVISOR_ROLES,
}


# Its changes to Textual internals (keys one by one, crashes without locals, storage failures
# as toasts) are mixins from clerk/screens/textual_patches.py, each documented and tested there.
class ClerkApp(KeysOneByOne, CrashWithoutLocals, FailuresAsToasts, App[None]):
    TITLE = "医保经办窗口"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    # An 80-column terminal gets the "-narrow" class: side panels give way to the case table.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    BINDINGS = APP_BINDINGS

    def __init__(self, window: Window, *, user: Any = None) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self._logging_out = False
        self._city: bool | None = None  # a city installation (`is_city`), read at sign-in
        self._font_checked = False  # `_warn_of_font`, once a run
        self._ui_thread = threading.get_ident()  # on_mount sets it again, on the app's own thread
        window.on_actor_revoked = self._actor_revoked

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast is plain text: its messages carry material names in [brackets], file paths
        (D:\\bundles\\...) and what a clerk typed, which Textual's markup ate ("[委托办理]",
        "[i]" and backslashes vanished). `markup` is ignored (Widget.notify always passes it)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # ------------------------------------------------------------------ storage failures

    def report_failure(self, exc: BaseException) -> bool:
        """Show a refused read or write as a Chinese toast; False for errors that are not the store's.

        `FailuresAsToasts` and every screen's `GuardedScreen` ask this before letting an error end
        the app or the screen."""
        from clerk.service.errors import ActorRevokedError
        from clerk.service.failures import failure_message

        if isinstance(exc, ActorRevokedError):
            return True  # the session is being logged out, and that says why
        message = failure_message(exc)
        if message is None:
            return False
        self.notify(message, title="未能完成", severity="error", timeout=12)
        return True

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (it copies in a field); say in Chinese how to quit."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                label = "+".join(
                    part.upper() if len(part) == 1 else part.capitalize() for part in key.split("+")
                )
                self.notify(f"按 {label} 退出程序", title="要退出吗？", markup=False)
                return

    # ------------------------------------------------------------------ start-up

    def on_mount(self) -> None:
        self._ui_thread = threading.get_ident()
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
        if self.window.must_change_password(user):
            from clerk.screens.password_change import PasswordChangeScreen

            self.push_screen(
                PasswordChangeScreen(self.window, user, forced=True),
                lambda ok: self._changed(user, ok),
            )
            return
        self._start_day(user)

    def _changed(self, user: Any, changed: bool | None) -> None:
        if changed:
            self._start_day(user)
        else:
            self.notify("初始密码须先修改才能办理业务，已退出登录。", severity="warning")
            self._ask_for_user()

    def _start_day(self, user: Any) -> None:
        from clerk.screens.dashboard import DashboardScreen

        if not self._rules_read():
            return
        self._warn_of_font()
        self.user = user
        self.refresh_title()
        if self.is_city():
            from clerk.screens.supervision import SupervisionScreen

            self.push_screen(SupervisionScreen(self.window, user, home=True))
        else:
            self.push_screen(DashboardScreen(self.window, user))
        self.refresh_bindings()

    def _rules_read(self) -> bool:
        """The catalogue and the work calendar, read before the first case or item is shown: a
        wrong catalog.json or holiday file ends the app with the command line's message (exit
        code 2). Read at sign-in (or at F4 before it) rather than before the login screen, which
        needs neither; once read, they are kept."""
        from clerk.domain.catalog_files import DataFileError

        try:
            self.window.read_rules()
        except DataFileError as exc:
            from rich.text import Text

            self.exit(return_code=2, message=Text(exc.stop_message()))
            return False
        return True

    def _warn_of_font(self) -> None:
        """Once a run, at the first sign-in: no CJK font for the documents (they would print as
        boxes)."""
        if self._font_checked:
            return
        self._font_checked = True
        from clerk.documents.fonts import font_warning

        warning = font_warning()
        if warning:
            self.notify(warning, title="文书字体", severity="warning", timeout=20)

    def is_city(self) -> bool:
        """A city installation supervises and decides nothing: it starts into the supervision
        screen and offers only the keys in `CITY_ACTIONS`. Read once (the kind never changes)."""
        if self._city is None:
            self._city = self.window.point().kind == CITY_KIND
        return self._city

    def refresh_title(self) -> None:
        """Screens set their own sub-title; the title keeps who is signed in and where."""
        user = self.user
        if user is None:
            self.title, self.sub_title = self.TITLE, ""
            return
        point = self.window.point()
        name = getattr(user, "name", user.login)
        self.sub_title = f"{point.name}（{point.kind_label}）　{name}"
        self.title = f"{point.name}　{name}（{user.login}）"  # who and where, first (80 columns)

    def _actor_revoked(self, message: str) -> None:
        """The signed-in account was deactivated or given another role: log it out, say why.

        The service calls this from whichever thread made the call: a decision runs in a thread
        worker (`clerk.screens.deciding`), so from there it is handed to the UI thread."""
        if threading.get_ident() != self._ui_thread:
            self.call_from_thread(self._actor_revoked, message)
            return
        if self.user is None or self._logging_out:
            return  # one session ends once, however many reads found it revoked
        self._logging_out = True
        self.call_later(self._log_out_revoked, message)

    def _log_out_revoked(self, message: str) -> None:
        self._logging_out = False
        self._log_out()  # revoked: no question, the session is over
        self.notify(message, severity="error", timeout=15)

    # ------------------------------------------------------------------ leaving typed input

    def leave(self, then: Callable[[], Any], *, keep: int = 0, what: str = "") -> None:
        """Run `then` (which closes every screen above the `keep` bottom ones), first asking when
        one of those screens holds typed input not yet saved: Ctrl+Q, Ctrl+L and the keys that go
        back to the dashboard (F2, F3, F5, Ctrl+R, ...) ask as Esc on the form does."""
        from clerk.screens.discard import DISCARD, KEEP, LeaveChoice, has_unsaved_input

        if isinstance(self.screen, LeaveChoice):
            return  # already asking
        if not any(has_unsaved_input(s) for s in self.screen_stack[keep:]):
            then()
            return

        def answered(choice: str | None) -> None:
            if choice == DISCARD:
                then()

        self.push_screen(
            LeaveChoice(
                "已填写的内容还没有保存，要放弃吗？",
                [(KEEP, "继续填写"), (DISCARD, f"放弃已填写的内容{what}")],
                hint=f"Enter 或 1 继续填写；2 放弃{what}；Esc 继续填写",
            ),
            answered,
        )

    async def action_quit(self) -> None:
        from clerk.screens.deciding import quit_refused

        if quit_refused(self):
            return  # a decision's result not shown yet: the clerk must see it first
        self.leave(self.exit, what="并退出")

    def action_logout(self) -> None:
        self.leave(self._log_out, what="并注销")

    def _log_out(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.user = None
        self.sub_title = ""
        self.title = self.TITLE
        self.refresh_bindings()
        self._ask_for_user()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in SCREENSHOT_ACTIONS:
            return False  # an SVG of the screen would write personal data to disk
        if action in NEEDS_USER and self.user is None:
            return False
        if self._city and action not in CITY_ACTIONS:
            return False
        if action not in ("help", "quit") and any(
            getattr(screen, "busy", False) for screen in self.screen_stack
        ):
            # a roster import or a decision is writing (under F1's help, perhaps): nothing else
            # may touch the database, nor close the screen that shows the result
            return False
        if action == "roster" and (
            self.user is None or self.window.roster_point_problem() is not None
        ):
            return False  # only a college point imports rosters
        if action in ROLE_ACTIONS:
            return (
                self.user is not None and getattr(self.user, "role", None) in ROLE_ACTIONS[action]
            )
        return True

    def action_change_password(self) -> None:
        from clerk.screens.password_change import PasswordChangeScreen

        if not isinstance(self.screen, PasswordChangeScreen):
            self.push_screen(PasswordChangeScreen(self.window, self.user))

    def action_help(self) -> None:
        from clerk.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_catalogue(self) -> None:
        from clerk.screens.catalogue import CatalogueScreen

        if not isinstance(self.screen, CatalogueScreen) and self._rules_read():
            self.push_screen(CatalogueScreen(self.window.catalog, self.window.finder))

    def action_new_case(self) -> None:
        from clerk.screens.new_case import NewCaseScreen

        self.leave_for(
            lambda: self.push_screen(NewCaseScreen(self.window, self.user), self._case_opened)
        )

    def _case_opened(self, case_uuid: str | None) -> None:
        if case_uuid:
            self.open_case(case_uuid, materials=True)

    def action_search(self) -> None:
        from clerk.screens.search import SearchScreen

        self.leave_for(lambda: self.push_screen(SearchScreen(self.window)))

    def action_ledger(self) -> None:
        from clerk.screens.ledger import LedgerScreen

        self.leave_for(lambda: self.push_screen(LedgerScreen(self.window, self.user)))

    def action_day_end(self) -> None:
        from clerk.screens.day_end import DayEndScreen

        self.leave_for(lambda: self.push_screen(DayEndScreen(self.window, self.user)))

    def action_sync_import(self) -> None:
        from clerk.screens.sync_import import SyncImportScreen

        self.leave_for(lambda: self.push_screen(SyncImportScreen(self.window, self.user)))

    def action_users(self) -> None:
        from clerk.screens.users import UsersScreen

        self.leave_for(lambda: self.push_screen(UsersScreen(self.window, self.user)))

    def action_points(self) -> None:
        from clerk.screens.points import PointsScreen

        self.leave_for(lambda: self.push_screen(PointsScreen(self.window, self.user)))

    def action_network(self) -> None:
        """The county's view of its points' reports, or a point's county service address."""
        from clerk.screens.net_settings import NetSettingsScreen
        from clerk.screens.net_status import NetStatusScreen

        if isinstance(self.screen, NetStatusScreen | NetSettingsScreen):
            return
        me = self.window.me()
        kind = NetStatusScreen if me.is_office or me.is_city else NetSettingsScreen
        self.leave_for(lambda: self.push_screen(kind(self.window, self.user)))

    def action_roster(self) -> None:
        from clerk.screens.roster import RosterScreen

        self.leave_for(lambda: self.push_screen(RosterScreen(self.window, self.user)))

    def action_dashboard(self) -> None:
        def refresh() -> None:
            reload = getattr(self.screen, "reload", None)
            if reload is not None:
                reload()

        self.leave_for(refresh)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(
                ChinesePalette(
                    id="--command-palette", placeholder="输入命令，如“新建”“查询”“指南”…"
                )
            )

    # ------------------------------------------------------------------ navigation helpers

    def go_home(self) -> None:
        """Pop back to the dashboard (the bottom screen after login). The callers reach it through
        `leave_for`, which asks first when a screen to be closed holds typed input."""
        from clerk.screens.dashboard import DashboardScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, DashboardScreen):
            self.pop_screen()

    def leave_for(self, then: Callable[[], Any]) -> None:
        """Back to the dashboard, then `then()`: asking first if that loses typed input."""

        def go() -> None:
            self.go_home()
            then()

        self.leave(go, keep=2)

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
            yield SystemCommand(
                "查询办件", "按办件号、证件号、姓名或单位查询（F3）", self.action_search
            )
            yield SystemCommand(
                "工作台", "今日收件、待审核、即将到期、已逾期、待补正（F5）", self.action_dashboard
            )
            if self.check_action("roster", ()):
                yield SystemCommand(
                    "名册导入",
                    "大中专院校学生名册（表6）整批参保登记（Ctrl+T）",
                    self.action_roster,
                )
            yield SystemCommand(
                "修改密码", "修改自己的登录密码（Ctrl+N）", self.action_change_password
            )
        yield SystemCommand(
            "事项指南", "39项经办事项的材料、时限和依据（F4）", self.action_catalogue
        )
        from clerk.screens.dashboard import DashboardScreen

        if isinstance(screen, DashboardScreen) and screen.check_action("supervision", ()):
            yield SystemCommand(
                "监督统计",
                "各服务点的监督指标与近 12 个月趋势（工作台按 9）",
                screen.action_supervision,
            )
        yield SystemCommand("帮助", "按键说明（F1）", self.action_help)
        yield SystemCommand("切换主题", "更换界面配色", self.action_change_theme)
        yield SystemCommand("退出", "退出程序（Ctrl+Q）", self.action_quit)


def make_app(window: Window, *, user: Any = None) -> ClerkApp:
    freeze_start_up()  # what is loaded by now lives as long as the process; the app is built after
    return ClerkApp(window, user=user)


def make_app_from_args(args: argparse.Namespace) -> ClerkApp:
    from clerk.service.compose import open_window
    from clerk.support.paths import crash_journals, documents_dir
    from clerk.support.targets import database_target

    root = documents_dir()
    window = open_window(database_target(getattr(args, "db", None)), documents_root=root)
    # What a killed process left in documents/: only the files its journal names (bounded), and
    # the tidy is loaded only when a journal is there.
    if crash_journals(root):
        from clerk.documents.tidy import tidy_documents

        tidy_documents(root, window.store.document_at)
    return make_app(window)
