"""Keys a clerk saves at intake: Tab passes the preset ID type, a complete valid ID moves on to the
phone, Space marks a material and moves on, Ctrl+A marks every required material received."""

from __future__ import annotations

from pathlib import Path

from support.app import PERSON_ID, SIZE, app_for, footer_ids, open_case, ready
from textual.widgets import DataTable, Input, Static

from clerk.domain.model import CaseState
from clerk.screens.case_detail import CaseDetailScreen
from clerk.screens.materials import MARK_HINT, MaterialsScreen
from clerk.screens.new_case import NewCaseScreen

BAD_ID = PERSON_ID[:-1] + ("0" if PERSON_ID[-1] != "0" else "1")  # wrong check character


async def new_case(pilot, item: str = "31") -> NewCaseScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f2")
    await pilot.pause()
    await pilot.press(*item, "enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, NewCaseScreen)
    return screen


async def checklist(app, pilot, uuid: str) -> MaterialsScreen:  # type: ignore[no-untyped-def]
    app.open_case(uuid, materials=True)
    await pilot.pause()
    assert isinstance(app.screen, MaterialsScreen)
    return app.screen


def status(screen: MaterialsScreen) -> str:
    return str(screen.query_one("#materials-status", Static).content)


def statuses(window, admin, uuid: str) -> list[str | None]:  # type: ignore[no-untyped-def]
    """Stored status of each required material, in checklist order."""
    rows = window.case(uuid, admin).materials
    return [r.check.status if r.check else None for r in rows if r.required]


# ---------------------------------------------------------------------- new case form


async def test_tab_from_the_name_goes_to_the_id_number(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_case(pilot)
        assert screen.focused is screen.query_one("#name")
        await pilot.press("tab")
        await pilot.pause()
        assert screen.focused is screen.query_one("#id-number")


async def test_shift_tab_from_the_id_number_reaches_the_id_type(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_case(pilot)
        await pilot.press("tab", "shift+tab")
        await pilot.pause()
        assert screen.focused is screen.query_one("#id-type")


async def test_a_valid_id_number_moves_on_to_the_phone(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_case(pilot)
        await pilot.press("tab", *PERSON_ID, *"13800138000")
        await pilot.pause()
        assert screen.query_one("#id-number", Input).value == PERSON_ID
        assert screen.query_one("#phone", Input).value == "13800138000"
        assert screen.focused is screen.query_one("#phone")
        assert str(screen.query_one("#id-number-message", Static).content) == "✓ 号码有效"


async def test_an_invalid_id_number_stays_with_its_message(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_case(pilot)
        await pilot.press("tab", *BAD_ID)
        await pilot.pause()
        assert screen.focused is screen.query_one("#id-number")
        message = screen.query_one("#id-number-message", Static)
        assert message.has_class("error") is True
        assert screen.query_one("#phone", Input).value == ""


async def test_an_id_number_part_typed_stays_in_the_field(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_case(pilot)
        await pilot.press("tab", *PERSON_ID[:17])
        await pilot.pause()
        assert screen.focused is screen.query_one("#id-number")


async def test_a_passport_number_does_not_move_on_by_itself(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_case(pilot)
        screen.query_one("#id-type").value = "passport"
        await pilot.pause()
        await pilot.press("tab", *"E12345678")
        await pilot.pause()
        assert screen.focused is screen.query_one("#id-number")


# ---------------------------------------------------------------------- materials checklist


async def test_space_marks_the_material_and_moves_to_the_next_row(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await checklist(app, pilot, view.uuid)
        await pilot.press("space")
        await pilot.pause()
        assert screen.query_one(DataTable).cursor_row == 1
        assert statuses(window, admin, view.uuid) == ["ok", None, None, None]


async def test_space_on_each_row_walks_the_checklist(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await checklist(app, pilot, view.uuid)
        await pilot.press("space", "space", "space")
        await pilot.pause()
        assert statuses(window, admin, view.uuid) == ["ok", "ok", "ok", None]


async def test_space_on_the_last_row_stays_there(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await checklist(app, pilot, view.uuid)
        table = screen.query_one(DataTable)
        last = table.row_count - 1
        table.move_cursor(row=last)
        await pilot.press("space")
        await pilot.pause()
        assert table.cursor_row == last


async def test_ctrl_a_marks_every_required_material_received(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await checklist(app, pilot, view.uuid)
        assert MARK_HINT in status(screen)
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert statuses(window, admin, view.uuid) == ["ok", "ok", "ok", "ok"]
        assert window.case(view.uuid, admin).missing == []
        assert "materials.accept" in footer_ids(app)
        assert status(screen).startswith("材料齐全，可按 F9 受理。")
        assert [n.message for n in app._notifications][-1] == "已将 4 项应收材料标为已收。"


async def test_ctrl_a_keeps_a_material_marked_missing(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await checklist(app, pilot, view.uuid)
        await pilot.press("space", "up", "space")  # received, back up, then missing
        await pilot.pause()
        assert statuses(window, admin, view.uuid) == ["missing", None, None, None]
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert statuses(window, admin, view.uuid) == ["missing", "ok", "ok", "ok"]
        assert [n.message for n in app._notifications][
            -1
        ] == "已将 3 项应收材料标为已收，另有 1 项保留原核验结果。"
        assert "materials.accept" not in footer_ids(app)
        assert MARK_HINT not in status(app.screen)  # every required row is checked: nothing to mark


async def test_ctrl_a_in_a_supplement_is_stored_only_on_f9(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    window.issue_notice(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await checklist(app, pilot, view.uuid)
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert statuses(window, admin, view.uuid) == [None, None, None, None]
        assert window.case(view.uuid).state == CaseState.AWAITING_SUPPLEMENT
        await pilot.press("f9")
        await pilot.pause()
        assert statuses(window, admin, view.uuid) == ["ok", "ok", "ok", "ok"]
        assert window.case(view.uuid).state == CaseState.DRAFT  # back to the checklist, complete


# ---------------------------------------------------------------------- the whole visit


async def test_instant_case_in_six_keys_beyond_the_data(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2", "9", "enter", *"张三丰", "tab", *PERSON_ID, *"13800138000", "f10")
        await pilot.pause()
        assert isinstance(app.screen, MaterialsScreen)
        uuid = app.screen.view.uuid
        await pilot.press("ctrl+a", "f9")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
    assert window.case(uuid).state == CaseState.CLOSED
    assert window.reveal(admin, uuid, "applicant_name") == "张三丰"
    assert window.reveal(admin, uuid, "id_number") == PERSON_ID
    assert window.reveal(admin, uuid, "phone") == "13800138000"
