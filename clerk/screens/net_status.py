"""网络上报情况 (a county office's supervisor or administrator, Ctrl+S): each point's last bundle
(number, when, by network or USB stick, what became of it) and the points that have not reported
for N working days; F6 changes N. Read from `clerk.net.status`, so a stick counts as the network
does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Static

from clerk.net import status as net_status
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic, PlainTable

if TYPE_CHECKING:
    from clerk.service.window import Window

NAME_CHARS = 6  # a point's name in the table, cut with "…" (80 columns)


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


class NetStatusScreen(GuardedScreen, Screen[None]):
    DEFAULT_CSS = (
        "#net-status-table { height: 1fr; }"  # a county's 100 points scroll, the hint stays
    )
    BINDINGS = [
        Binding("f6", "days", "提醒天数", id="net_status.days"),
        Binding("f9", "reload", "刷新", id="net_status.reload"),
        Binding("escape", "close", "返回", id="net_status.close"),
    ]

    def __init__(self, window: Window, user: Any) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.sub_title = "网络上报情况"
        self.status: net_status.Status | None = None
        # who reports here: a county's points, or the city's counties
        self.senders = "县区" if window.me().is_city else "服务点"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="panel"):
            yield PlainStatic(f"各{self.senders}上报情况（网络与 U 盘）", classes="dialog-title")
            yield PlainStatic(id="net-status-silent")
            yield PlainTable(id="net-status-table", cursor_type="row", zebra_stripes=True)
            yield PlainStatic(id="net-status-hint", classes="hint")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#net-status-table", DataTable)
        table.add_columns(self.senders, "名称", "最后一包", "时间", "来路", "结果", "未报")
        self.reload()
        table.focus()

    def reload(self) -> None:
        self.status = net_status.status(self.window)
        table = self.query_one("#net-status-table", DataTable)
        table.clear()
        for row in self.status.rows:
            style = "bold red" if row.silent else ""
            days = "从未" if row.working_days is None else f"{row.working_days}日"
            table.add_row(
                Text(row.code, style=style),
                _short(row.name),
                "—" if row.seq is None else f"第{row.seq}号",
                row.when,
                row.road or "—",
                row.outcome,
                Text(days, style=style),
                key=row.code,
            )
        n = self.status.silent_days
        silent = self.status.silent
        if not self.status.rows:
            line = f"还没有{self.senders}登记公钥或上报过（登记公钥：clerk keys add）。"
        elif silent:
            codes = "、".join(r.code for r in silent)
            line = (
                f"连续 {n} 个工作日以上未上报：{codes}（共 {len(silent)} 个，标红）。请电话询问。"
            )
        else:
            line = f"各{self.senders}均在 {n} 个工作日内上报过。"
        self.query_one("#net-status-silent", Static).update(line)
        self.query_one("#net-status-hint", Static).update(
            f"“未报”为最后一次导入至今的工作日数。F6 修改提醒天数（现为 {n} 个工作日），F9 刷新。"
        )

    def action_reload(self) -> None:
        self.reload()

    def action_days(self) -> None:
        def chosen(days: int | None) -> None:
            if days is not None:
                self.reload()
                self.notify(f"连续 {days} 个工作日未上报的{self.senders}将标红。")

        self.app.push_screen(SilentDaysScreen(self.window), chosen)

    def action_close(self) -> None:
        self.dismiss(None)


class SilentDaysScreen(GuardedScreen, ModalScreen[int | None]):
    """How many working days without a report mark a point (the setting `silent_working_days`)."""

    BINDINGS = [
        Binding("f10", "submit", "确定（或 Enter）", id="silent_days.submit"),
        Binding("escape", "cancel", "取消", id="silent_days.cancel"),
    ]

    def __init__(self, window: Window) -> None:
        super().__init__()
        self.window = window

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield PlainStatic("未上报提醒天数", classes="dialog-title")
            yield PlainStatic(
                f"连续多少个工作日没有导入某服务点的上报包时标红（1–{net_status.MAX_SILENT_DAYS}）。",
                classes="hint",
            )
            yield Input(
                value=str(net_status.silent_days(self.window)),
                max_length=2,
                id="silent-days-input",
            )
            yield PlainStatic("", id="silent-days-message", classes="error")
            yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#silent-days-input")
    def _submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        value = self.query_one("#silent-days-input", Input).value
        problem = net_status.silent_days_problem(value)
        if problem is not None:
            self.query_one("#silent-days-message", Static).update(problem)
            return
        self.dismiss(net_status.set_silent_days(self.window, value))

    def action_cancel(self) -> None:
        self.dismiss(None)
