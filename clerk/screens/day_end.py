"""日终上报: the day's ledger, then the bundle written to a chosen directory (the USB stick).

At a service point the bundle goes to its county office; at a county office F6 picks the point
whose return bundle (decisions, acknowledgements) is written. Writing runs in a thread worker with
a progress bar; the service (`Window.export_bundle`) does the work.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Label, ProgressBar, Static

from clerk.screens.textual_patches import SteadyFooter
from clerk.screens.widgets.plain import PlainStatic

if TYPE_CHECKING:
    from clerk.service.window import Window


def default_bundle_dir() -> Path:
    from clerk.support.paths import data_dir

    return data_dir() / "bundles"


def starting_dir() -> Path:
    """The folder this machine last wrote to or read from (the stick), else the default."""
    from clerk.support.stick import last_folder

    return last_folder() or default_bundle_dir()


class DayEndScreen(Screen[None]):
    BINDINGS = [
        Binding("f6", "next_point", "换服务点", id="day_end.point"),
        Binding("f10", "write", "写出上报包", id="day_end.write"),
        Binding("f10", "write_return", "写出回执包", id="day_end.write_return"),
        Binding("f11", "send", "发送到县级", id="day_end.send"),
        Binding("f11", "send_city", "发送到市级", id="day_end.send_city"),
        Binding("escape", "close", "返回", id="day_end.close"),
    ]

    def __init__(self, window: Window, user: Any, *, out_dir: Path | None = None) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.out_dir = out_dir or starting_dir()
        point = window.point()
        self.at_office = point.kind == "county_hall"
        self.points = window.peers_to_return() if self.at_office else []
        self.receiver = (
            self.points[0] if self.points else (point.office_code if not self.at_office else "")
        )
        self.busy = False
        self.written: Path | None = None
        from clerk.net.client import upstream_url

        # the service upstream: a point's county, a county's city (`clerk send --to` or Ctrl+S)
        self.url = upstream_url(window)
        self.upstream = "市级" if self.at_office else "县级"
        self.sub_title = "日终上报" if not self.at_office else "写回执包"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="day-end-scroll", classes="panel"):
            yield PlainStatic(id="day-end-ledger")
        with Horizontal(classes="field-row"):
            yield Label("写到目录", classes="field-label")
            yield Input(str(self.out_dir), id="day-end-dir")
        with Horizontal(classes="field-row"):
            yield Label("密钥口令", classes="field-label")
            yield Input("", id="day-end-pass", password=True, placeholder="私钥没有设口令时留空")
        yield ProgressBar(total=4, id="day-end-progress", show_eta=False)
        yield PlainStatic(id="day-end-status", classes="hint")
        yield SteadyFooter()

    def on_mount(self) -> None:
        from clerk.service.ledger import LedgerError
        from clerk.service.ledger_export import render_text

        try:
            text = render_text(self.window.daily_ledger(self.window.today()))
        except LedgerError as exc:
            text = str(exc)
        self.query_one("#day-end-ledger", Static).update(Text(text))
        self._paint_status()
        self.query_one("#day-end-dir", Input).focus()

    def _paint_status(self, extra: str = "") -> None:
        if self.at_office and not self.receiver:
            text = "还没有登记任何服务点的公钥，无法写回执包（clerk keys add 登记）。"
        elif self.at_office:
            text = f"将写给服务点 {self.receiver} 的回执包（F6 换服务点）。按 F10 写出。"
        else:
            text = f"将写给 {self.receiver} 的上报包：含对方尚未确认收到的全部记录。按 F10 写出。"
        if self.url:
            text += f"\n有网络时按 F11 直接发送到{self.upstream}服务（{self.url}）。"
        self.query_one("#day-end-status", Static).update(Text(extra or text))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_point":
            return self.at_office and len(self.points) > 1 and not self.busy
        if action in ("write", "write_return"):  # one key, named for the bundle it writes
            wanted = "write_return" if self.at_office else "write"
            return action == wanted and bool(self.receiver) and not self.busy
        if action in ("send", "send_city"):  # one key, named for where it sends
            wanted = "send_city" if self.at_office else "send"
            return action == wanted and bool(self.url) and not self.busy
        return True

    def action_next_point(self) -> None:
        if not self.points:
            return
        self.receiver = self.points[(self.points.index(self.receiver) + 1) % len(self.points)]
        self._paint_status()

    def action_write_return(self) -> None:
        self.action_write()

    def action_write(self) -> None:
        if self.busy or not self.receiver:
            return
        self.busy = True
        self.query_one("#day-end-progress", ProgressBar).update(progress=0)
        self._paint_status("正在写出，请勿拔出 U 盘……")
        directory = Path(self.query_one("#day-end-dir", Input).value.strip() or str(self.out_dir))
        passphrase = self.query_one("#day-end-pass", Input).value or None
        if directory == default_bundle_dir():
            directory.mkdir(
                parents=True, exist_ok=True
            )  # the USB stick is chosen, the default made
        self._write(directory, passphrase)

    @work(thread=True, exclusive=True, group="day-end")
    def _write(self, directory: Path, passphrase: str | None) -> None:
        bar = self.query_one("#day-end-progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, progress=done, total=total)

        try:
            result = self.window.export_bundle(
                directory,
                for_point=self.receiver if self.at_office else None,
                passphrase=passphrase,
                progress=progress,
            )
        except ValueError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        c = result.counts
        message = (
            f"已写出第 {result.seq} 号包：{result.path}\n"
            f"办件 {c.get('cases', 0)} 件，事件 {c.get('events', 0)} 条，文书 {c.get('documents', 0)} 份。"
            "可以拔出 U 盘了。"
        )
        self.app.call_from_thread(self._done, result.path, message)

    def action_send_city(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        if self.busy or not self.url:
            return
        self.busy = True
        self.query_one("#day-end-progress", ProgressBar).update(progress=0)
        self._paint_status(f"正在写出并发送到{self.upstream}服务 {self.url}……")
        self._send(self.url, self.query_one("#day-end-pass", Input).value or None)

    @work(thread=True, exclusive=True, group="day-end")
    def _send(self, url: str, passphrase: str | None) -> None:
        from clerk.net.client import NetProblem, send, send_text

        bar = self.query_one("#day-end-progress", ProgressBar)

        def progress(stage: str, done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, progress=done, total=total or None)

        try:
            result = send(self.window, url, passphrase=passphrase, progress=progress)
        except (NetProblem, ValueError) as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._done, result.written or self.out_dir, send_text(result))

    def _failed(self, message: str) -> None:
        self.busy = False
        self._paint_status(f"未写出：{message}")
        self.notify(message, severity="error", timeout=15)

    def _done(self, path: Path, message: str) -> None:
        from clerk.support.stick import remember_folder

        self.busy = False
        self.written = path
        folder = path if path.is_dir() else path.parent
        if folder != default_bundle_dir():
            remember_folder(folder)  # the stick, offered again next evening
        self._paint_status(message)
        self.notify(message, title="日终上报", timeout=15)

    def action_close(self) -> None:
        self.dismiss(None)
