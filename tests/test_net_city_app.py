"""At a county office with the city's address configured: 日终上报's F11 sends the county's
bundle to the city's service, 导入's F11 fetches the city's acknowledgement (issue 22 with 21)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.app import SIZE, app_for, footer_ids
from support.city import CITY, POINT_OF, World, city_world, work_a_day
from support.net import live
from support.sync import OFFICE, export, user
from textual.widgets import Static

from clerk.net import client as net
from clerk.screens.day_end import DayEndScreen
from clerk.screens.sync_import import SyncImportScreen


@pytest.fixture
def world(tmp_path: Path, clock) -> Iterator[World]:  # type: ignore[no-untyped-def]
    built = city_world(tmp_path / "world", clock)
    yield built
    built.close()


def text_of(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector, Static).content)


async def test_a_county_sends_to_and_fetches_from_the_city_with_f11(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    county = world.counties[OFFICE]
    work_a_day(county, world.points[POINT_OF[OFFICE]], 0)
    with live(world.city, tmp_path / "city") as city_server:
        net.remember_url(county, city_server.url, net.url_setting(county.me()))
        app = app_for(county, user(county, "admin"))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+b")
            await pilot.pause()
            assert isinstance(app.screen, DayEndScreen)
            ids = footer_ids(app)
            assert "day_end.send_city" in ids and "day_end.send" not in ids
            assert f"F11 直接发送到市级服务（{city_server.url}）" in text_of(app, "#day-end-status")
            await pilot.press("f11")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "市级已收下并导入" in text_of(app, "#day-end-status")
            assert OFFICE in world.city.store.sync_store().heads()
            export(world.city, tmp_path / "city" / "returns", OFFICE)  # as `clerk export --for`
            await pilot.press("escape")
            await pilot.press("ctrl+g")
            await pilot.pause()
            assert isinstance(app.screen, SyncImportScreen)
            assert "sync_import.fetch_city" in footer_ids(app)
            await pilot.press("f11")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "已导入" in text_of(app, "#sync-import-report")
    assert county.store.sync_store().acks(CITY) == county.store.sync_store().heads()
