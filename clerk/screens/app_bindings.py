"""The app-wide keys (F1-F5, Ctrl+...), each a `Binding` with an id.

They live apart from `ClerkApp` (whose `BINDINGS` they are) so that the key map
(`clerk.screens.help`, docs/KEYMAP.md) reads them without importing the app, which opens help.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

APP_BINDINGS: list[BindingType] = [
    Binding("f1", "help", "帮助", id="app.help", tooltip="按键说明"),
    Binding(
        "f2",
        "new_case",
        "新建办件",
        id="app.new_case",
        tooltip="选择事项，登记申请人，核验材料",
    ),
    Binding("f3", "search", "查询", id="app.search", tooltip="按办件号、证件号、姓名、单位查询"),
    Binding("f4", "catalogue", "事项指南", id="app.catalogue", tooltip="39项经办事项的材料与时限"),
    Binding("f5", "dashboard", "工作台", id="app.dashboard", tooltip="回到工作台并刷新"),
    Binding(
        "ctrl+r",
        "ledger",
        "日结单",
        id="app.ledger",
        tooltip="本机当日或以前某日的日结单，可导出",
        show=False,
    ),
    Binding(
        "ctrl+y",
        "users",
        "用户管理",
        id="app.users",
        tooltip="新增、停用账号，重置密码（管理员）",
        show=False,
    ),
    Binding(
        "ctrl+o",
        "points",
        "服务点",
        id="app.points",
        tooltip="经办机构和服务点，登记新服务点（管理员）",
        show=False,
    ),
    Binding(
        "ctrl+t",
        "roster",
        "名册导入",
        id="app.roster",
        tooltip="大中专院校：学生名册（表6）整批参保登记",
    ),
    Binding(
        "ctrl+b",
        "day_end",
        "日终上报",
        id="app.day_end",
        tooltip="日结单，然后把上报包（县级：回执包）写到 U 盘",
        show=False,
    ),
    Binding(
        "ctrl+g",
        "sync_import",
        "导入",
        id="app.sync_import",
        tooltip="导入对方的上报包或回执包，处理冲突",
        show=False,
    ),
    Binding(
        "ctrl+s",
        "network",
        "网络上报",
        id="app.network",
        tooltip="县级：各服务点上报情况；服务点：县级服务地址（主管、管理员）",
        show=False,
    ),
    Binding("ctrl+p", "command_palette", "命令", id="app.palette", priority=True, show=False),
    Binding("ctrl+l", "logout", "注销", id="app.logout", tooltip="换人登录", show=False),
    Binding(
        "ctrl+n",
        "change_password",
        "修改密码",
        id="app.password",
        tooltip="修改自己的登录密码",
        show=False,
    ),
    Binding("ctrl+q", "quit", "退出", id="app.quit", priority=True, show=False),
]
