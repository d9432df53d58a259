"""县级服务地址 (a service point's supervisor or administrator, Ctrl+S): the address of the county's
`clerk serve`, where 日终上报 (F11) sends and 导入 (F11) fetches. Checked before it is kept
(http or https, a host); kept where `clerk send` reads it; F8 clears it (the stick only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from clerk.net import client as net
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic

if TYPE_CHECKING:
    from clerk.service.window import Window

URL_MAX = 200


class NetSettingsScreen(GuardedScreen, Screen[None]):
    BINDINGS = [
        Binding("f10", "save", "保存（或 Enter）", id="net_settings.save"),
        Binding("f8", "clear", "清除地址", id="net_settings.clear"),
        Binding("escape", "close", "返回", id="net_settings.close"),
    ]

    def __init__(self, window: Window, user: Any) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.sub_title = "县级服务地址"

    def compose(self) -> ComposeResult:
        office = self.window.me().office_code
        yield Header()
        with Vertical(classes="panel"):
            yield PlainStatic(f"县级服务地址（{office} 的 clerk serve）", classes="dialog-title")
            yield PlainStatic(
                "填好后，日终上报（Ctrl+B）和导入（Ctrl+G）中按 F11 通过网络发送、取回；"
                "没有网络或发送失败时，照旧用 U 盘，记录不受影响。地址请向县级信息管理员索取。",
                classes="hint",
            )
            yield Input(
                value=net.county_url(self.window) or "",
                placeholder="如 https://yb.county.gov.cn:8443",
                max_length=URL_MAX,
                id="county-url",
            )
            yield PlainStatic("", id="county-url-message", classes="error")
            yield PlainStatic(id="county-url-now", classes="hint")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._show_current()
        self.query_one(Input).focus()

    def _show_current(self) -> None:
        url = net.county_url(self.window)
        self.query_one("#county-url-now", Static).update(
            f"现在的地址：{url}" if url else "现在没有设置地址：只用 U 盘上报和导入。"
        )

    @on(Input.Submitted, "#county-url")
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        field = self.query_one("#county-url", Input)
        message = self.query_one("#county-url-message", Static)
        problem = net.url_problem(field.value)
        if problem is not None:
            message.update(problem)
            field.focus()
            return
        net.remember_url(self.window, field.value)
        field.value = net.county_url(self.window) or ""
        message.update("")
        self._show_current()
        self.notify(f"已保存县级服务地址：{field.value}")

    def action_clear(self) -> None:
        net.forget_url(self.window)
        self.query_one("#county-url", Input).value = ""
        self.query_one("#county-url-message", Static).update("")
        self._show_current()
        self.notify("已清除县级服务地址：只用 U 盘上报和导入。")

    def action_close(self) -> None:
        self.dismiss(None)
