"""日终上报 and 导入 screens with Pilot: a point writes its bundle, the county imports it, and back."""

from __future__ import annotations

from datetime import datetime

import pytest
from support.app import SIZE, app_for, footer_ids
from support.clock import Clock
from support.sync import POINT, collected, export, opened, user
from textual.widgets import DataTable, Input, ProgressBar, Static

from clerk.domain.clock import TZ
from clerk.domain.model import Action, CaseState
from clerk.ports.records import CaseChanges
from clerk.screens.case_detail import CaseDetailScreen
from clerk.screens.day_end import DayEndScreen
from clerk.screens.materials import MaterialsScreen
from clerk.screens.sync_import import SyncImportScreen


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 2, 16, 30, tzinfo=TZ))


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def wait_workers(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_ctrl_b_shows_the_ledger_then_f10_writes_the_bundle_with_progress(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    usb = tmp_path / "usb"
    usb.mkdir()
    app = app_for(point, user(point, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert isinstance(app.screen, DayEndScreen)
        assert "一、当日收件　共 1 件" in text_of(app, "#day-end-ledger")
        assert "day_end.write" in footer_ids(app) and "day_end.write_return" not in footer_ids(app)
        app.screen.query_one("#day-end-dir", Input).value = str(usb)
        await pilot.press("f10")
        await wait_workers(app, pilot)
        assert "已写出第 1 号包" in text_of(app, "#day-end-status")
        assert app.screen.query_one("#day-end-progress", ProgressBar).progress == 4
    assert [p.name for p in usb.iterdir()] == ["clerk-LS01-YZ03-000001.clerkbundle"]


async def test_a_missing_directory_is_refused_on_screen(pair, tmp_path):
    county, point = pair
    app = app_for(point, user(point, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await pilot.pause()
        app.screen.query_one("#day-end-dir", Input).value = str(tmp_path / "no-stick")
        await pilot.press("f10")
        await wait_workers(app, pilot)
        assert "未写出：目录" in text_of(app, "#day-end-status")


async def test_ctrl_g_at_the_county_imports_and_lists_the_case_to_accept(pair, tmp_path):
    county, point = pair
    uuid = collected(point, 35)
    path = export(point, tmp_path / "usb").path
    app = app_for(county, user(county, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, SyncImportScreen)
        app.screen.query_one("#sync-import-file", Input).value = str(path)
        await pilot.press("f10")
        await wait_workers(app, pilot)
        assert text_of(app, "#sync-import-report").startswith("已导入 LS01 的第 1 号包")
        handed = app.screen.query_one("#sync-handed", DataTable)
        assert handed.row_count == 1
        handed.focus()
        await pilot.pause()
        assert "sync_import.open" in footer_ids(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
    assert county.store.get_case(uuid).state == CaseState.DRAFT


async def test_a_damaged_bundle_is_refused_on_screen_and_nothing_changes(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    path.write_bytes(path.read_bytes()[:-10])
    app = app_for(county, user(county, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        app.screen.query_one("#sync-import-file", Input).value = str(path)
        await pilot.press("f10")
        await wait_workers(app, pilot)
        assert text_of(app, "#sync-import-report").startswith("未导入，本机未作任何改动")
    assert county.sync_store().bundles("in") == []


async def test_the_return_at_the_point_says_whom_to_tell_what(pair, tmp_path):
    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "usb").path)
    county.accept(user(county, "clerk1"), uuid)
    back = export(county, tmp_path / "usb", for_point=POINT).path
    app = app_for(point, user(point, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        app.screen.query_one("#sync-import-file", Input).value = str(back)
        await pilot.press("f10")
        await wait_workers(app, pilot)
        report = text_of(app, "#sync-import-report")
    case_no = point.store.get_case(uuid).case_no
    assert "需告知申请人：" in report
    assert (
        f"  {case_no} 张*丰（35 住院医疗救助申报）：收件→已受理，请告知申请人已受理，等待审核结果。"
        in report
    )


async def test_a_supervisor_resolves_a_conflict_with_f7(pair, tmp_path, clock):
    from clerk.domain.model import Action, Event

    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "one").path)
    county.accept(user(county, "clerk1"), uuid)
    row = point.store.get_case(uuid)
    with point.store.transaction():
        point.store.append_event(
            Event(uuid, Action.REFUSE, "clerk1", clock(), CaseState.DRAFT, CaseState.REFUSED, "x"),
            POINT,
        )
        point.store.update_case(uuid, CaseChanges(state="refused"), expected_version=row.version)
    county.import_bundle(export(point, tmp_path / "two").path)
    app = app_for(county, user(county, "boss"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        table = app.screen.query_one("#sync-conflicts", DataTable)
        assert table.row_count == 1
        table.focus()
        await pilot.pause()
        assert {"sync_import.keep", "sync_import.take"} <= footer_ids(app)
        await pilot.press("f7")
        await pilot.pause()
        assert table.row_count == 0
    assert county.conflicts() == []
    assert county.store.events_for(uuid)[-1]["action"] == "resolve"


async def test_a_clerk_sees_the_conflicts_but_cannot_resolve(pair, tmp_path):
    county, point = pair
    app = app_for(county, user(county, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        app.screen.query_one("#sync-conflicts", DataTable).focus()
        await pilot.pause()
        assert "sync_import.keep" not in footer_ids(app)


async def test_f9_on_the_materials_screen_collects_items_34_35_at_a_township(pair):
    county, point = pair
    uuid = opened(point, 35)
    app = app_for(point, user(point, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(uuid, materials=True)
        await pilot.pause()
        assert isinstance(app.screen, MaterialsScreen)
        ids = footer_ids(app)
        assert "materials.collect" in ids and "materials.accept" not in ids
        await pilot.press("f9")
        await pilot.pause()
        await pilot.pause()
        app.open_case(uuid, materials=True)
        await pilot.pause()
        assert isinstance(app.screen, MaterialsScreen)
        ids = footer_ids(app)  # handed on: the county decides, so no F9 is offered here
        assert not {"materials.accept", "materials.collect", "materials.notice"} & ids, ids
    assert Action.ACCEPT not in point.case(uuid, user(point, "clerk1")).allowed
    kinds = [d.kind for d in point.store.documents_for(uuid)]
    assert kinds == ["collection"]
    assert point.store.events_for(uuid)[-1]["action"] == "hand_on"


async def test_f9_still_accepts_other_items_at_a_township(pair):
    county, point = pair
    uuid = opened(point, 9)
    app = app_for(point, user(point, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(uuid, materials=True)
        await pilot.pause()
        ids = footer_ids(app)
        assert "materials.accept" in ids and "materials.collect" not in ids


async def test_enter_in_the_file_field_imports(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    app = app_for(county, user(county, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        field = app.screen.query_one("#sync-import-file", Input)
        field.value = str(path)
        field.focus()
        await pilot.press("enter")
        await wait_workers(app, pilot)
        assert isinstance(app.screen, SyncImportScreen)
        assert text_of(app, "#sync-import-report").startswith("已导入 LS01 的第 1 号包")


async def test_ctrl_b_at_the_county_writes_the_return_bundle_for_the_point(pair, tmp_path):
    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "in").path)
    county.accept(user(county, "clerk1"), uuid)
    usb = tmp_path / "usb"
    usb.mkdir()
    app = app_for(county, user(county, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert "将写给服务点 LS01 的回执包" in text_of(app, "#day-end-status")
        assert "day_end.point" not in footer_ids(app)  # one point registered: nothing to switch
        ids = footer_ids(app)  # F10 is named for what it writes here
        assert "day_end.write_return" in ids and "day_end.write" not in ids
        app.screen.query_one("#day-end-dir", Input).value = str(usb)
        await pilot.press("f10")
        await wait_workers(app, pilot)
    assert [p.name for p in usb.iterdir()] == ["clerk-YZ03-LS01-000001.clerkbundle"]


# ---------------------------------------------------------------------- the stick (issue 24, item 4)


async def test_the_stick_folder_lists_its_bundles_newest_first_and_enter_imports_one(
    pair, tmp_path
):
    import os

    county, point = pair
    usb = tmp_path / "usb"
    collected(point, 35)
    first = export(point, usb).path
    collected(point, 35, n=1)
    second = export(point, usb).path
    os.utime(first, (1_790_000_000, 1_790_000_000))  # 2026-09-21 22:13
    os.utime(second, (1_789_000_000, 1_789_000_000))  # 2026-09-10 08:26: older, though later
    (usb / "notes.txt").write_text("not a bundle")
    (usb / "sub").mkdir()
    app = app_for(county, user(county, "clerk1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        field = app.screen.query_one("#sync-import-file", Input)
        field.value = str(usb)
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("#sync-bundles", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert rows == [
            ["2026-09-21 22:13", "LS01", "YZ03", "第 1 号", first.name],
            ["2026-09-10 08:26", "LS01", "YZ03", "第 2 号", second.name],
        ]
        assert app.screen.focused is table
        await pilot.press("enter")
        await wait_workers(app, pilot)
        assert text_of(app, "#sync-import-report").startswith("已导入 LS01 的第 1 号包")


async def test_a_folder_is_never_imported_as_a_file_and_never_gets_english_os_text(pair, tmp_path):
    county, point = pair
    report = county.import_bundle(tmp_path)
    assert report.refusal == "unreadable"
    assert report.message.startswith(f"{tmp_path} 是一个文件夹，不是上报包文件")
    missing = county.import_bundle(tmp_path / "gone.clerkbundle").message
    assert "找不到文件" in missing and "No such file" not in missing


async def test_the_stick_folder_is_remembered_from_day_end_to_import_and_next_evening(
    pair, tmp_path
):
    county, point = pair
    collected(point, 35)
    usb = tmp_path / "usb"
    usb.mkdir()
    app = app_for(point, user(point, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await pilot.pause()
        app.screen.query_one("#day-end-dir", Input).value = str(usb)
        await pilot.press("f10")
        await wait_workers(app, pilot)
    app = app_for(point, user(point, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.screen.query_one("#day-end-dir", Input).value == str(usb)
    app = app_for(county, user(county, "clerk1"))  # the same machine (one data directory)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.screen.query_one("#sync-import-file", Input).value == str(usb)
        table = app.screen.query_one("#sync-bundles", DataTable)
        assert table.get_row_at(0)[4] == "clerk-LS01-YZ03-000001.clerkbundle"


async def test_after_an_import_the_cases_to_accept_have_the_focus_and_f6_returns_to_them(
    pair, tmp_path
):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    app = app_for(county, user(county, "clerk1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert "sync_import.handed" not in footer_ids(app)  # nothing handed on yet
        field = app.screen.query_one("#sync-import-file", Input)
        field.value = str(path)
        await pilot.press("f10")
        await wait_workers(app, pilot)
        handed = app.screen.query_one("#sync-handed", DataTable)
        assert app.screen.focused is handed
        app.screen.query_one("#sync-import-pass", Input).focus()
        await pilot.pause()
        assert "sync_import.handed" in footer_ids(app)
        await pilot.press("f6")
        await pilot.pause()
        assert app.screen.focused is handed
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)


async def test_a_read_only_stick_is_said_in_chinese(pair, tmp_path, monkeypatch):
    import errno

    from clerk.sync import bundle

    county, point = pair
    collected(point, 35)

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(bundle, "write_bundle", read_only)
    with pytest.raises(ValueError) as refused:
        export(point, tmp_path)
    assert "U 盘是只读的" in str(refused.value) and "Read-only" not in str(refused.value)
