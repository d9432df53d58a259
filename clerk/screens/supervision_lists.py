"""需要处理的清单: the lists that need action (`clerk.service.supervision_lists`), read-only.

Above, how many entries each list holds per county (at a county: per office), counted by the
store; below, one case list a page at a time (F8 the next list; reaching the last row reads the
next page, as the cases behind a figure do). However many cases a city holds, the screen keeps
the pages the supervisor scrolled through, never the whole list. Reached by F9 from 监督统计.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic, PlainTable
from clerk.service.supervision_lists import LIST_LABELS, ActionLists, ListedCase

if TYPE_CHECKING:
    from clerk.service.window import Window

PAGE = 50  # entries read at a time
SHOWN = ("overdue", "due_soon", "stuck_in_intake", "bad_ratings")  # F8 goes round these
SHORT = {
    "overdue": "超期",
    "due_soon": "临期",
    "stuck_in_intake": "滞留收件",
    "bad_ratings": "差评未回访",
    "conflicts": "冲突",
    "time_anomalies": "时间异常",
    "lost_checkpoints": "确认缺失",
}
ENTRY_COLUMNS = ("县区", "服务点", "办件号", "事项", "状态", "期限", "工作日")
READING = "正在读取……"


class ActionListsScreen(GuardedScreen, Screen[None]):
    BINDINGS = [
        Binding("f8", "next_list", "换清单", id="lists.next"),
        Binding("end", "last_entry", "末尾", id="lists.end", show=False, priority=True),
        Binding("escape", "back", "返回", id="lists.back"),
    ]

    def __init__(self, window: Window, user: Any) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.found: ActionLists | None = None
        self.key = SHOWN[0]
        self.rows: list[ListedCase] = []
        self.more = False
        self.sub_title = "需要处理的清单"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="lists-body"):
            yield PlainStatic(READING, id="lists-title")
            yield PlainTable(id="lists-counts", cursor_type="none", zebra_stripes=True)
            yield PlainStatic(id="lists-where")
            yield PlainTable(id="lists-entries", cursor_type="row", zebra_stripes=True)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="lists-read")
    def _read(self) -> None:
        """The counts and the first page of every list, off the UI thread (GROUP BY reads)."""
        try:
            found = self.window.action_lists(limit=PAGE)
        except Exception as exc:  # noqa: BLE001 - raised again on the UI thread
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._read_done, found)

    def _failed(self, failure: Exception) -> None:
        raise failure

    def _read_done(self, found: ActionLists) -> None:
        self.found = found
        self.show_counts()
        self.choose(self.key)

    # ------------------------------------------------------------------ showing

    def show_counts(self) -> None:
        found = self.found
        assert found is not None
        self.query_one("#lists-title", Static).update(
            Text(
                f"需要处理的清单（截至 {found.day.isoformat()}，"
                f"差评回访期限 {found.follow_up_days} 个工作日）"
            )
        )
        table = self.query_one("#lists-counts", DataTable)
        table.clear(columns=True)
        table.add_columns("县区", *(SHORT[k] for k in LIST_LABELS))
        for office, counts in found.by_office().items():
            table.add_row(office, *(str(counts[k]) for k in LIST_LABELS))
        table.add_row("合计", *(str(n) for n in found.counts().values()))

    def choose(self, key: str) -> None:
        found = self.found
        assert found is not None
        self.key = key
        self.rows = list(getattr(found, key))
        self.more = len(self.rows) < found.count(key)
        self.show_entries()

    def show_entries(self) -> None:
        found = self.found
        assert found is not None
        total = found.count(self.key)
        more = "，PageDown/End 看更多" if self.more else ""
        self.query_one("#lists-where", Static).update(
            Text(
                f"{LIST_LABELS[self.key]}：共 {total} 件，已列出 {len(self.rows)} 件{more}"
                "（F8 换清单）"
            )
        )
        table = self.query_one("#lists-entries", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns(*ENTRY_COLUMNS)
        for e in self.rows:
            table.add_row(
                e.office,
                e.point,
                e.case_no,
                str(e.item_no),
                e.state,
                e.due_date.isoformat() if e.due_date else "",
                str(e.days),
            )
        if self.rows:
            table.move_cursor(row=min(row, len(self.rows) - 1))
        table.focus()

    def next_page(self) -> None:
        """The next page of the list shown, after the last entry read (one keyset read)."""
        found = self.found
        assert found is not None and self.rows
        page = list(self.window.listed_cases(found, self.key, after=self.rows[-1].key, limit=PAGE))
        self.rows += page
        self.more = len(page) == PAGE and len(self.rows) < found.count(self.key)
        self.show_entries()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "lists-entries" or not self.more:
            return
        if event.cursor_row >= event.data_table.row_count - 1:
            self.next_page()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_list", "last_entry"):
            return self.found is not None
        return True

    def action_next_list(self) -> None:
        self.choose(SHOWN[(SHOWN.index(self.key) + 1) % len(SHOWN)])

    def action_last_entry(self) -> None:
        table = self.query_one("#lists-entries", DataTable)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)

    def action_back(self) -> None:
        self.dismiss(None)
