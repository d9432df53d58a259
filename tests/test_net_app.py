"""日终上报 and 导入 over the network, with Pilot: F11 sends to / fetches from the county service
when its address is configured (the setting `clerk send --to` remembers)."""

from __future__ import annotations

from datetime import datetime

import pytest
from support.app import SIZE, app_for, footer_ids
from support.clock import Clock
from support.net import live
from support.sync import POINT, collected, user
from textual.widgets import ProgressBar, Static

from clerk.domain.clock import TZ
from clerk.domain.model import CaseState
from clerk.net import client as net
from clerk.screens.day_end import DayEndScreen
from clerk.screens.sync_import import SyncImportScreen


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 2, 16, 30, tzinfo=TZ))


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def test_without_an_address_the_screens_offer_only_files(pair):
    county, point = pair
    app = app_for(point, user(point, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert isinstance(app.screen, DayEndScreen)
        assert "day_end.send" not in footer_ids(app)
        assert "F11" not in text_of(app, "#day-end-status")


async def test_f11_sends_the_day_and_fetches_the_return_from_the_county(pair, tmp_path, clock):
    county, point = pair
    uuid = collected(point, 35)
    with live(county, tmp_path / "serve") as server:
        net.remember_url(point, server.url)
        app = app_for(point, user(point, "clerk1"))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+b")
            await pilot.pause()
            assert "day_end.send" in footer_ids(app)
            assert server.url in text_of(app, "#day-end-status")
            await pilot.press("f11")
            await app.workers.wait_for_complete()
            await pilot.pause()
            status = text_of(app, "#day-end-status")
            assert "第 1 号包：县级已收下并导入" in status, status
            bar = app.screen.query_one("#day-end-progress", ProgressBar)
            assert bar.total and bar.progress == bar.total
            assert county.store.get_case(uuid) is not None
            # the county decides and writes the return bundle where the service serves it
            county.accept(user(county, "clerk1"), uuid)
            county.export_bundle(tmp_path / "serve" / "returns", for_point=POINT)
            await pilot.press("escape")
            await pilot.press("ctrl+g")
            await pilot.pause()
            assert isinstance(app.screen, SyncImportScreen)
            assert "sync_import.fetch" in footer_ids(app)
            await pilot.press("f11")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "已导入" in text_of(app, "#sync-import-report")
    assert point.store.get_case(uuid).state == CaseState.ACCEPTED


async def test_a_county_that_cannot_be_reached_is_said_on_screen(pair, monkeypatch):
    county, point = pair
    collected(point, 35)
    net.remember_url(point, "http://127.0.0.1:9")
    app = app_for(point, user(point, "clerk1"))
    screen_retries = net.Retries(attempts=1, wait_initial=0.01, wait_max=0.01)
    original = net.CountyClient.__init__

    def quick(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["retries"] = screen_retries
        original(self, *args, **kwargs)

    monkeypatch.setattr(net.CountyClient, "__init__", quick)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await pilot.pause()
        await pilot.press("f11")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "连不上县级服务" in text_of(app, "#day-end-status")
    assert len(net.pending_bundles(net.outbox_dir(point.store.path), POINT, "YZ03")) == 1
