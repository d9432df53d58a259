"""A table of case summaries (dashboard queues, search results); Enter opens the case."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from clerk.domain.limits import DEEMED_ACCEPTED_WORKING_DAYS
from clerk.domain.model import CaseState
from clerk.service.views import CaseSummary


def due_text(summary: CaseSummary) -> str:
    if summary.due is None:
        if summary.hand_in_by is not None:
            return f"补正{summary.hand_in_by:%m-%d}"  # the notice's hand-in day
        return "—"
    text = f"{summary.due:%m-%d}"
    if summary.due_provisional:
        text += "（暂定）"
    return text


def flags_text(summary: CaseSummary) -> str:
    flags = []
    if summary.state == CaseState.DRAFT:
        flags.append("未办完")
    if summary.overdue:
        flags.append("已逾期")
    if summary.deemed_accepted:
        flags.append(f"超{DEEMED_ACCEPTED_WORKING_DAYS}日视为受理")
    return "、".join(flags)


class CaseTable(DataTable[str]):
    """Rows keyed by case UUID; posts `CaseTable.Opened` when the clerk presses Enter on a row."""

    # DataTable's own Enter is hidden from the footer; this one says what Enter does here.
    BINDINGS = [Binding("enter", "select_cursor", "打开办件", id="cases.open")]

    @dataclass
    class Opened(Message):
        case_uuid: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        # 状态/到期/提示 right after the number: at 80 columns the item name is what gets cut.
        self.add_columns("办件号", "状态", "到期", "提示", "申请人", "事项")

    def show(self, summaries: list[CaseSummary]) -> None:
        self.clear()
        for s in summaries:
            self.add_row(
                s.case_no,
                s.state_label,
                due_text(s),
                flags_text(s),
                s.applicant_name_masked,
                f"{s.item_no} {s.item_name}",
                key=s.uuid,
            )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Opened(event.row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_cursor":
            return self.row_count > 0
        return True

    @property
    def current_uuid(self) -> str | None:
        if self.row_count == 0:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return key.value
