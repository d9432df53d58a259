"""选择事项: a search box, the matching items, and a side panel with the item's limit and materials.

Items this point may not accept stay in the list, dimmed, with the reason in the side panel, so
the clerk can tell the applicant where to go instead.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from clerk.domain.catalog import Catalog, Item
from clerk.domain.catalog_view import material_line
from clerk.domain.item_search import ItemFinder
from clerk.domain.model import APPLICANT_KIND_LABELS
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.item_list import ItemList
from clerk.screens.widgets.plain import PlainStatic
from clerk.service.views import ItemChoice


def item_panel_text(catalog: Catalog, choice: ItemChoice) -> Text:
    item: Item = choice.item
    text = Text()
    text.append(f"【{item.no}】{item.name}\n", style="bold")
    text.append(f"子项编码：{item.sub_item.code}\n")
    text.append(f"办理时限：{item.time_limit.describe()}\n", style="bold")
    text.append(
        f"申请对象：{APPLICANT_KIND_LABELS.get(item.applicant_kind, item.applicant_kind)}\n"
    )
    text.append("办理环节：" + "—".join(item.steps) + "\n")
    if not choice.allowed:
        text.append(f"\n不能在本点受理：{choice.why_not}\n", style="bold red")
    text.append("\n申请材料：\n", style="bold")
    for n, m in enumerate(item.materials, 1):
        text.append(f"{n}、{material_line(m, catalog)}\n")
    return text


class ItemPickerScreen(GuardedScreen, ModalScreen[int | None]):
    """Returns the chosen item number, or None when cancelled."""

    BINDINGS = [
        Binding("enter", "choose", "选定事项", id="picker.choose", priority=True),
        Binding("escape", "cancel", "取消", id="picker.cancel"),
        Binding("down", "move(1)", "下一项", id="picker.next", show=False),
        Binding("up", "move(-1)", "上一项", id="picker.previous", show=False),
    ]

    def __init__(
        self, catalog: Catalog, choices: list[ItemChoice], finder: ItemFinder, query: str = ""
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.choices = choices
        self.finder = finder
        self.initial_query = query
        self.panel_text = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-dialog", classes="dialog wide"):
            yield PlainStatic(
                "选择事项　输入序号、编码、汉字或拼音首字母（如 ydjy 异地就医、zyfy 住院费用）",
                classes="dialog-title",
            )
            with Horizontal(id="picker-body"):
                with Vertical(id="picker-left", classes="side-list"):
                    yield Input(
                        self.initial_query,
                        placeholder="如 31、002036006002、住院、zyfy",
                        id="picker-query",
                    )
                    yield ItemList(self.choices, self.finder, id="picker-items")
                with VerticalScroll(id="picker-panel-scroll", classes="panel"):
                    yield PlainStatic(id="picker-panel")
            yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#picker-query", Input).focus()
        if self.initial_query:
            self.query_one(ItemList).filter(self.initial_query)
        self._show_current()

    @on(Input.Changed, "#picker-query")
    def _filter(self, event: Input.Changed) -> None:
        self.query_one(ItemList).filter(event.value)
        self._show_current()

    @on(OptionList.OptionHighlighted, "#picker-items")
    def _highlighted(self) -> None:
        self._show_current()

    @on(OptionList.OptionSelected, "#picker-items")
    def _selected(self) -> None:
        self.action_choose()

    def _show_current(self) -> None:
        choice = self.query_one(ItemList).current
        if choice is None:
            text = Text("没有找到匹配的事项。可输入序号（1-39）、12位编码、汉字或拼音首字母。")
        else:
            text = item_panel_text(self.catalog, choice)
        self.panel_text = text.plain
        self.query_one("#picker-panel", Static).update(text)

    def action_move(self, step: int) -> None:
        items = self.query_one(ItemList)
        items.action_cursor_down() if step > 0 else items.action_cursor_up()

    def action_choose(self) -> None:
        choice = self.query_one(ItemList).current
        if choice is None:
            self.notify("没有可选的事项，请换个关键词。", severity="warning")
            return
        if not choice.allowed:
            self.notify(choice.why_not, title="本点不受理", severity="error")
            return
        self.dismiss(choice.item.no)

    def action_cancel(self) -> None:
        self.dismiss(None)
