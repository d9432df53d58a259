"""A point declared by mistake is removed by an administrator (screen, CLI), recorded in the
administrative chain; a point with any record is not, and the refusal says why in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app import PASSWORD, app_for, person, ready
from support.tamper import raw_rows
from textual.widgets import DataTable

from clerk.cli import main
from clerk.db import PointRecord
from clerk.domain.model import Role
from clerk.screens.choice import ChoiceScreen
from clerk.screens.points import PointsScreen
from clerk.service.errors import ServiceError

TOWNSHIP = "水岭乡政务服务中心"


def admin_events(window) -> list[tuple[str, str, str]]:
    rows = raw_rows(window, "SELECT action, actor, subject FROM admin_events ORDER BY seq")
    return [(str(a), str(actor), str(s)) for a, actor, s in rows]


def test_a_point_with_no_record_is_removed_and_the_removal_recorded(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.declare_point(admin, "DA01", TOWNSHIP, "township_hall", "YZ05")
    gone = window.remove_point(admin, "da01")
    assert (gone.code, gone.name) == ("DA01", TOWNSHIP)
    assert window.store.points() == []
    assert admin_events(window)[-2:] == [
        ("point_declared", "admin", "DA01"),
        ("point_removed", "admin", "DA01"),
    ]
    assert window.store.verify(full=True, remember=False).ok


def test_a_point_removed_can_be_declared_again_correctly(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.declare_point(admin, "DA01", "水陵乡政务服务中心", "township_hall", "YZ05")
    window.remove_point(admin, "DA01")
    window.declare_point(admin, "DA01", TOWNSHIP, "township_hall", "YZ05")
    assert window.store.points() == [PointRecord("DA01", TOWNSHIP, "township_hall", "YZ05")]
    assert window.store.verify(full=True, remember=False).ok


def test_a_point_with_an_account_is_not_removed(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.declare_point(admin, "DA01", TOWNSHIP, "township_hall", "YZ05")
    window.store.create_user("cun1", "刘经办", Role.CLERK, "counterpass1", "DA01")
    with pytest.raises(ServiceError) as exc:
        window.remove_point(admin, "DA01")
    assert str(exc.value) == (
        f"服务点 DA01“{TOWNSHIP}”已有记录（1 个账号），不能撤销："
        "办件号、文书编号和同步记录都带有这个编码，撤销后就对不上了。"
        "该服务点继续保留；不再使用的，停用其账号即可。"
    )
    assert window.store.points() == [PointRecord("DA01", TOWNSHIP, "township_hall", "YZ05")]


def test_a_point_with_cases_is_not_removed(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.declare_point(admin, "DA01", TOWNSHIP, "township_hall", "YZ05")
    window.correct_point(admin, "DA01")  # this machine is DA01 now, and records a case
    window.open_case(admin, 9, person())
    counts = window.store.point_records("DA01")
    assert counts["cases"] == 1 and counts["events"] >= 1
    assert "本机所属" in window.point_removal_problem("DA01")


def test_a_shipped_point_or_office_is_not_removed(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    with pytest.raises(ServiceError, match="随程序发布的经办机构或服务点，不能撤销"):
        window.remove_point(admin, "YZ03")


def test_a_clerk_cannot_remove_a_point(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.declare_point(admin, "DA01", TOWNSHIP, "township_hall", "YZ05")
    window.store.create_user("clerk1", "李经办", Role.CLERK, "counterpass1", "YZ05")
    clerk = window.login("clerk1", "counterpass1")
    with pytest.raises(ServiceError, match="只有系统管理员"):
        window.remove_point(clerk, "DA01")


def test_clerk_point_remove_on_the_cli(tmp_path: Path, capsys, monkeypatch) -> None:
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "zhang_it")
    window, admin = ready(tmp_path)
    window.declare_point(admin, "DA01", TOWNSHIP, "township_hall", "YZ05")
    db = str(window.store.location)
    assert main(["point", "remove", "--db", db, "--code", "DA01"]) == 0
    assert "已撤销服务点 DA01　水岭乡政务服务中心（记入管理记录）。" in capsys.readouterr().out
    assert main(["point", "remove", "--db", db, "--code", "DA01"]) == 1
    assert (
        "未撤销：没有自行登记的服务点 DA01，请用 clerk point list 查看编码。"
        in capsys.readouterr().err
    )
    assert admin_events(window)[-1] == ("point_removed", "system:zhang_it", "DA01")


async def test_delete_on_the_points_screen_removes_a_point_at_80x24(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.declare_point(admin, "DA01", TOWNSHIP, "township_hall", "YZ05")
    app = app_for(window, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, PointsScreen)
        assert "points.remove" not in _footer(app)  # the cursor is on YZ05, shipped
        await pilot.press("down")
        await pilot.pause()
        table = app.screen.query_one("#points-table", DataTable)
        assert table.get_row_at(table.cursor_row)[0] == "DA01"
        assert "points.remove" in _footer(app)
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, PointsScreen)
        codes = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert "DA01" not in codes
    assert window.store.points() == []


def _footer(app) -> set[str]:
    from support.app import footer_ids

    return footer_ids(app)


async def test_this_machines_own_point_offers_no_delete(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.declare_point(admin, "DA01", TOWNSHIP, "township_hall", "YZ05")
    window.correct_point(admin, "DA01")
    app = app_for(window, window.login("admin", PASSWORD))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        table = app.screen.query_one("#points-table", DataTable)
        assert table.get_row_at(table.cursor_row)[0] == "DA01"  # the cursor starts here
        assert "points.remove" not in _footer(app)
