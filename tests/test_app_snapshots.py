"""SVG snapshots at a fixed size (120x36), reviewed by eye before `--snapshot-update`."""

from __future__ import annotations

from typing import Any

from textual.app import App

from clerk.domain.catalog import default_catalog
from clerk.domain.item_search import ItemFinder
from clerk.screens.catalogue import CatalogueScreen
from clerk.screens.item_picker import ItemPickerScreen
from clerk.service.views import ItemChoice

SIZE = (120, 36)
CATALOG = default_catalog()
FINDER = ItemFinder(CATALOG)


class Host(App[Any]):
    CSS_PATH = "../clerk/screens/app.tcss"

    def __init__(self, screen: Any) -> None:
        super().__init__()
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first)


def test_catalogue_guide_snapshot(snap_compare: Any) -> None:
    app = Host(CatalogueScreen(CATALOG, FINDER))
    assert snap_compare(app, press=[*"ydjy"], terminal_size=SIZE)


def test_item_picker_snapshot(snap_compare: Any) -> None:
    refused = "乡镇（街道）政务服务大厅不受理此事项，请引导申请人到县级医保服务大厅办理。"
    choices = [ItemChoice(i, i.no != 31, refused if i.no == 31 else "") for i in CATALOG.items]
    app = Host(ItemPickerScreen(CATALOG, choices, FINDER))
    assert snap_compare(app, press=[*"zhuyuan"], terminal_size=SIZE)


async def settled(pilot: Any, *, turns: int = 20) -> None:
    """Pause until two screenshots in a row are the same: a value set in code is drawn over more
    than one refresh (the input's scroll to its cursor), and under load the snapshot could catch
    the frame between (a full run saw the name field drawn before its width settled)."""
    before = pilot.app.export_screenshot()
    for _ in range(turns):
        await pilot.pause()
        now = pilot.app.export_screenshot()
        if now == before:
            return
        before = now


def quiet_fonts(monkeypatch: Any) -> None:
    """The start-up toast about a missing Chinese font depends on the machine, not on the app."""
    import clerk.documents.fonts as fonts

    monkeypatch.setattr(fonts, "font_warning", lambda: "")


def test_dashboard_snapshot(snap_compare: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from support.app import app_for, open_case, ready

    quiet_fonts(monkeypatch)

    window, admin = ready(tmp_path)
    open_case(window, admin)
    open_case(window, admin, 17)
    view = open_case(window, admin, 22)
    window.issue_notice(admin, view.uuid)
    assert snap_compare(app_for(window, admin), terminal_size=SIZE)


def test_new_case_snapshot(snap_compare: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from support.app import PERSON_ID, app_for, ready, wait_until

    quiet_fonts(monkeypatch)

    window, admin = ready(tmp_path)

    async def fill(pilot: Any) -> None:
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press(*"zyfy", "enter")
        # Under load the item picker's answer and the form's mount may take more than one pause.
        await wait_until(pilot, lambda: bool(pilot.app.screen.query("#name")), "the new-case form")
        screen = pilot.app.screen
        screen.query_one("#name").value = "张三丰"
        screen.query_one("#id-number").value = PERSON_ID[:-1] + (
            "0" if PERSON_ID[-1] != "0" else "1"
        )
        screen.query_one("#phone").value = "13800138000"
        await settled(pilot)

    assert snap_compare(app_for(window, admin), terminal_size=SIZE, run_before=fill)


def test_new_case_item_35_at_80x24_snapshot(
    snap_compare: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    """The longest form at the counter's 80×24: every question ticked, the bank account typed,
    the form scrolled to it: the account's check line and the questions whole."""
    from support.app import PERSON_ID, app_for, ready

    quiet_fonts(monkeypatch)
    window, admin = ready(tmp_path)

    async def fill(pilot: Any) -> None:
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press(*"35", "enter")
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#name").value = "欧阳三丰"
        screen.query_one("#id-number").value = PERSON_ID
        screen.query_one("#phone").value = "13800138000"
        for code in ("assistance_unrecognised", "first_payment"):
            screen.select_circumstance(code)
        screen.query_one("#bank-account").focus()
        await pilot.pause()
        await pilot.press(*"6222020200112233445")
        await settled(pilot)

    assert snap_compare(app_for(window, admin), terminal_size=(80, 24), run_before=fill)


def test_supervision_at_80x24_snapshot(snap_compare: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from support.app import app_for, open_case, ready

    quiet_fonts(monkeypatch)
    window, admin = ready(tmp_path)
    accepted = open_case(window, admin, 31, complete=True)
    window.accept(admin, accepted.uuid)
    refused = open_case(window, admin, 17)
    window.refuse(admin, refused.uuid, "材料不实")

    async def counted(pilot: Any) -> None:  # the screen counts in a worker
        await pilot.press("9")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app_for(window, admin), terminal_size=(80, 24), run_before=counted)
