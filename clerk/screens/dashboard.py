"""工作台: today's cases, my review queue, due soon, overdue, awaiting supplements, awaiting payment.

Reloaded whenever the clerk comes back to it (a case moved) and once a minute (time moved).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from clerk.domain.limits import DEEMED_ACCEPTED_WORKING_DAYS, SUPERVISOR_ROLES
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.case_table import CaseTable
from clerk.screens.widgets.plain import PlainOptionList, PlainStatic
from clerk.service.views import Queues

if TYPE_CHECKING:
    from clerk.service.window import Window

QUEUES: tuple[tuple[str, str, str], ...] = (
    # (key in Queues, digit, label)
    ("today", "1", "今日收件"),
    ("my_review", "2", "待我审核"),
    ("due_soon", "3", "一日内到期"),  # within one working day; short enough for 80 columns
    ("overdue", "4", "已逾期"),
    ("awaiting_supplement", "5", "待补正"),
    ("awaiting_payment", "6", "待拨付"),
    ("unfinished", "7", "未办完（收件）"),
    ("bad_ratings", "8", "差评待回访"),
)
RELOAD_SECONDS = 60
EMPTY_QUEUE = "暂无办件"


class DashboardScreen(GuardedScreen, Screen[None]):
    # The case table has the focus from the first frame: focusing it from on_mount (a deferred
    # call) drew the whole table once unfocused, then again focused (its background differs).
    AUTO_FOCUS = "#queue-cases"
    BINDINGS = [
        *[
            Binding(digit, f"queue('{key}')", label, id=f"dashboard.{key}", show=False)
            for key, digit, label in QUEUES
        ],
        Binding("enter", "open", "打开办件", id="dashboard.open"),
        Binding("9", "supervision", "监督统计", id="dashboard.supervision", show=False),
    ]

    def __init__(self, window: Window, user: Any) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.current = "today"
        self.queues = Queues()
        self.sub_title = "工作台"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="queues"):
                yield PlainOptionList(id="queue-list")
                yield PlainStatic(
                    "数字键 1-8 切换队列\nEnter 打开办件\nF2 新建　F3 查询", classes="hint"
                )
            with Vertical():
                # At 80 columns the side list gives way to this bar, so the table keeps its
                # 申请人 and 事项 columns (they were cut to "申" with the list beside it).
                yield PlainStatic(id="queue-bar")
                yield PlainStatic(id="queue-title")
                yield CaseTable(id="queue-cases")
                yield PlainStatic(EMPTY_QUEUE, id="queue-empty", classes="hint")
        yield SteadyFooter()

    def on_mount(self) -> None:
        # the queues are loaded by on_screen_resume, which also runs when the screen first shows
        self.set_interval(RELOAD_SECONDS, self._reload_on_time)

    def on_screen_resume(self) -> None:
        self.reload()

    def _reload_on_time(self) -> None:
        """The minute's refresh, skipped while a screen above is writing (a decision or a roster
        import in its thread worker): its transaction is open on the same database connection."""
        if any(getattr(screen, "busy", False) for screen in self.app.screen_stack):
            return
        self.reload()

    def reload(self) -> None:
        self.queues = self.window.queues(self.user)
        counts = self.queues.counts
        options = self.query_one("#queue-list", OptionList)
        highlighted = [key for key, _, _ in QUEUES].index(self.current)
        options.clear_options()
        options.add_options(
            [Option(f"{digit} {label}　{counts[key]}", id=key) for key, digit, label in QUEUES]
        )
        options.highlighted = highlighted
        self._show()

    def _paint_bar(self) -> None:
        counts = self.queues.counts
        bar = Text()
        for key, digit, label in QUEUES:
            style = "reverse bold" if key == self.current else ""
            bar.append(f"{digit} {label} {counts[key]}", style=style)
            bar.append("  ")
        self.query_one("#queue-bar", Static).update(bar)

    def _show(self) -> None:
        label = next(label for key, _, label in QUEUES if key == self.current)
        rows = getattr(self.queues, self.current)
        note = ""
        if self.current == "awaiting_supplement" and any(r.deemed_accepted for r in rows):
            note = (
                f"　标“超{DEEMED_ACCEPTED_WORKING_DAYS}日视为受理”的件：收件后{DEEMED_ACCEPTED_WORKING_DAYS}个工作日内未告知，"
                "依法自收到材料之日起即为受理"
            )
        self.query_one("#queue-title", Static).update(f"{label}（{len(rows)}件）{note}")
        self.query_one(CaseTable).show(rows)
        self._paint_bar()
        self.query_one("#queue-empty", Static).display = not rows
        self.refresh_bindings()

    def action_queue(self, key: str) -> None:
        self.current = key
        self.query_one("#queue-list", OptionList).highlighted = [k for k, _, _ in QUEUES].index(key)
        self._show()

    @on(OptionList.OptionHighlighted, "#queue-list")
    def _queue_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.current:
            self.current = event.option.id
            self._show()

    @on(OptionList.OptionSelected, "#queue-list")
    def _queue_selected(self) -> None:
        self.query_one(CaseTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            tables = self.query(CaseTable)
            return bool(tables) and tables.first().current_uuid is not None
        if action == "supervision":
            return getattr(self.user, "role", None) in SUPERVISOR_ROLES
        return True

    def action_supervision(self) -> None:
        from clerk.screens.supervision import SupervisionScreen

        self.app.push_screen(SupervisionScreen(self.window, self.user))

    def action_open(self) -> None:
        uuid = self.query_one(CaseTable).current_uuid
        if uuid is not None:
            self.app.open_case(uuid)  # type: ignore[attr-defined]

    @on(CaseTable.Opened)
    def _opened(self, event: CaseTable.Opened) -> None:
        self.app.open_case(event.case_uuid)  # type: ignore[attr-defined]
