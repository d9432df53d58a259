"""The catalogue as a filterable option list; items this point may not accept are dimmed."""

from __future__ import annotations

from rich.text import Text
from textual.widgets.option_list import Option

from clerk.domain.catalog import Item
from clerk.domain.item_search import ItemFinder
from clerk.screens.widgets.plain import PlainOptionList
from clerk.service.views import ItemChoice


def item_prompt(choice: ItemChoice) -> Text:
    item = choice.item
    text = Text(f"{item.no:>2} ", style="bold")
    text.append(item.name)
    text.append(f"　{item.time_limit.describe()}", style="italic")
    if not choice.allowed:
        text.stylize("dim")
        text.append("　（本点不受理）", style="dim")
    return text


class ItemList(PlainOptionList):
    """Options keyed by the item number (as text). `filter(query)` keeps the matches only."""

    def __init__(
        self, choices: list[ItemChoice], finder: ItemFinder, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.choices = {c.item.no: c for c in choices}
        self.finder = finder
        self.shown: list[ItemChoice] = []

    def on_mount(self) -> None:
        self.filter("")

    def filter(self, query: str) -> None:
        found = [
            self.choices[item.no] for item in self.finder.find(query) if item.no in self.choices
        ]
        self.shown = found
        self.clear_options()
        self.add_options([Option(item_prompt(c), id=str(c.item.no)) for c in found])
        if found:
            first_allowed = next((i for i, c in enumerate(found) if c.allowed), 0)
            self.highlighted = first_allowed

    @property
    def current(self) -> ItemChoice | None:
        if self.highlighted is None or not self.shown:
            return None
        return self.shown[self.highlighted]

    def choice_for(self, item: Item) -> ItemChoice:
        return self.choices[item.no]
