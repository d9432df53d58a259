"""A table of case summaries (dashboard queues, search results); Enter opens the case."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from clerk.domain.limits import DEEMED_ACCEPTED_WORKING_DAYS
from clerk.domain.model import CaseState
from clerk.screens.widgets.plain import PlainTable
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


NAME_CELLS = 12  # a unit's name beyond this is cut with "…" (the case itself shows it whole)


def cut(text: str, cells: int) -> str:
    """`text` within `cells` terminal cells (a CJK character takes two), "…" marking a cut."""
    if cell_len(text) <= cells:
        return text
    out = ""
    for char in text:
        if cell_len(out + char) > cells - 1:
            break
        out += char
    return out + "…"


class CaseTable(PlainTable):
    """Rows keyed by case UUID; posts `CaseTable.Opened` when the clerk presses Enter on a row."""

    # DataTable's own Enter is hidden from the footer; this one says what Enter does here.
    BINDINGS = [Binding("enter", "select_cursor", "打开办件", id="cases.open")]

    @dataclass
    class Opened(Message):
        case_uuid: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def show(self, summaries: list[CaseSummary]) -> None:
        # 状态/到期 right after the number; 提示 only when a row has one, and a long unit name
        # cut, so that at 80 columns 事项 keeps its name (it was cut off whole).
        self.clear(columns=True)
        flags = [flags_text(s) for s in summaries]
        with_flags = any(flags)
        labels = ["办件号", "状态", "到期", *(["提示"] if with_flags else []), "申请人", "事项"]
        self.add_columns(*labels)  # plain (PlainTable): no markup read, cells drawn as one line
        for s, flag in zip(summaries, flags, strict=True):
            self.add_row(
                s.case_no,
                s.state_label,
                due_text(s),
                *([flag] if with_flags else []),
                cut(s.applicant_name_masked, NAME_CELLS),
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
