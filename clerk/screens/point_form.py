"""登记服务点: a township hall, village centre, college or hospital point under a county office.

The window checks it against every office and point already known and stores it
(`Window.declare_point`); this screen only collects the fields and shows the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from clerk.domain.field_limits import POINT_NAME_MAX
from clerk.domain.offices import POINT_KINDS, ServicePoint
from clerk.screens.discard import ConfirmDiscard
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainOptionList, PlainStatic
from clerk.service.administration import DECLARABLE_KINDS
from clerk.service.case_reader import ServiceError

if TYPE_CHECKING:
    from clerk.service.window import Window

KINDS = DECLARABLE_KINDS


class PointFormScreen(ConfirmDiscard, GuardedScreen, ModalScreen[ServicePoint | None]):
    """Returns the stored `ServicePoint`, or None when cancelled."""

    BINDINGS = [
        Binding("f10", "submit", "保存", id="point_form.submit"),
        Binding("escape", "cancel", "取消", id="point_form.cancel"),
    ]

    def __init__(self, window: Window, *, office: str | None = None, actor: Any = None) -> None:
        super().__init__()
        self.window = window
        self.actor = actor
        self.offices = window.offices.offices
        codes = [o.code for o in self.offices]
        self.office = office if office in codes else codes[0]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="point-form"):
            yield PlainStatic(
                "登记服务点（乡镇、村（社区）、院校、定点医院）", classes="dialog-title"
            )
            yield PlainStatic("所属县级经办机构", classes="hint")
            yield Select(
                [(f"{o.code}　{o.area}　{o.name}", o.code) for o in self.offices],
                value=self.office,
                allow_blank=False,
                id="point-office",
            )
            yield Input(
                placeholder="服务点编码：2–10位大写字母或数字，全市唯一，如 DA01", id="point-code"
            )
            yield Input(placeholder="服务点名称", max_length=POINT_NAME_MAX, id="point-name")
            yield PlainStatic("类型（↑↓ 选择，Enter 确定）", classes="hint")
            yield PlainOptionList(*[Option(POINT_KINDS[k], id=k) for k in KINDS], id="point-kind")
            yield PlainStatic("", id="point-message", classes="error")
            yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#point-kind", OptionList).highlighted = 0
        self.query_one("#point-code", Input).focus()

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    @on(OptionList.OptionSelected, "#point-kind")
    def _kind_chosen(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        office = self.query_one("#point-office", Select).value
        index = self.query_one("#point-kind", OptionList).highlighted
        try:
            point = self.window.declare_point(
                self.actor,
                self.query_one("#point-code", Input).value,
                self.query_one("#point-name", Input).value,
                KINDS[index or 0],
                str(office),
            )
        except ServiceError as exc:
            self.query_one("#point-message", Static).update(str(exc))
            return
        self.dismiss(point)

    def action_cancel(self) -> None:
        self.discard_or_ask(lambda: self.dismiss(None))
