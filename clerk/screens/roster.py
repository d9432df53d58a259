"""名册导入: a college point enrols its students from the school's roster (表6) in one go.

The clerk types the file's path and presses Enter (or F9): every row is checked in a worker thread
and every problem is listed by row and column. F7 records that the paper roster bears the
school's seal. F10 imports a roster with nothing to correct; F8 enrols only the valid students and
prints the notice of the rows to correct. Enrolment runs in a worker thread with a progress bar;
the window refuses other keys meanwhile. F6 writes a blank template for the school.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, ProgressBar, Static

from clerk.screens.textual_patches import SteadyFooter
from clerk.screens.widgets.plain import PlainStatic
from clerk.service.case_reader import ServiceError

if TYPE_CHECKING:
    from clerk.roster import RosterCheck
    from clerk.service.enrolment import BatchResult
    from clerk.service.window import Window

SHOWN_PROBLEMS = 500  # the screen lists this many; the printed notice lists them all
TEMPLATE_NAME = "表6学生名册模板.xlsx"


def default_templates_dir() -> Path:
    from clerk.support.paths import data_dir

    return data_dir() / "templates"


def cleaned_path(text: str) -> Path:
    """What the clerk typed or pasted as a path: quotes (Windows “复制为路径”) and ~ handled."""
    return Path(text.strip().strip('"').strip("'")).expanduser()


class RosterScreen(Screen[None]):
    BINDINGS = [
        Binding("f9", "check", "检查名册", id="roster.check"),
        Binding("f7", "seal", "已核验公章", id="roster.seal"),
        Binding("f10", "import_all", "导入", id="roster.import"),
        Binding("f8", "accept_valid", "只登记无误的学生", id="roster.accept_valid"),
        Binding("f6", "template", "生成模板", id="roster.template"),
        Binding("escape", "close", "返回", id="roster.close"),
    ]

    def __init__(self, window: Window, user: Any, *, templates_dir: Path | None = None) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.templates_dir = templates_dir
        self.check: RosterCheck | None = None
        self.seal_checked = False
        self.busy = False
        self.result: BatchResult | None = None
        self.sub_title = "学生名册导入（表6）"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="roster-panel", classes="panel"):
            yield PlainStatic(
                "学校报送的《湖南省城乡居民基本医疗保险参保登记汇总表》（表6）电子名册：输入文件路径（.xlsx 或 .csv），"
                "Enter 检查。每一行都先检查，问题按行号一次列出。F6 生成空白模板交给学校。",
                classes="hint",
            )
            with Horizontal(classes="field-row"):
                yield PlainStatic("名册文件", classes="field-label")
                yield Input(placeholder="如 D:/名册/2026级新生.xlsx", id="roster-path")
            yield PlainStatic(self._seal_text(), id="roster-seal")
            yield ProgressBar(id="roster-progress", show_eta=False)
            yield PlainStatic("", id="roster-status")
            yield PlainStatic("", id="roster-report")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#roster-progress", ProgressBar).display = False
        self.query_one("#roster-path", Input).focus()

    # ------------------------------------------------------------------ what applies now

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.busy:
            return False
        check = self.check
        if action == "import_all":
            return check is not None and check.clean and bool(check.students)
        if action == "accept_valid":
            return check is not None and check.importable and bool(check.row_problems)
        return True

    def _seal_text(self) -> Text:
        box = "[√]" if self.seal_checked else "[ ]"
        style = "green" if self.seal_checked else "yellow"
        return Text.assemble(
            (box, style), " 已核验纸质汇总表加盖学校公章（F7 切换；导入前必须核验）"
        )

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#roster-status", Static)
        status.update(Text(message, style="bold red" if error else "bold"))

    # ------------------------------------------------------------------ checking

    @on(Input.Submitted, "#roster-path")
    def _submitted(self) -> None:
        self.action_check()

    def action_check(self) -> None:
        text = self.query_one("#roster-path", Input).value
        if not text.strip():
            self._status("请输入名册文件的路径。", error=True)
            return
        path = cleaned_path(text)
        if not path.is_file():
            self._status(
                f"找不到文件：{path}。请核对路径（可从文件管理器复制完整路径后粘贴）。", error=True
            )
            return
        self.check = None
        self.result = None
        self.query_one("#roster-progress", ProgressBar).display = False
        self.busy = True
        self.refresh_bindings()
        self._status("正在检查名册……")
        self.query_one("#roster-report", Static).update("")
        self._check_worker(path)

    @work(thread=True, exclusive=True, group="roster")
    def _check_worker(self, path: Path) -> None:
        try:
            check = self.window.check_roster(path)
            earlier = self.window.earlier_batches(check)
        except ServiceError as exc:
            self.app.call_from_thread(self._check_failed, str(exc))
            return
        self.app.call_from_thread(self._checked, check, earlier)

    def _check_failed(self, message: str) -> None:
        self.busy = False
        self._status(message, error=True)
        self.refresh_bindings()

    def _checked(self, check: RosterCheck, earlier: list[Any]) -> None:
        from clerk.roster.report import report_lines

        self.busy = False
        self.check = check
        lines = report_lines(check, limit=SHOWN_PROBLEMS)
        self.query_one("#roster-report", Static).update(Text("\n".join(lines)))
        status = [self._next_step(check)]
        status += [
            f"注意：这个文件已于 {e.received_at[:16].replace('T', ' ')} 导入过（批次 {e.batch_no}，登记 {e.enrolled} 人）。"
            for e in earlier
        ]
        self._status("\n".join(status), error=bool(check.file_problems or check.row_problems))
        self.refresh_bindings()

    def _next_step(self, check: RosterCheck) -> str:
        if check.file_problems:
            return "名册文件本身有问题（见下），不能导入。请学校按模板改正后重新报送。"
        if not check.students:
            if check.enrolled:
                return f"没有需要登记的学生：{len(check.enrolled)} 人已参保登记，不会重复登记。"
            return "名册中没有一行无误，请学校按下列问题改正后重新报送。"
        seal = "" if self.seal_checked else "先按 F7 确认已核验学校公章，再"
        if check.row_problems:
            return (
                f"有 {len(check.bad_rows)} 行需要更正（见下）。请学校改正后重新报送；"
                f"或{seal}按 F8 先登记无误的 {len(check.students)} 人，并打印更正告知书。"
            )
        return f"检查通过，可登记 {len(check.students)} 人。{seal}按 F10 导入。"

    # ------------------------------------------------------------------ seal, template

    def action_seal(self) -> None:
        self.seal_checked = not self.seal_checked
        self.query_one("#roster-seal", Static).update(self._seal_text())
        if self.check is not None:
            self._status(self._next_step(self.check))
        self.refresh_bindings()

    def action_template(self) -> None:
        folder = self.templates_dir or default_templates_dir()
        target = folder / TEMPLATE_NAME
        n = 1
        while target.exists():
            n += 1
            target = folder / f"表6学生名册模板（{n}）.xlsx"
        try:
            written = self.window.write_roster_template(target)
        except ServiceError as exc:
            self.notify(str(exc), severity="error", timeout=15)
            return
        self.notify(f"已生成名册模板：{written}", title="名册模板", timeout=15)

    # ------------------------------------------------------------------ enrolment

    def action_import_all(self) -> None:
        self._enrol(accept_valid=False)

    def action_accept_valid(self) -> None:
        self._enrol(accept_valid=True)

    def _enrol(self, *, accept_valid: bool) -> None:
        check = self.check
        if check is None or self.busy:
            return
        if not self.seal_checked:
            self._status(
                "请先核验纸质汇总表（表6）已加盖学校公章，按 F7 确认后再导入。", error=True
            )
            return
        self.busy = True
        self.refresh_bindings()
        bar = self.query_one("#roster-progress", ProgressBar)
        bar.update(total=len(check.students), progress=0)
        bar.display = True
        self._status(f"正在登记 {len(check.students)} 人……")
        self._enrol_worker(check, accept_valid)

    @work(thread=True, exclusive=True, group="roster")
    def _enrol_worker(self, check: RosterCheck, accept_valid: bool) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(
                self.query_one("#roster-progress", ProgressBar).update, progress=done
            )

        try:
            result = self.window.enrol_roster(
                self.user, check, seal_checked=True, accept_valid=accept_valid, progress=progress
            )
        except ServiceError as exc:
            self.app.call_from_thread(self._enrol_failed, str(exc))
            return
        self.app.call_from_thread(self._enrolled, result)

    def _enrol_failed(self, message: str) -> None:
        self.busy = False
        self.query_one("#roster-progress", ProgressBar).display = False
        self._status(f"未导入：{message}", error=True)
        self.refresh_bindings()

    def _enrolled(self, result: BatchResult) -> None:
        self.busy = False
        self.result = result
        self.check = None  # the same roster cannot be imported twice from this screen
        self.seal_checked = False
        self.query_one("#roster-seal", Static).update(self._seal_text())
        lines = [
            f"已登记 {result.enrolled} 人（批次 {result.batch_no}），办件编号 {result.first_case_no} 至 {result.last_case_no}。",
            f"受理回执：{result.receipt.path_pdf}（请打印两联，存档联由学校经办人签字）",
        ]
        if result.notice is not None:
            lines.append(
                f"名册信息更正告知书（{result.to_correct} 行）：{result.notice.path_pdf}（交学校改正后重新报送）"
            )
        if result.skipped:
            lines.append(f"{result.skipped} 人此前已参保登记，未重复登记。")
        self._status("\n".join(lines))
        self.notify(lines[0], title="名册导入完成", timeout=15)
        self.refresh_bindings()

    def action_close(self) -> None:
        self.dismiss(None)
