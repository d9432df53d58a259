"""Every key that applies must be readable in the footer at the size a window PC uses (120
columns): a key cut off at the right edge is a key the clerk never learns."""

from __future__ import annotations

from pathlib import Path

from support.app import SIZE, app_for, open_case, ready, reviewer, wait_until
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from clerk.domain.model import Role


def overflow(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The footer keys that run under the command-palette key or off the right edge, by label."""
    footer = app.screen.query_one(Footer)
    keys = [k for k in footer.query(FooterKey) if not k.has_class("-command-palette")]
    palettes = [k for k in footer.query(FooterKey) if k.has_class("-command-palette")]
    edge = palettes[0].region.x if palettes else footer.region.right
    cut = [k.description for k in keys if k.region.right > edge or k.region.width == 0]
    if footer.virtual_size.width > footer.size.width and not cut:
        cut.append("(footer scrolls)")
    return cut


async def test_materials_checklist_footer_fits(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 31)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid)
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert type(app.screen).__name__ == "MaterialsScreen"
        await wait_until(pilot, lambda: footer_laid_out(app), "the footer laid out")
        assert overflow(app) == []


async def test_case_detail_footer_fits_for_a_supervisor(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.store.create_user("boss", "陈主管", Role.SUPERVISOR, "counterpass1", "YZ05")
    boss = window.login("boss", "counterpass1")
    view = open_case(window, boss, 31, complete=True)
    view = window.accept(boss, view.uuid)
    app = app_for(window, reviewer(window))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid)
        await pilot.pause()
        assert type(app.screen).__name__ == "CaseDetailScreen"
        await wait_until(pilot, lambda: footer_laid_out(app), "the footer laid out")
        assert overflow(app) == []


async def test_users_screen_footer_fits(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await pilot.pause()
        await wait_until(pilot, lambda: footer_laid_out(app), "the footer laid out")
        assert overflow(app) == []


async def noticed_case_screen(tmp_path: Path, *keys: str) -> str:
    """Open a case awaiting supplements, press `keys`; the screen's class name and what overflows."""
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 31)
    window.issue_notice(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid)
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await wait_until(pilot, lambda: footer_laid_out(app), "the footer laid out")
        return f"{type(app.screen).__name__} {overflow(app)}"


async def test_case_awaiting_supplements_footer_fits(tmp_path: Path) -> None:
    assert await noticed_case_screen(tmp_path) == "CaseDetailScreen []"


async def test_supplement_checklist_footer_fits(tmp_path: Path) -> None:
    assert await noticed_case_screen(tmp_path, "f9") == "MaterialsScreen []"


# ---------------------------------------------------------------------- 80×24


NARROW = (80, 24)


def screen_keys_cut(app) -> list[str]:  # type: ignore[no-untyped-def]
    """At 80 columns the global F-keys may give way; the keys of the screen itself may not."""
    own = {b.description for b in type(app.screen).BINDINGS if hasattr(b, "description")}
    return [label for label in overflow(app) if label in own]


async def narrow_screen(tmp_path: Path, prepare, *keys: str) -> str:  # type: ignore[no-untyped-def]
    window, admin = ready(tmp_path)
    user, uuid = prepare(window, admin)
    app = app_for(window, user)
    async with app.run_test(size=NARROW) as pilot:
        if uuid:
            app.open_case(uuid)
            await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        # under load the footer's keys may not be laid out after one pause (width 0 reads as cut)
        await wait_until(pilot, lambda: footer_laid_out(app), "the footer laid out")
        return f"{type(app.screen).__name__} {screen_keys_cut(app)}"


def footer_laid_out(app) -> bool:  # type: ignore[no-untyped-def]
    footer = app.screen.query_one(Footer)
    return footer.region.width > 0 and any(k.region.width > 0 for k in footer.query(FooterKey))


def draft(window, admin):  # type: ignore[no-untyped-def]
    return admin, open_case(window, admin, 31).uuid


def accepted_for_review(window, admin):  # type: ignore[no-untyped-def]
    view = open_case(window, admin, 31, complete=True)
    window.accept(admin, view.uuid)
    return reviewer(window), view.uuid


def noticed(window, admin):  # type: ignore[no-untyped-def]
    view = open_case(window, admin, 31)
    window.issue_notice(admin, view.uuid)
    return admin, view.uuid


async def test_at_80_columns_the_checklist_keeps_its_keys(tmp_path: Path) -> None:
    assert await narrow_screen(tmp_path, draft, "f9") == "MaterialsScreen []"


async def test_at_80_columns_the_review_keeps_its_keys(tmp_path: Path) -> None:
    assert await narrow_screen(tmp_path, accepted_for_review) == "CaseDetailScreen []"


async def test_at_80_columns_a_noticed_case_keeps_its_keys(tmp_path: Path) -> None:
    assert await narrow_screen(tmp_path, noticed) == "CaseDetailScreen []"


async def test_at_80_columns_the_users_screen_keeps_its_keys(tmp_path: Path) -> None:
    assert await narrow_screen(tmp_path, lambda w, a: (a, None), "ctrl+y") == "UsersScreen []"


async def test_at_80_columns_the_dashboard_shows_state_due_and_flags(tmp_path: Path) -> None:
    from clerk.screens.widgets.case_table import CaseTable

    window, admin = ready(tmp_path)
    open_case(window, admin, 31)
    app = app_for(window, admin)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        table = app.screen.query_one(CaseTable)
        right = table.region.right
        visible = []
        x = table.region.x - table.scroll_x
        for column in table.ordered_columns:
            width = column.get_render_width(table)
            if x + width <= right:
                visible.append(str(column.label))
            x += width
        assert {"状态", "到期", "提示"} <= set(visible)


async def test_at_80x24_every_setup_field_can_be_seen_when_it_has_the_focus(tmp_path: Path) -> None:
    from support.app import make_window
    from textual.widgets import Input

    app = app_for(make_window(tmp_path))
    async with app.run_test(size=NARROW) as pilot:
        for field in app.screen.query(Input):
            field.focus()
            await pilot.pause()
            region = field.region
            assert (
                region.height > 0 and region.bottom <= NARROW[1] - 1 and region.right <= NARROW[0]
            ), field.id
