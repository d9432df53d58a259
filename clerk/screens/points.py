"""服务点 (administrator): the county offices with the service points under each, F6 to declare one,
Delete to remove one declared by mistake (only while it has no record: `Window.point_removal_problem`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header

from clerk.domain.offices import POINT_KINDS, ServicePoint
from clerk.screens.point_form import PointFormScreen
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic, PlainTable

if TYPE_CHECKING:
    from clerk.service.window import Window


class PointsScreen(GuardedScreen, Screen[None]):
    BINDINGS = [
        Binding("f6", "add", "登记服务点", id="points.add"),
        Binding("f8", "correct", "设为本机所属", id="points.correct"),
        Binding("delete", "remove", "撤销登记", id="points.remove"),
        Binding("escape", "close", "返回", id="points.close"),
    ]

    def __init__(self, window: Window, user: Any) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.sub_title = "服务点"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="panel"):
            yield PlainStatic("经办机构和服务点", classes="dialog-title")
            yield PlainTable(id="points-table", cursor_type="row", zebra_stripes=True)
            yield PlainStatic(
                "服务点编码是其办件号的前缀，全市唯一。乡镇、村（社区）等服务点的电脑，也可在首次使用设置中按 F6 登记本点。",
                classes="hint",
            )
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#points-table", DataTable)
        # The notes beside the code: at 80 columns the long names push the last columns out of view.
        table.add_columns("编码", "备注", "名称", "类型", "所属经办机构")
        self.reload()
        table.focus()

    def reload(self, *, select: str | None = None) -> None:
        table = self.query_one("#points-table", DataTable)
        offices = self.window.offices
        declared = {p.code for p in self.window.declared_points()}
        here = self.window.point().code
        table.clear()
        codes: list[str] = []
        for office in offices.offices:
            rows: list[tuple[str, str, str, str]] = [
                (office.code, f"{office.area}　{office.name}", POINT_KINDS[office.kind], "")
            ]
            rows += [
                (p.code, f"  {p.name}", POINT_KINDS[p.kind], office.code)
                for p in offices.points_of(office.code)
            ]
            for code, name, kind, parent in rows:
                notes = []
                if code == here:
                    notes.append("本机")
                if code in declared:
                    notes.append("自行登记")
                table.add_row(code, "、".join(notes), name, kind, parent, key=code)
                codes.append(code)
        target = select or here
        if target in codes:
            table.move_cursor(row=codes.index(target))

    def action_add(self) -> None:
        table = self.query_one("#points-table", DataTable)
        office = None
        if table.row_count:
            code = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if code is not None:
                office = self.window.offices.office_of(code).code

        def added(point: ServicePoint | None) -> None:
            if point is not None:
                self.reload(select=point.code)
                self.notify(
                    f"已登记服务点 {point.code}　{point.name}（{POINT_KINDS[point.kind]}）。"
                )

        self.app.push_screen(PointFormScreen(self.window, office=office, actor=self.user), added)

    def action_correct(self) -> None:
        """Make the highlighted office or point this machine's (a wrong choice at setup)."""
        problem = self.window.point_correction_problem()
        if problem:
            self.notify(problem, title="不能更正本机所属", severity="warning", timeout=20)
            return
        table = self.query_one("#points-table", DataTable)
        if not table.row_count:
            return
        code = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if code is None or code == self.window.point().code:
            return
        from clerk.screens.choice import ChoiceScreen

        name = self.window.offices.point(code).name

        def answered(choice: str | None) -> None:
            if choice == "yes":
                self.window.correct_point(self.user, code)
                self.app.refresh_title()  # type: ignore[attr-defined]
                self.app.notify(f"本机所属已更正为 {code}　{name}。")
                self.reload(select=code)

        self.app.push_screen(
            ChoiceScreen(
                f"把本机所属更正为 {code}　{name}？",
                [("no", "不更正"), ("yes", "更正（本机尚无办件）")],
            ),
            answered,
        )

    def _highlighted(self) -> str | None:
        table = self.query_one("#points-table", DataTable)
        if not table.row_count:
            return None
        code = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if code is None else str(code)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove":
            code = self._highlighted()  # a point this file declared, not this machine's own
            declared = {p.code for p in self.window.declared_points()}
            return code in declared and code != self.window.point().code
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_remove(self) -> None:
        """Delete: remove the highlighted point declared by mistake, after asking."""
        code = self._highlighted()
        if code is None:
            return
        problem = self.window.point_removal_problem(code)
        if problem:
            self.notify(problem, title="不能撤销", severity="warning", timeout=20)
            return
        from clerk.screens.choice import ChoiceScreen

        name = self.window.offices.point(code).name

        def answered(choice: str | None) -> None:
            if choice != "yes":
                return
            try:
                gone = self.window.remove_point(self.user, code)
            except ValueError as exc:
                self.notify(str(exc), title="不能撤销", severity="error", timeout=20)
                return
            self.notify(f"已撤销服务点 {gone.code}　{gone.name}（记入管理记录）。")
            self.reload(select=gone.office)

        self.app.push_screen(
            ChoiceScreen(
                f"撤销服务点 {code}　{name} 的登记？（尚无任何记录，撤销后可重新登记）",
                [("no", "不撤销"), ("yes", "撤销登记")],
            ),
            answered,
        )

    def action_close(self) -> None:
        self.dismiss(None)
