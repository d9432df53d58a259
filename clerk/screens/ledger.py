"""日结单: the daily ledger of this installation's point, day by day, with CSV / Excel export.

Supervisors and administrators export; window clerks may read it. The text is the same as
`clerk report` prints (`clerk.service.ledger_export.render_text`).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from clerk.domain.limits import EXPORT_ROLES
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic

if TYPE_CHECKING:
    from clerk.service.ledger import Ledger
    from clerk.service.window import Window

EXPORTERS = {"csv": "CSV", "xlsx": "Excel"}
MAY_EXPORT = EXPORT_ROLES
COUNTY_HALL = "county_hall"


def default_reports_dir() -> Path:
    from clerk.support.paths import data_dir

    return data_dir() / "reports"


def export_name(point_code: str, day: date, kind: str) -> str:
    return f"日结单_{point_code}_{day.isoformat()}.{kind}"


class LedgerScreen(GuardedScreen, Screen[None]):
    BINDINGS = [
        Binding("f6", "previous_day", "前一天", id="ledger.previous"),
        Binding("f7", "next_day", "后一天", id="ledger.next"),
        Binding("f8", "export", "导出CSV和Excel", id="ledger.export"),
        Binding("p", "print", "打印", id="ledger.print"),
        Binding("escape", "close", "返回", id="ledger.close"),
    ]

    def __init__(
        self, window: Window, user: Any, *, day: date | None = None, reports_dir: Path | None = None
    ) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.today = window.today()
        self.day = day or self.today
        self.reports_dir = reports_dir
        self.ledger: Ledger | None = None
        self.problem = ""
        self.sub_title = "日结单"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="ledger-scroll", classes="panel"):
            yield PlainStatic(id="ledger-text")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.show_day(self.day)
        self.query_one("#ledger-scroll").focus()

    def show_day(self, day: date) -> None:
        from clerk.service.ledger import LedgerError
        from clerk.service.ledger_export import render_text

        self.day = day
        try:
            self.ledger = self.window.daily_ledger(day)
        except LedgerError as exc:
            self.ledger = None
            self.problem = str(exc)
            self.query_one("#ledger-text", Static).update(Text(self.problem))
        else:
            self.problem = ""
            self.query_one("#ledger-text", Static).update(Text(render_text(self.ledger)))
        self.query_one("#ledger-scroll", VerticalScroll).scroll_home(animate=False)
        self.sub_title = f"日结单　{day.isoformat()}"
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_day":
            return self.day < self.today
        if action == "export":
            return self.ledger is not None  # who may is said when pressed (`export_refusal`)
        if action == "print":
            return self.ledger is not None
        return True

    def export_refusal(self) -> str:
        """Why this user may not export (F8), or "". Supervisors and administrators export; at a
        service point (a township hall, a village centre, a college) the clerk is often alone
        there, so its clerk exports its own point's ledger too."""
        if getattr(self.user, "role", None) in MAY_EXPORT:
            return ""
        if self.window.point().kind != COUNTY_HALL:
            return ""
        return (
            "导出日结单（CSV、Excel）须由主管或管理员操作：请主管登录后按 F8。"
            "窗口人员可在此查看日结单，按 P 打印。"
        )

    def action_previous_day(self) -> None:
        self.show_day(self.day - timedelta(days=1))

    def action_next_day(self) -> None:
        if self.day < self.today:
            self.show_day(self.day + timedelta(days=1))

    def action_export(self) -> None:
        """Write the day's ledger as CSV and as Excel into the reports folder; notify both paths."""
        from clerk.service.ledger_export import write_csv, write_xlsx

        if self.ledger is None:
            return
        refusal = self.export_refusal()
        if refusal:
            self.notify(refusal, title="日结单", severity="warning", timeout=12)
            return
        folder = self.reports_dir or default_reports_dir()
        code = self.window.point().code
        written: list[Path] = []
        for kind, writer in (("csv", write_csv), ("xlsx", write_xlsx)):
            target = folder / export_name(code, self.day, kind)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                written.append(writer(self.ledger, target))
            except OSError as exc:
                self.notify(
                    f"{EXPORTERS[kind]} 文件没有写成（{exc.strerror or exc}）：{target}。"
                    "请检查磁盘空间和文件夹权限；如果该文件正在 Excel 中打开，请先关闭再按 F8。",
                    severity="error",
                    timeout=15,
                )
                return
        self.notify("已导出：\n" + "\n".join(str(p) for p in written), title="日结单", timeout=15)

    def action_print(self) -> None:
        """P: the day's ledger as a PDF (reports folder) to the default printer, or the viewer."""
        from clerk.documents.printing import print_document
        from clerk.documents.text_pdf import render_text_pdf
        from clerk.service.ledger_export import render_text

        if self.ledger is None:
            return
        folder = self.reports_dir or default_reports_dir()
        target = folder / export_name(self.window.point().code, self.day, "pdf")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            render_text_pdf(
                render_text(self.ledger),
                target,
                title=f"日结单 {self.day.isoformat()}",
                created=self.window.clock(),
            )
        except OSError as exc:
            self.notify(
                f"日结单 PDF 没有写成（{exc.strerror or exc}）：{target}。请检查磁盘空间和文件夹权限。",
                severity="error",
            )
            return
        result = print_document(target)
        self.notify(
            result.message,
            title="日结单",
            severity="error" if result.how == "failed" else "information",
        )

    def action_close(self) -> None:
        self.dismiss(None)
