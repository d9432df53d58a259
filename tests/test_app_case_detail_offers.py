"""The case detail screen offers only what the service allows: no F9 核验材料/受理 on a case a
township handed on to the county (收件转报), which the county decides."""

from __future__ import annotations

from support.app import SIZE, app_for, footer_ids
from support.sync import collected, opened, user
from textual.widgets import Static

from clerk.screens.case_detail import CaseDetailScreen


async def test_a_collected_case_offers_no_f9_materials_on_its_detail_screen(pair):
    county, point = pair
    uuid = collected(point, 35)
    app = app_for(point, user(point, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(uuid)
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
        assert "case.materials" not in footer_ids(app)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)  # F9 opens nothing the service refuses


async def test_a_case_still_at_the_window_offers_f9_materials(pair):
    county, point = pair
    uuid = opened(point, 35)
    app = app_for(point, user(point, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(uuid)
        await pilot.pause()
        assert "case.materials" in footer_ids(app)


async def test_a_case_past_the_notice_window_says_once_that_it_counts_as_accepted(pair, clock):
    county, point = pair
    uuid = opened(point, 9)  # received Monday 2 November 2026
    clock.set(2026, 11, 10, 9, 0)  # the 6th working day after receipt
    app = app_for(point, user(point, "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(uuid)
        await pilot.pause()
        shown = " ".join(
            str(app.screen.query_one(s, Static).content)
            for s in ("#detail-summary", "#detail-deadline")
        )
        assert "尚未受理" not in shown
        assert str(app.screen.query_one("#detail-deadline", Static).content) == (
            "收件已超过5个工作日未作一次性告知：依法自收件之日（2026年11月02日）起即为受理，"
            "办理时限自该日起算，请尽快办理。"
        )
        assert shown.count("即为受理") == 1
        app.open_case(uuid, materials=True)
        await pilot.pause()
        status = str(app.screen.query_one("#materials-status", Static).content)
        assert "尚未受理" not in status
        assert "依法自收件之日（2026年11月02日）起即为受理" in status
