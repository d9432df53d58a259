"""What clerks and applicants typed is shown as typed, never read as markup
(clerk/screens/widgets/plain.py). A refusal reason "见附件[/1]" or an account named "王[/x]" used to
raise Textual's MarkupError as the screen was drawn, ending the app; "[b]" vanished."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.app import PASSWORD, POINT, SIZE, app_for, open_case, ready
from textual.app import App, ComposeResult
from textual.widgets import DataTable, OptionList, Static

from clerk.domain.model import Role
from clerk.screens.widgets.plain import PlainOptionList, PlainStatic, PlainTable

REASON = "见附件[/1]，材料[b]不全"
NAME = "王[/x]"


def rows(table: Any) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_a_refusal_reason_with_brackets_is_shown_as_typed_in_the_case(
    tmp_path: Path,
) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 17)
    window.refuse(admin, view.uuid, REASON)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid)
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "CaseDetailScreen"
        events = app.screen.query_one("#detail-events", DataTable)
        assert REASON in [row[3] for row in rows(events)]
    assert app.return_code in (None, 0)


async def test_an_account_named_with_brackets_is_listed_as_typed(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.store.create_user("odd", NAME, Role.CLERK, PASSWORD, POINT)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "UsersScreen"
        table = app.screen.query_one(DataTable)
        assert any(NAME in row for row in rows(table))
    assert app.return_code in (None, 0)


class Plain(App[None]):
    def compose(self) -> ComposeResult:
        yield PlainStatic(REASON, id="static")
        yield PlainOptionList(NAME, id="options")
        yield PlainTable(id="table")

    def on_mount(self) -> None:
        table = self.query_one(PlainTable)
        table.add_columns("原因[/c]", "名字")
        table.add_row(REASON, NAME, key="a")
        table.update_cell("a", table.ordered_columns[1].key, "李[/y]")


async def test_the_plain_widgets_show_markup_as_text() -> None:
    app = Plain()
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        assert str(app.query_one("#static", Static).render()) == REASON
        options = app.query_one("#options", OptionList)
        assert str(options.get_option_at_index(0).prompt) == NAME
        table = app.query_one(PlainTable)
        assert [str(c.label) for c in table.ordered_columns] == ["原因[/c]", "名字"]
        assert rows(table) == [[REASON, "李[/y]"]]
        screen = app.export_screenshot()
    assert "见附件[/1]，材料[b]不全" in screen.replace("&#160;", " ")


def test_no_screen_builds_a_markup_reading_widget() -> None:
    """A new screen that builds Textual's own Static, OptionList or DataTable would read what
    it shows as markup again: every one is built from clerk/screens/widgets/plain.py."""
    import re

    screens = Path(__file__).resolve().parent.parent / "clerk" / "screens"
    raw = re.compile(
        r"(?<![\w.])(Static|OptionList|DataTable)(\[[^\]]*\])?\(|class \w+\((Static|OptionList)\)"
    )
    found = [
        f"{path.relative_to(screens)}:{n}"
        for path in sorted(screens.rglob("*.py"))
        if path.name != "plain.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if raw.search(line)
    ]
    assert found == []
