"""监督统计: the supervision figures side by side, read-only, with a 12-month trend.

At a city the 14 county offices, at a county its own points, each row one office, point or item
with its figures (`clerk.service.supervision`); below the table the highlighted office's trend
(Textual `Sparkline`s of 受理量, 按时办结率, 超期率, 好评率 over the last 12 months). Keys alone:
Enter goes down (office → its points → the point's items → the cases behind the item, masked →
the case, read-only), Esc back up, F6/F7 the month before/after, F9 the lists that need action
(`clerk.screens.supervision_lists`). Nothing here decides a case:
the screen has no decision key, so a city installation can start straight into it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Sparkline, Static
from textual.worker import get_current_worker

from clerk.domain.indicators import Figures, Period
from clerk.ports.supervision import FIGURE_LABELS
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.case_table import CaseTable, cut
from clerk.screens.widgets.plain import PlainStatic, PlainTable

if TYPE_CHECKING:
    from clerk.service.supervision import Group, SupervisionReport, SupervisionTrend
    from clerk.service.views import CaseSummary
    from clerk.service.window import Window

# The columns: (label, short label for 80 columns, figure). Rates as percent; "—" over no cases.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("受理量", "受理", "accepted"),
    ("办结率", "办结率", "closure"),
    ("按时办结率", "按时率", "on_time"),
    ("超期率", "超期率", "overdue"),
    ("一次性告知率", "告知率", "one_time_notice"),
    ("不予受理率", "不受理", "refusal"),
    ("好评率", "好评率", "good"),
    ("差评数", "差评", "bad"),
    ("回访率", "回访率", "follow_up"),
)
WIDE = 100  # below this many columns the table drops 代码 and cuts names shorter
# The trend's lines: (label, figure); a month with nothing to divide shows as 0.
TRENDS: tuple[tuple[str, str], ...] = (
    ("受理量", "accepted"),
    ("按时办结率", "on_time"),
    ("超期率", "overdue"),
    ("好评率", "good"),
)
COUNTING = "正在统计……"
FIRST_FIGURE = "accepted"  # the cases under an item: those behind 受理量 first (F8 the next)
NAME_CELLS = 16
NARROW_NAME_CELLS = 10
LEVELS = {"offices": "各县区", "points": "服务点", "items": "事项", "cases": "办件"}


class _Superseded(Exception):
    """A count left behind: the supervisor moved to another month while it ran."""


def cell(f: Figures, key: str) -> str:
    value = getattr(f, key)
    return str(value) if isinstance(value, int) else value.percent()


def trend_values(months: tuple[Figures, ...], key: str) -> list[float]:
    out = []
    for f in months:
        value = getattr(f, key)
        if isinstance(value, int):
            out.append(float(value))
        else:
            out.append(0.0 if value.value is None else value.value * 100)
    return out


@dataclass(frozen=True)
class Place:
    """Where the supervisor is: the level shown and what was chosen above it."""

    level: str  # offices | points | items | cases
    office: str | None = None
    point: str | None = None
    item: str | None = None


class SupervisionScreen(GuardedScreen, Screen[None]):
    BINDINGS = [
        Binding("enter", "down", "下钻", id="supervision.down", priority=True),
        Binding("f6", "previous_month", "上月", id="supervision.previous"),
        Binding("f7", "next_month", "下月", id="supervision.next"),
        Binding("f8", "next_figure", "换指标", id="supervision.figure"),
        Binding("f9", "lists", "清单", id="supervision.lists"),
        # End at the cases: to the last case read, which brings the next page (as PageDown does)
        Binding("end", "last_case", "末尾", id="supervision.end", show=False, priority=True),
        Binding("escape", "up", "返回", id="supervision.up"),
    ]

    def __init__(
        self, window: Window, user: Any, *, month: date | None = None, home: bool = False
    ) -> None:
        """`home`: the screen the installation starts into (a city): Esc at its top stays."""
        super().__init__()
        self.window = window
        self.user = user
        today = month or window.today()
        self.month = date(today.year, today.month, 1)
        self.home = home
        self.report: SupervisionReport | None = None
        self.trend: SupervisionTrend | None = None
        self.trail: list[Place] = []
        self.place = Place("offices")
        self._reading = threading.Lock()
        # at the cases level: the figure whose cases are listed, the pages read so far, the key
        # of the next page (None: no more), and for which month, place and figure they were read
        self.figure = FIRST_FIGURE
        self._figure_rows: list[CaseSummary] = []
        self._figure_after: tuple[str, str] | None = None
        self._figure_for: tuple[date, Place, str] | None = None
        self.sub_title = "监督统计"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="supervision-body"):
            yield PlainStatic(id="supervision-where")
            yield PlainTable(id="supervision-table", cursor_type="row", zebra_stripes=True)
            yield CaseTable(id="supervision-cases")
            with Vertical(id="supervision-trend", classes="panel"):
                yield PlainStatic(id="trend-title")
                for label, key in TRENDS:
                    with Horizontal(classes="trend-row"):
                        yield PlainStatic(label, classes="trend-label")
                        yield Sparkline([], summary_function=max, id=f"trend-{key}")
                        yield PlainStatic(id=f"trend-{key}-last", classes="trend-last")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.load()

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        """Count the month and the 12 months up to it off the UI thread (two streaming reads over
        every case of the span: minutes at a city of millions of cases), the screen saying
        "正在统计……" meanwhile and still answering keys; a newer month supersedes a count still
        running (exclusive worker; the old read stops at its next progress call)."""
        self.report = None
        self.trend = None
        self.show()
        self._count(self.month)

    @work(thread=True, exclusive=True, group="supervision-count")
    def _count(self, month: date) -> None:
        worker = get_current_worker()

        def still_wanted(_cases: int) -> None:
            if worker.is_cancelled:
                raise _Superseded

        with self._reading:  # one read at a time on the store: a superseded one ends first
            if worker.is_cancelled:
                return
            period = Period.month(month.year, month.month)
            try:
                report = self.window.supervision(period, progress=still_wanted)
                trend = self.window.supervision_trend(
                    month.year, month.month, progress=still_wanted
                )
            except _Superseded:
                return
            except Exception as exc:  # noqa: BLE001 - raised again on the UI thread
                self.app.call_from_thread(self._failed, exc)
                return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._counted, month, report, trend)

    def _failed(self, failure: Exception) -> None:
        raise failure

    def _counted(self, month: date, report: SupervisionReport, trend: SupervisionTrend) -> None:
        if month != self.month:
            return  # a count of a month left meanwhile
        self.report, self.trend = report, trend
        offices = report.offices
        here = self.window.point()
        if here.kind != "city" and len(offices) <= 1:
            # a county sees its own points first (even in a month with none); the city its counties
            self.trail = []
            self.place = Place("points", office=offices[0].code if offices else here.office_code)
        elif self.place.level != "offices" and not any(
            o.code == self.place.office for o in offices
        ):
            self.trail, self.place = [], Place("offices")
        self.show()

    # ------------------------------------------------------------------ showing

    def rows(self) -> list[Group]:
        from clerk.service.supervision import Group

        report = self.report
        assert report is not None
        place = self.place
        if place.level == "offices":
            return [Group(o.code, o.name, o.figures) for o in report.offices]
        try:
            office = report.office(place.office or "")
        except KeyError:
            return []
        if place.level == "points":
            return list(office.points)
        if place.point is None:
            return list(office.items)
        for point in office.points:
            if point.code == place.point:
                return list(point.items)
        return []

    def where(self) -> str:
        place = self.place
        parts = [f"{self.month.year} 年 {self.month.month} 月"]
        if place.office:
            parts.append(self._name_of("offices", place.office))
        if place.point:
            parts.append(self._name_of("points", place.point))
        if place.item:
            parts.append(f"事项 {place.item}")
        parts.append(LEVELS[place.level])
        return " › ".join(parts)

    def _name_of(self, level: str, code: str) -> str:
        assert self.report is not None
        if level == "offices":
            try:
                return self.report.office(code).name
            except KeyError:
                pass
            try:  # an office with no case this month
                return self.window.offices.office(code).name
            except KeyError:
                return code
        for o in self.report.offices:
            for p in o.points:
                if p.code == code:
                    return p.name
        return code

    def show(self) -> None:
        place = self.place
        table = self.query_one("#supervision-table", DataTable)
        cases = self.query_one("#supervision-cases", CaseTable)
        if self.report is None:  # counting
            where = f"{self.month.year} 年 {self.month.month} 月　{COUNTING}"
            self.query_one("#supervision-where", Static).update(Text(where))
            table.clear(columns=True)
            table.display, cases.display = True, False
            table.focus()
            self.sub_title = f"监督统计　{self.month.year}-{self.month.month:02d}"
            self.refresh_bindings()
            return
        where = self.where()
        if place.level != "cases" and not self.rows():
            where += "　（本月尚无办件）"
        self.query_one("#supervision-where", Static).update(Text(where))
        showing_cases = place.level == "cases"
        table.display = not showing_cases
        cases.display = showing_cases
        if showing_cases:
            if self._figure_for != (self.month, place, self.figure):
                self._figure_rows, self._figure_after = [], None
                self._figure_for = (self.month, place, self.figure)
                self._next_page()
            cases.show(self._figure_rows)
            cases.focus()
            more = "，PageDown/End 看更多" if self._figure_after is not None else ""
            where += (
                f"　{FIGURE_LABELS[self.figure]} {len(self._figure_rows)} 件{more}（F8 换指标）"
            )
            self.query_one("#supervision-where", Static).update(Text(where))
        else:
            wide = self.app.size.width >= WIDE
            table.clear(columns=True)
            table.add_columns(
                *(["代码"] if wide else []),
                "名称",
                *(label if wide else short for label, short, _key in COLUMNS),
            )
            for group in self.rows():
                # without the 代码 column an item keeps its number before its name
                name = (
                    group.name if wide or place.level != "items" else f"{group.code} {group.name}"
                )
                table.add_row(
                    *([group.code] if wide else []),
                    cut(name, NAME_CELLS if wide else NARROW_NAME_CELLS),
                    *(cell(group.figures, key) for _label, _short, key in COLUMNS),
                    key=group.code,
                )
            table.focus()
        self.show_trend()
        self.sub_title = f"监督统计　{self.month.year}-{self.month.month:02d}"
        self.refresh_bindings()

    def _next_page(self) -> None:
        """The next page of the cases behind the chosen figure (one index-served read)."""
        place = self.place
        assert place.office is not None and place.item is not None
        page = self.window.supervised_figure_cases(
            self.figure,
            Period.month(self.month.year, self.month.month),
            (int(place.item), place.office, place.point),
            self._figure_after,
        )
        self._figure_rows += self.window.summaries(page.cases)
        self._figure_after = page.after

    def highlighted(self) -> str | None:
        table = self.query_one("#supervision-table", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def show_trend(self) -> None:
        trend = self.trend
        if trend is None:
            return
        code = self.place.office
        if self.place.level == "offices":
            code = self.highlighted()
        if code is None:
            months, name = trend.total, "全部"
        else:
            try:
                row = trend.office(code)
            except KeyError:
                months, name = tuple(trend.total[:0]), code
            else:
                months, name = row.months, row.name
        labels = trend.labels()
        self.query_one("#trend-title", Static).update(
            Text(f"近 12 个月趋势：{name}（{labels[0]} 至 {labels[-1]}）")
        )
        for _label, key in TRENDS:
            values = trend_values(months, key) if months else [0.0] * len(labels)
            self.query_one(f"#trend-{key}", Sparkline).data = values
            last = months[-1] if months else None
            self.query_one(f"#trend-{key}-last", Static).update(
                Text("—" if last is None else cell(last, key))
            )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "supervision-cases":
            # the last row reached (↓, PageDown, End): the next page follows it
            table = event.data_table
            if self._figure_after is not None and event.cursor_row >= table.row_count - 1:
                row = event.cursor_row
                self._next_page()
                self.show()
                table.move_cursor(row=row)
            return
        if self.place.level == "offices":
            self.show_trend()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "down":
            if self.place.level == "cases":
                return False  # the case table's own Enter opens the case (priority skipped)
            return self.report is not None and self.highlighted() is not None
        if action == "up":
            return bool(self.trail) or not self.home
        if action == "last_case":
            return self.place.level == "cases"
        if action == "next_figure":
            return self.place.level == "cases" and self.report is not None
        return True

    def action_down(self) -> None:
        chosen = self.highlighted()
        if chosen is None:
            return
        place = self.place
        if place.level == "offices":
            new = Place("points", office=chosen)
        elif place.level == "points":
            new = Place("items", office=place.office, point=chosen)
        else:
            new = Place("cases", office=place.office, point=place.point, item=chosen)
        self.trail.append(place)
        self.place = new
        self.show()

    def action_up(self) -> None:
        if self.trail:
            self.place = self.trail.pop()
            self.show()
        elif not self.home:
            self.dismiss(None)

    def action_last_case(self) -> None:
        cases = self.query_one("#supervision-cases", CaseTable)
        if cases.row_count:
            cases.move_cursor(row=cases.row_count - 1)

    def action_next_figure(self) -> None:
        """F8 at the cases: the cases behind the next figure (受理 → 办结 → … → 收件)."""
        figures = list(FIGURE_LABELS)
        self.figure = figures[(figures.index(self.figure) + 1) % len(figures)]
        self.show()

    def action_lists(self) -> None:
        """F9: the lists that need action (counts per county, a page of each list)."""
        from clerk.screens.supervision_lists import ActionListsScreen

        self.app.push_screen(ActionListsScreen(self.window, self.user))

    def action_previous_month(self) -> None:
        index = self.month.year * 12 + self.month.month - 2
        self.month = date(index // 12, index % 12 + 1, 1)
        self.load()

    def action_next_month(self) -> None:
        index = self.month.year * 12 + self.month.month
        self.month = date(index // 12, index % 12 + 1, 1)
        self.load()

    def on_case_table_opened(self, event: CaseTable.Opened) -> None:
        from clerk.screens.supervised_case import SupervisedCaseScreen

        self.app.push_screen(SupervisedCaseScreen(self.window, self.user, event.case_uuid))
