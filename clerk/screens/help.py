"""帮助: the key map, built from the bindings themselves so it cannot drift from the code.

`keymap_markdown()` is what docs/KEYMAP.md holds (a test compares them).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen

from clerk.screens.app_bindings import APP_BINDINGS
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic

KEY_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "space": "空格",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "up": "↑",
    "down": "↓",
}


def key_label(key: str) -> str:
    parts = key.split("+")
    return "+".join(
        KEY_NAMES.get(p, p.upper() if len(p) > 1 or p.isalpha() else p).replace("CTRL", "Ctrl")
        for p in parts
    )


def sections() -> list[tuple[str, list[Binding]]]:
    from clerk.screens.case_detail import CaseDetailScreen
    from clerk.screens.catalogue import CatalogueScreen
    from clerk.screens.choice import ChoiceScreen
    from clerk.screens.dashboard import DashboardScreen
    from clerk.screens.day_end import DayEndScreen
    from clerk.screens.item_picker import ItemPickerScreen
    from clerk.screens.ledger import LedgerScreen
    from clerk.screens.login import LoginScreen
    from clerk.screens.materials import MaterialsScreen
    from clerk.screens.net_settings import NetSettingsScreen
    from clerk.screens.net_status import NetStatusScreen, SilentDaysScreen
    from clerk.screens.new_case import NewCaseScreen
    from clerk.screens.notice_preview import NoticePreviewScreen
    from clerk.screens.password_change import PasswordChangeScreen
    from clerk.screens.password_reset import PasswordResetScreen
    from clerk.screens.payment import PaymentScreen
    from clerk.screens.point_form import PointFormScreen
    from clerk.screens.points import PointsScreen
    from clerk.screens.reason import ReasonScreen
    from clerk.screens.refusal_preview import RefusalPreviewScreen
    from clerk.screens.roster import RosterScreen
    from clerk.screens.search import SearchScreen
    from clerk.screens.setup import SetupScreen
    from clerk.screens.supervision import SupervisionScreen
    from clerk.screens.supervision_lists import ActionListsScreen
    from clerk.screens.sync_import import SyncImportScreen
    from clerk.screens.user_form import UserFormScreen
    from clerk.screens.users import UsersScreen

    owners: list[tuple[str, Any]] = [
        ("首次设置", SetupScreen),
        ("登录", LoginScreen),
        ("工作台", DashboardScreen),
        ("新建办件", NewCaseScreen),
        ("选择事项", ItemPickerScreen),
        ("材料核验与受理决定", MaterialsScreen),
        ("一次性告知书预览", NoticePreviewScreen),
        ("不予受理告知书预览", RefusalPreviewScreen),
        ("办件详情", CaseDetailScreen),
        ("查询办件", SearchScreen),
        ("事项指南", CatalogueScreen),
        ("帮助", HelpScreen),
        ("填写理由", ReasonScreen),
        ("选择（评价、查看信息、重打文书）", ChoiceScreen),
        ("登记拨付", PaymentScreen),
        ("日结单（主管、管理员；窗口人员可查看）", LedgerScreen),
        ("用户管理（管理员）", UsersScreen),
        ("新增用户", UserFormScreen),
        ("重置密码", PasswordResetScreen),
        ("修改密码（本人）", PasswordChangeScreen),
        ("服务点（管理员）", PointsScreen),
        ("登记服务点", PointFormScreen),
        ("学生名册导入（大中专院校）", RosterScreen),
        ("日终上报（县级：写回执包）", DayEndScreen),
        ("导入上报包、回执包与冲突队列", SyncImportScreen),
        ("网络上报情况（县级主管、管理员）", NetStatusScreen),
        ("未上报提醒天数", SilentDaysScreen),
        ("县级服务地址（服务点主管、管理员）", NetSettingsScreen),
        ("监督统计（主管、管理员：工作台按 9；市级：启动即进入）", SupervisionScreen),
        ("需要处理的清单（监督统计中按 F9）", ActionListsScreen),
    ]
    return [
        (title, [b for b in bindings if isinstance(b, Binding)])
        for title, bindings in [
            ("全局（任何界面）", APP_BINDINGS),
            *[(title, owner.BINDINGS) for title, owner in owners],
        ]
    ]


def keymap_markdown() -> str:
    lines = [
        "# 按键说明（Key map）",
        "",
        "Every key is a binding with an id. An office can remap keys with `App.set_keymap`,",
        'e.g. `app.set_keymap({"app.new_case": "f12", "case.approve": "ctrl+t"})`.',
        "Keys shown in the footer are only those that apply now.",
        "",
    ]
    for title, bindings in sections():
        lines += [f"## {title}", "", "| id | 按键 | 作用 |", "| --- | --- | --- |"]
        for b in bindings:
            lines.append(f"| `{b.id}` | {key_label(b.key)} | {b.description} |")
        lines.append("")
    return "\n".join(lines)


def help_text() -> Text:
    text = Text()
    text.append(
        "新来的同事：底部一栏只显示当前能用的按键。F2 新建办件 → 选事项 → 填申请人 → F10 收件 →\n"
    )
    text.append(
        "空格逐项勾选材料 → F9 受理 / F8 一次性告知 / F7 不予受理。F3 查询，F4 事项指南，F5 回工作台。\n"
    )
    text.append("Ctrl+R 日结单；Ctrl+B 日终上报（写上报包到 U 盘），Ctrl+G 导入上报包或回执包。\n")
    text.append("管理员另有 Ctrl+Y 用户管理、Ctrl+O 服务点。\n")
    text.append("大中专院校服务点：Ctrl+T 导入学校报送的学生名册（表6），整批参保登记。\n\n")
    for title, bindings in sections():
        text.append(f"{title}\n", style="bold")
        for b in bindings:
            text.append(f"  {key_label(b.key):<8}", style="bold cyan")
            text.append(f"{b.description}\n")
        text.append("\n")
    return text


class HelpScreen(GuardedScreen, ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "关闭", id="help.close"),
        Binding("f1", "close", "关闭", id="help.close_f1", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield PlainStatic("帮助：按键说明", classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield PlainStatic(help_text(), id="help-text")
            yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
