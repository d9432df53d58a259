"""What the clerk needs is on screen: who is signed in and where, the hand-in day of a notice,
unfinished cases, bad ratings awaiting follow-up and the complaint, the bank account."""

from __future__ import annotations

from pathlib import Path

from support.app import SIZE, app_for, complete_checks, open_case, ready
from textual.widgets import Static

from clerk.domain.model import Rating
from clerk.screens.widgets.case_table import CaseTable


def table_rows(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one(CaseTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_header_names_the_user_and_the_office(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert "东安县" in app.title and "王管理" in app.title


async def test_the_supplement_queue_shows_the_hand_in_day(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)  # 2025-03-12
    view = open_case(window, admin)
    window.issue_notice(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await pilot.pause()
        assert table_rows(app)[0][2] == "补正04-11"  # 30 calendar days from the notice


async def test_a_case_left_in_draft_is_listed_as_unfinished(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        assert table_rows(app)[0][3] == "未办完"
        await pilot.press("7")
        await pilot.pause()
        assert [r[0] for r in table_rows(app)] == [view.case_no]


async def test_a_bad_rating_waits_in_its_queue_until_followed_up(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 1)
    view = window.check_materials(admin, view.uuid, complete_checks(window, 1))
    view = window.accept(admin, view.uuid)
    window.rate(admin, view.uuid, Rating.VERY_UNSATISFIED, "排队太久")
    assert [c.case_no for c in window.queues(admin).bad_ratings] == [view.case_no]
    window.follow_up(admin, view.uuid, "已致电解释")
    assert window.queues(admin).bad_ratings == []


async def test_the_case_shows_the_complaint_and_asks_for_a_follow_up(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 1)
    view = window.check_materials(admin, view.uuid, complete_checks(window, 1))
    view = window.accept(admin, view.uuid)
    window.rate(admin, view.uuid, Rating.VERY_UNSATISFIED, "排队太久")
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid)
        await pilot.pause()
        summary = str(app.screen.query_one("#detail-summary", Static).content)
        assert "意见：排队太久" in summary
        assert "差评尚未回访" in summary


async def test_a_paying_item_records_the_bank_account_and_shows_it_masked(tmp_path: Path) -> None:
    from support.app import PERSON_ID
    from test_app_burst_input import burst

    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "f2", *"zyfy", "enter", *"张三丰", "tab", *PERSON_ID, *"13800138000")
        app.screen.query_one("#bank-account").focus()
        await burst(pilot, *"6222 0212 3456 7890 128")
        message = str(app.screen.query_one("#bank-account-message", Static).content)
        assert message == "尾号 0128，共 19 位，请与申请人核对"
        await burst(pilot, "f10")
        await pilot.pause()
    case = window.search("张三丰")[0]
    assert window.reveal(admin, case.uuid, "bank_account") == "6222021234567890128"
    assert window.case(case.uuid, admin).bank_account_masked.endswith("0128")
    assert "6222021234567890128" not in window.case(case.uuid, admin).bank_account_masked
