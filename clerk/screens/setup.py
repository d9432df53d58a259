"""首次使用: choose this installation's office or service point and create the administrator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from clerk.domain.limits import MIN_PASSWORD_LENGTH
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainOptionList, PlainStatic

if TYPE_CHECKING:
    from clerk.service.window import Window

MIN_PASSWORD = MIN_PASSWORD_LENGTH


def choice_label(choice: Any) -> str:
    """'YZ05　东安县　…（县级医保服务大厅）'; a service point also names the office it belongs to."""
    if choice.code == choice.office_code:
        return f"{choice.code}　{choice.name}（{choice.kind_label}）"
    return f"{choice.code}　{choice.name}（{choice.kind_label}，属 {choice.office_code}）"


class SetupScreen(GuardedScreen, Screen[Any]):
    """Returns the administrator `User` once the point is set and the account created."""

    BINDINGS = [
        Binding("f10", "submit", "完成设置", id="setup.submit"),
        Binding("f6", "add_point", "登记服务点", id="setup.add_point"),
    ]

    def __init__(self, window: Window) -> None:
        super().__init__()
        self.window = window
        self.choices = window.setup_choices()
        self.sub_title = "首次使用设置"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="setup-dialog", classes="dialog"):
            yield PlainStatic(
                "首次使用：请选择本机所在的经办机构或服务点，并创建管理员账号。",
                classes="dialog-title",
            )
            yield PlainStatic(
                "① 经办机构 / 服务点（↑↓ 选择；列表中没有本机所在的服务点，按 F6 登记）",
                classes="hint",
            )
            yield PlainOptionList(*self._options(), id="setup-points")
            yield PlainStatic("② 管理员", classes="hint")
            yield Input(placeholder="登录名（字母或数字）", id="setup-login")
            yield Input(placeholder="姓名", id="setup-name")
            yield Input(
                placeholder=f"密码（至少{MIN_PASSWORD}位）", password=True, id="setup-password"
            )
            yield Input(placeholder="再次输入密码", password=True, id="setup-confirm")
            yield PlainStatic("", id="setup-message", classes="error")
        yield SteadyFooter()

    def _options(self) -> list[Option]:
        return [Option(choice_label(c), id=c.code) for c in self.choices]

    def on_mount(self) -> None:
        points = self.query_one("#setup-points", OptionList)
        points.highlighted = 0
        points.focus()

    def action_add_point(self) -> None:
        from clerk.screens.point_form import PointFormScreen

        index = self.query_one("#setup-points", OptionList).highlighted
        office = self.choices[index].office_code if index is not None else None
        self.app.push_screen(PointFormScreen(self.window, office=office), self._point_added)

    def _point_added(self, point: Any) -> None:
        if point is None:
            return
        self.choices = self.window.setup_choices()
        points = self.query_one("#setup-points", OptionList)
        points.clear_options()
        points.add_options(self._options())
        points.highlighted = next(i for i, c in enumerate(self.choices) if c.code == point.code)
        self.query_one("#setup-login", Input).focus()
        self.notify(f"已登记服务点 {point.code}　{point.name}，已为您选中；请继续创建管理员账号。")

    @on(OptionList.OptionSelected, "#setup-points")
    def _point_chosen(self) -> None:
        self.query_one("#setup-login", Input).focus()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "setup-confirm":
            self.action_submit()
        else:
            self.focus_next()

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def problem(self) -> str:
        """What is still wrong with the form, in Chinese; empty when it can be submitted."""
        if self.query_one("#setup-points", OptionList).highlighted is None:
            return "请先选择经办机构或服务点。"
        if not self._value("setup-login"):
            return "请填写管理员登录名。"
        if not self._value("setup-name"):
            return "请填写管理员姓名。"
        password = self.query_one("#setup-password", Input).value
        if len(password) < MIN_PASSWORD:
            return f"密码至少{MIN_PASSWORD}位，请重新输入。"
        if password != self.query_one("#setup-confirm", Input).value:
            return "两次输入的密码不一致，请重新输入。"
        return ""

    def action_submit(self) -> None:
        message = self.query_one("#setup-message", Static)
        problem = self.problem()
        if problem:
            message.update(problem)
            return
        index = self.query_one("#setup-points", OptionList).highlighted
        assert index is not None
        point = self.choices[index]
        try:
            user = self.window.setup(
                point.code,
                self._value("setup-login"),
                self._value("setup-name"),
                self.query_one("#setup-password", Input).value,
            )
        except ValueError as exc:
            message.update(str(exc))
            return
        self.dismiss(user)
