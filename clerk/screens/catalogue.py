"""事项指南: all 39 items, a list on the left and the guide text on the right, for questions at the counter."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, OptionList, Static

from clerk.domain.catalog import Catalog
from clerk.domain.catalog_view import item_guide_text
from clerk.domain.item_search import ItemFinder
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.item_list import ItemList
from clerk.screens.widgets.plain import PlainStatic
from clerk.service.views import ItemChoice


class CatalogueScreen(GuardedScreen, Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "返回", id="catalogue.close"),
        Binding("down", "move(1)", "下一项", id="catalogue.next", show=False),
        Binding("up", "move(-1)", "上一项", id="catalogue.previous", show=False),
        Binding("pagedown", "page(1)", "指南下翻", id="catalogue.page_down"),
        Binding("pageup", "page(-1)", "指南上翻", id="catalogue.page_up"),
    ]

    def __init__(self, catalog: Catalog, finder: ItemFinder) -> None:
        super().__init__()
        self.catalog = catalog
        self.finder = finder
        self.sub_title = "事项指南"
        self.guide_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="catalogue-body"):
            with Vertical(id="catalogue-left", classes="side-list"):
                yield Input(
                    placeholder="序号、编码、汉字或拼音首字母（如 ydjy）", id="catalogue-filter"
                )
                yield ItemList(
                    [ItemChoice(item, True) for item in self.catalog.items],
                    self.finder,
                    id="catalogue-items",
                )
            with VerticalScroll(id="catalogue-guide-scroll", classes="panel"):
                yield PlainStatic(id="catalogue-guide")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#catalogue-filter", Input).focus()
        self._show_current()

    @on(Input.Changed, "#catalogue-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.query_one(ItemList).filter(event.value)
        self._show_current()

    @on(OptionList.OptionHighlighted, "#catalogue-items")
    def _highlighted(self) -> None:
        self._show_current()

    def _show_current(self) -> None:
        choice = self.query_one(ItemList).current
        if choice is None:
            self.guide_text = "没有找到匹配的事项。可输入序号（1-39）、12位编码、汉字或拼音首字母。"
        else:
            self.guide_text = item_guide_text(self.catalog, choice.item)
        self.query_one("#catalogue-guide", Static).update(Text(self.guide_text))
        self.query_one("#catalogue-guide-scroll", VerticalScroll).scroll_home(animate=False)

    def action_move(self, step: int) -> None:
        items = self.query_one(ItemList)
        if step > 0:
            items.action_cursor_down()
        else:
            items.action_cursor_up()

    def action_page(self, step: int) -> None:
        scroll = self.query_one("#catalogue-guide-scroll", VerticalScroll)
        if step > 0:
            scroll.scroll_page_down(animate=False)
        else:
            scroll.scroll_page_up(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
