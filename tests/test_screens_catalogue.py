"""The catalogue guide and the item picker, hosted in a bare app (they need only the catalogue)."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Input

from clerk.domain.catalog import default_catalog
from clerk.domain.item_search import ItemFinder
from clerk.screens.catalogue import CatalogueScreen
from clerk.screens.item_picker import ItemPickerScreen
from clerk.screens.widgets.item_list import ItemList
from clerk.service.views import ItemChoice

CATALOG = default_catalog()
FINDER = ItemFinder(CATALOG)
REFUSED = "乡镇（街道）政务服务大厅不受理此事项，请引导申请人到县级医保服务大厅办理。"


class Host(App[Any]):
    CSS_PATH = "../clerk/screens/app.tcss"

    def __init__(self, screen_factory: Any) -> None:
        super().__init__()
        self.screen_factory = screen_factory
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.screen_factory(), self.results.append)


def choices(refused: set[int] = frozenset()) -> list[ItemChoice]:  # type: ignore[assignment]
    return [
        ItemChoice(i, i.no not in refused, REFUSED if i.no in refused else "")
        for i in CATALOG.items
    ]


def picker(refused: set[int] = frozenset()) -> Host:  # type: ignore[assignment]
    return Host(lambda: ItemPickerScreen(CATALOG, choices(refused), FINDER))


# ---------------------------------------------------------------------- catalogue guide


async def test_catalogue_lists_all_39_items() -> None:
    app = Host(lambda: CatalogueScreen(CATALOG, FINDER))
    async with app.run_test(size=(120, 36)):
        assert app.screen.query_one(ItemList).option_count == 39


async def test_catalogue_shows_the_first_items_guide() -> None:
    app = Host(lambda: CatalogueScreen(CATALOG, FINDER))
    async with app.run_test(size=(120, 36)):
        assert app.screen.guide_text.startswith("【1】单位参保登记\n")


async def test_catalogue_filter_by_pinyin_then_guide_follows() -> None:
    app = Host(lambda: CatalogueScreen(CATALOG, FINDER))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"zyfy")
        assert app.screen.query_one(ItemList).option_count == 1
        assert app.screen.guide_text.startswith("【31】住院费用报销\n")


async def test_catalogue_down_arrow_moves_to_next_item_while_typing() -> None:
    app = Host(lambda: CatalogueScreen(CATALOG, FINDER))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"ydjy", "down")
        assert app.screen.guide_text.startswith("【22】异地长期居住人员备案\n")


async def test_catalogue_guide_keeps_bracketed_condition_labels() -> None:
    app = Host(lambda: CatalogueScreen(CATALOG, FINDER))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3", "1")
        assert "[意外伤害就医（有第三方责任）]" in app.screen.guide_text


async def test_catalogue_no_match_explains_what_to_type() -> None:
    app = Host(lambda: CatalogueScreen(CATALOG, FINDER))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"qqqq")
        assert (
            app.screen.guide_text
            == "没有找到匹配的事项。可输入序号（1-39）、12位编码、汉字或拼音首字母。"
        )


async def test_catalogue_escape_closes() -> None:
    app = Host(lambda: CatalogueScreen(CATALOG, FINDER))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("escape")
        assert app.results == [None]


# ---------------------------------------------------------------------- item picker


async def test_picker_enter_returns_the_item_number() -> None:
    app = picker()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"zyfy", "enter")
        assert app.results == [31]


async def test_picker_ydjy_offers_items_21_to_25() -> None:
    app = picker()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"ydjy")
        assert [c.item.no for c in app.screen.query_one(ItemList).shown] == [21, 22, 23, 24, 25]


async def test_picker_side_panel_shows_limit_and_materials() -> None:
    app = picker()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3", "1")
        panel = app.screen.panel_text
        assert "办理时限：" + CATALOG.item(31).time_limit.describe() in panel
        assert "2、医院收费票据" in panel


async def test_picker_refused_item_shows_reason_and_is_not_chosen() -> None:
    app = picker(refused={31})
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3", "1", "enter")
        assert app.results == []
        assert "不能在本点受理：" + REFUSED in app.screen.panel_text


async def test_picker_highlights_first_allowed_item() -> None:
    app = picker(refused={21})
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"ydjy", "enter")
        assert app.results == [22]


async def test_picker_starts_with_a_given_query() -> None:
    app = Host(lambda: ItemPickerScreen(CATALOG, choices(), FINDER, query="zyfy"))
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.screen.query_one(Input).value == "zyfy"
        await pilot.press("enter")
        assert app.results == [31]


async def test_picker_escape_returns_none() -> None:
    app = picker()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("escape")
        assert app.results == [None]


async def test_picker_no_match_enter_keeps_picker_open() -> None:
    app = picker()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"qqqq", "enter")
        assert app.results == []
        assert isinstance(app.screen, ItemPickerScreen)
