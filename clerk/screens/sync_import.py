"""导入: read a bundle from the USB stick, show the report, and work the conflict queue.

The field takes the stick's folder (remembered on this machine from the last import or 日终上报)
or a bundle file. A folder lists its bundles, newest first, with sender, receiver, number and
file time read from each file's plain header line; Enter (or F10) on a row imports it.

At a county office the report lists the point's cases now here, and the table below lists the
cases handed on for acceptance (转报待受理, Enter opens one). At a point the imported return
shows which applicants to tell what. Supervisors resolve conflicts: F7 keeps this file's record,
F8 takes the other side's move; each choice is recorded as an event.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static

from clerk.domain.clock import TZ
from clerk.domain.model import Role
from clerk.screens.textual_patches import SteadyFooter
from clerk.screens.widgets.plain import PlainStatic, PlainTable
from clerk.support.stick import last_folder, remember_folder

if TYPE_CHECKING:
    from clerk.service.window import Window

SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})


class SyncImportScreen(Screen[None]):
    BINDINGS = [
        Binding("f10", "import_bundle", "导入", id="sync_import.run"),
        Binding("f11", "fetch", "从县级取回", id="sync_import.fetch"),
        Binding("f11", "fetch_city", "从市级取回", id="sync_import.fetch_city"),
        Binding("f7", "keep", "保留本机记录", id="sync_import.keep"),
        Binding("f8", "take", "采用对方记录", id="sync_import.take"),
        Binding("f6", "handed", "转报待受理", id="sync_import.handed"),
        Binding("enter", "open_case", "打开办件", id="sync_import.open", priority=True),
        Binding("escape", "close", "返回", id="sync_import.close"),
    ]

    def __init__(self, window: Window, user: Any, *, path: Path | None = None) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.path = path or last_folder()
        self.listed: Path | None = None  # the folder whose bundles the list shows
        self.busy = False
        self.at_office = window.point().kind == "county_hall"
        from clerk.net.client import upstream_url

        # the service upstream: a point's county, a county's city (its acknowledgements)
        self.url = upstream_url(window)
        self.upstream = "市级" if self.at_office else "县级"
        self.sub_title = "导入上报包" if self.at_office else "导入回执包"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="field-row"):
            yield Label("U 盘文件夹", classes="field-label")
            yield Input(
                str(self.path or ""),
                id="sync-import-file",
                placeholder="U 盘的文件夹（Enter 列出其中的包），或一个 .clerkbundle 文件",
            )
        with Horizontal(classes="field-row"):
            yield Label("密钥口令", classes="field-label")
            yield Input(
                "", id="sync-import-pass", password=True, placeholder="私钥没有设口令时留空"
            )
        yield PlainStatic("U 盘上的包（新的在前，Enter 导入所选）", classes="dialog-title")
        yield PlainTable(id="sync-bundles", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="sync-import-scroll", classes="panel"):
            yield PlainStatic(
                "输入 U 盘的文件夹，按 Enter 列出其中的包，再选一个按 Enter 导入。"
                "导入前先全部核验，有问题则本机不作任何改动。",
                id="sync-import-report",
            )
        yield PlainStatic("冲突队列（主管处理）", classes="dialog-title")
        yield PlainTable(id="sync-conflicts", cursor_type="row", zebra_stripes=True)
        if self.at_office:
            yield PlainStatic("转报待受理（Enter 打开）", classes="dialog-title")
            yield PlainTable(id="sync-handed", cursor_type="row", zebra_stripes=True)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#sync-bundles", DataTable).add_columns(
            "写出时间", "来自", "给", "编号", "文件"
        )
        self.query_one("#sync-conflicts", DataTable).add_columns("编号", "办件号", "来自", "情况")
        if self.at_office:
            self.query_one("#sync-handed", DataTable).add_columns(
                "办件号", "事项", "申请人", "来自"
            )
        self.reload()
        self.query_one("#sync-import-file", Input).focus()
        if self.path is not None and self.path.is_dir():
            self._list(self.path, quiet=True)

    def _list(self, folder: Path, *, quiet: bool = False) -> None:
        """Show the bundles in `folder`; the folder is remembered for next time."""
        table = self.query_one("#sync-bundles", DataTable)
        table.clear()
        self.listed = None
        try:
            found = self.window.bundles_in(folder)
        except ValueError as exc:
            if not quiet:
                self.notify(str(exc), severity="error", timeout=10)
            return
        self.listed = folder
        remember_folder(folder)
        for b in found:
            when = datetime.fromtimestamp(b.modified, TZ).strftime("%Y-%m-%d %H:%M")
            if b.header is None:
                cells = (when, "？", "？", "？", f"{b.path.name}（文件头已损坏）")
            else:
                h = b.header
                cells = (when, h.sender, h.receiver, f"第 {h.seq} 号", b.path.name)
            table.add_row(*cells, key=str(b.path))
        if found:
            table.move_cursor(row=0)
            if not quiet:
                table.focus()
        elif not quiet:
            self.notify(f"文件夹 {folder} 里没有上报包（.clerkbundle 文件）。", severity="warning")

    def reload(self) -> None:
        table = self.query_one("#sync-conflicts", DataTable)
        table.clear()
        for c in self.window.conflicts():
            table.add_row(str(c.id), c.case_no, c.peer, c.what, key=str(c.id))
        if self.at_office:
            handed = self.query_one("#sync-handed", DataTable)
            handed.clear()
            for row in self.window.handed_to_me():
                s = self.window.summary(row)
                handed.add_row(
                    s.case_no,
                    f"{s.item_no} {s.item_name}",
                    s.applicant_name_masked,
                    row.point_code,
                    key=row.uuid,
                )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("keep", "take"):
            return (
                getattr(self.user, "role", None) in SUPERVISORS
                and self.query_one("#sync-conflicts", DataTable).row_count > 0
                and self.focused is self.query_one("#sync-conflicts", DataTable)
            )
        if action == "open_case":
            return self.at_office and self.focused is not None and self.focused.id == "sync-handed"
        if action == "handed":
            return self.at_office and self.query_one("#sync-handed", DataTable).row_count > 0
        if action == "import_bundle":
            return not self.busy
        if action in ("fetch", "fetch_city"):  # one key, named for where it fetches from
            wanted = "fetch_city" if self.at_office else "fetch"
            return action == wanted and bool(self.url) and not self.busy
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "sync-import-file":
            self._from_field()
        else:
            self.action_import_bundle()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "sync-bundles":
            event.stop()
            self._import_picked()

    def _from_field(self) -> None:
        """The field's folder is listed; a file named there is imported at once."""
        text = self.query_one("#sync-import-file", Input).value.strip()
        if not text:
            self.notify("请先输入 U 盘的文件夹。", severity="error")
            return
        path = Path(text)
        if path.is_dir():
            self._list(path)
        else:
            self._start(path)

    def action_import_bundle(self) -> None:
        bundles = self.query_one("#sync-bundles", DataTable)
        if self.focused is bundles or (
            self.focused is self.query_one("#sync-import-pass", Input) and bundles.row_count
        ):
            self._import_picked()
        else:
            self._from_field()

    def _import_picked(self) -> None:
        table = self.query_one("#sync-bundles", DataTable)
        if not table.row_count:
            self.notify("列表里没有包，请先输入 U 盘的文件夹并按 Enter。", severity="error")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self._start(Path(str(key)))

    def _start(self, path: Path) -> None:
        if self.busy:
            return
        if path.parent.is_dir():
            remember_folder(path.parent)
        self.busy = True
        self.refresh_bindings()
        self.query_one("#sync-import-report", Static).update(Text(f"正在核验并导入 {path.name}……"))
        self._import(path, self.query_one("#sync-import-pass", Input).value or None)

    @work(thread=True, exclusive=True, group="sync-import")
    def _import(self, path: Path, passphrase: str | None) -> None:
        report = self.window.import_bundle(path, passphrase=passphrase)
        self.app.call_from_thread(self._shown, report.ok, report.text())

    def action_fetch_city(self) -> None:
        self.action_fetch()

    def action_fetch(self) -> None:
        if self.busy or not self.url:
            return
        self.busy = True
        self.refresh_bindings()
        self.query_one("#sync-import-report", Static).update(
            Text(f"正在从{self.upstream}服务（{self.url}）取回回执包并核验导入……")
        )
        self._fetch(self.url, self.query_one("#sync-import-pass", Input).value or None)

    @work(thread=True, exclusive=True, group="sync-import")
    def _fetch(self, url: str, passphrase: str | None) -> None:
        from clerk.net.client import NetProblem, fetch

        try:
            reports = fetch(self.window, url, passphrase=passphrase)
        except (NetProblem, ValueError) as exc:
            self.app.call_from_thread(self._shown, False, str(exc))
            return
        if not reports:
            self.app.call_from_thread(self._shown, True, f"{self.upstream}没有新的回执包。")
            return
        text = "\n\n".join(r.text() for r in reports)
        self.app.call_from_thread(self._shown, all(r.ok for r in reports), text)

    def _shown(self, ok: bool, text: str) -> None:
        self.busy = False
        self.query_one("#sync-import-report", Static).update(Text(text))
        self.notify(text.splitlines()[0], severity="information" if ok else "error", timeout=15)
        self.reload()
        if ok and self.at_office:  # what the import brought is what the clerk works next
            self.action_handed()

    def _resolve(self, choice: str) -> None:
        table = self.query_one("#sync-conflicts", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        try:
            self.window.resolve_conflict(self.user, int(str(key)), choice)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify("已记录处理结果：" + ("保留本机记录" if choice == "keep" else "采用对方记录"))
        self.reload()

    def action_handed(self) -> None:
        """One key to the cases handed on for acceptance (they were five Tabs away)."""
        table = self.query_one("#sync-handed", DataTable)
        if table.row_count:
            table.focus()

    def action_keep(self) -> None:
        self._resolve("keep")

    def action_take(self) -> None:
        self._resolve("take")

    def action_open_case(self) -> None:
        table = self.query_one("#sync-handed", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.open_case(str(key))  # type: ignore[attr-defined]

    def action_close(self) -> None:
        self.dismiss(None)
