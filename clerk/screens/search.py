"""查询办件: by case number, ID number (exact), name, unit or credit code; Enter opens the case."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Static
from textual.worker import get_current_worker

from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.case_table import CaseTable
from clerk.screens.widgets.plain import PlainStatic

if TYPE_CHECKING:
    from clerk.service.window import Window


class SearchScreen(GuardedScreen, Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "返回", id="search.close"),
        Binding("f6", "focus_query", "改查询条件", id="search.query"),
    ]

    def __init__(self, window: Window) -> None:
        super().__init__()
        self.window = window
        self.sub_title = "查询办件"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Input(
                placeholder="办件号（或末几位）、证件号码（或末6位）、姓名、单位、事项名称或拼音首字母，Enter 查询",
                id="search-query",
            )
            yield PlainStatic("", id="search-summary", classes="hint")
            yield CaseTable(id="search-results")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#search-query")
    def _search(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        summary = self.query_one("#search-summary", Static)
        if not text:
            summary.update("请输入查询条件。")
            return
        summary.update("正在查询……")
        self._look_up(text)

    # A name part found in a million cases takes a while: look it up off the UI thread, so the
    # screen keeps drawing and answering keys; a newer query replaces one still running.
    @work(thread=True, exclusive=True, group="search")
    def _look_up(self, text: str) -> None:
        try:
            results = self.window.search(text)
        except Exception as exc:  # noqa: BLE001 - raised again on the UI thread, as before
            failure: Exception | None = exc
            results = []
        else:
            failure = None
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, results, failure)

    def _show(self, results: list, failure: Exception | None) -> None:
        if failure is not None:
            raise failure
        summary = self.query_one("#search-summary", Static)
        self.query_one(CaseTable).show(results)
        if results:
            summary.update(f"找到 {len(results)} 件。↑↓ 选择，Enter 打开，F6 改条件。")
            self.query_one(CaseTable).focus()
        else:
            summary.update(
                "没有找到。可输入办件号末几位、证件号码末6位、姓名开头的字，或事项名称/拼音首字母（如 zybx）。"
            )

    def action_focus_query(self) -> None:
        self.query_one(Input).focus()

    @on(CaseTable.Opened)
    def _opened(self, event: CaseTable.Opened) -> None:
        self.app.open_case(event.case_uuid)  # type: ignore[attr-defined]

    def action_close(self) -> None:
        self.dismiss(None)
