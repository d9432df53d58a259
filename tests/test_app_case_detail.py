"""Case detail: masked data, reveal (recorded), review, payment, rating, withdraw, reprint."""

from __future__ import annotations

from pathlib import Path

from support.app import (
    PERSON_ID,
    SIZE,
    app_for,
    complete_checks,
    footer_ids,
    open_case,
    ready,
    reviewer,
)
from textual.widgets import DataTable, Static

from clerk.domain.model import Action, CaseState, Rating
from clerk.screens.case_detail import CaseDetailScreen


async def open_detail(app, uuid: str, pilot) -> CaseDetailScreen:  # type: ignore[no-untyped-def]
    app.open_case(uuid)
    await pilot.pause()
    assert isinstance(app.screen, CaseDetailScreen)
    return app.screen


def summary(screen: CaseDetailScreen) -> str:
    return str(screen.query_one("#detail-summary", Static).content)


async def test_detail_masks_personal_data(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, view.uuid, pilot)
        assert "张三丰" not in summary(screen)
        assert PERSON_ID not in summary(screen)
        assert view.applicant_id_masked in summary(screen)


async def test_reveal_shows_the_value_and_records_an_event(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("2")  # 证件号码
        await pilot.pause()
        assert [n.message for n in app._notifications][-1:] == [PERSON_ID]
        assert window.case(view.uuid).events[-1].action == Action.REVEAL


async def test_timeline_lists_the_events(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, view.uuid, pilot)
        table = screen.query_one("#detail-events", DataTable)
        labels = [table.get_row_at(i)[1] for i in range(table.row_count)]
        assert labels == ["收件", "材料核验", "受理"]


async def test_countdown_for_an_accepted_case(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    view = window.accept(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, view.uuid, pilot)
        text = str(screen.query_one("#detail-deadline", Static).content)
        assert (
            text
            == f"剩余 {view.remaining_working_days} 个工作日，期限 {view.deadline.due:%Y年%m月%d日}。"
        )


async def test_draft_case_offers_the_checklist_on_f9(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        assert "case.materials" in footer_ids(app)
        assert "case.approve" not in footer_ids(app)


async def test_accepting_clerk_is_not_offered_the_review(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        assert "case.approve" not in footer_ids(app)


async def test_reviewer_approves_with_f9(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    shen = reviewer(window)
    app = app_for(window, shen)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        assert {"case.approve", "case.reject"} <= footer_ids(app)
        await pilot.press("f9")
        await pilot.pause()
        assert window.case(view.uuid).state == CaseState.ACCEPTED  # asks first
        await pilot.press("enter")
        await pilot.pause()
        assert window.case(view.uuid).state == CaseState.AWAITING_PAYMENT


async def test_approval_keeps_the_review_opinion(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    app = app_for(window, reviewer(window))
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        await pilot.press("f9", *"材料齐全", "enter")
        await pilot.pause()
        stored = window.case(view.uuid)
        assert stored.events[-1].reason == "材料齐全"
        assert "审核意见：材料齐全" in str(app.screen.query_one("#detail-summary").content)


async def test_esc_on_the_approval_leaves_the_case_for_review(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    app = app_for(window, reviewer(window))
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        await pilot.press("f9", "escape")
        await pilot.pause()
        assert window.case(view.uuid).state == CaseState.ACCEPTED


async def test_a_common_reason_is_picked_and_completed(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    app = app_for(window, reviewer(window))
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        await pilot.press("f7", "down", "down", "enter", *" 住院票据", "enter")
        await pilot.pause()
        stored = window.case(view.uuid)
        assert stored.events[-1].reason == "不符合待遇享受条件 住院票据"


async def test_a_long_reason_is_shown_in_full(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    reason = (
        "申请事项不属于本机构职权范围，"
        + "依据《湖南省医疗保障经办政务服务事项清单》应向参保地县级医保经办机构申请" * 2
    )
    window.refuse(admin, view.uuid, reason, apply_instead="永州市医疗保障事务中心")
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        summary = str(app.screen.query_one("#detail-summary").content).replace("\n", "")
        assert f"不予受理理由：{reason}" in summary


async def test_reviewer_rejects_with_a_reason(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    app = app_for(window, reviewer(window))
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press(*"票据不合规", "enter")
        await pilot.pause()
        stored = window.case(view.uuid)
        assert (stored.state, stored.events[-1].reason) == (CaseState.REJECTED, "票据不合规")


async def test_payment_is_recorded_in_fen_and_closes(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    window.approve(reviewer(window), view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press(*"1234.5", "enter", *"PAY001", "enter")
        await pilot.pause()
        stored = window.case(view.uuid)
        assert (stored.state, stored.amount_fen) == (CaseState.CLOSED, 123450)


async def test_rating_by_digit(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 17, complete=True)
    window.accept(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("5")
        await pilot.pause()
        assert window.case(view.uuid).rating == Rating.VERY_SATISFIED


async def test_bad_rating_asks_for_the_reason(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 17, complete=True)
    window.accept(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        await pilot.press(*"等候太久", "enter")
        await pilot.pause()
        assert window.case(view.uuid).rating == Rating.VERY_UNSATISFIED
        assert "case.follow_up" in footer_ids(app)


async def test_withdraw_with_a_reason(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press(*"申请人主动撤回", "enter")
        await pilot.pause()
        assert window.case(view.uuid).state == CaseState.WITHDRAWN


async def test_reprint_records_an_event_and_names_the_file(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        stored = window.case(view.uuid)
        assert stored.events[-1].action == Action.PRINT
        assert app._notifications  # the path of the new copy is shown
        assert [n.message for n in app._notifications][-1].endswith(".pdf")


async def test_supplement_handed_in_from_the_detail(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    window.issue_notice(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        assert "case.supplement" in footer_ids(app)
        await pilot.press("f9")
        await pilot.pause()
        screen = app.screen
        for i, row in enumerate(screen.view.materials):
            if row.required:
                screen.query_one("#materials-table").move_cursor(row=i)
                await pilot.press("space")
        await pilot.press("f9")
        await pilot.pause()
        stored = window.case(view.uuid)
        assert stored.state != CaseState.AWAITING_SUPPLEMENT
        assert Action.SUPPLEMENT in [e.action for e in stored.events]
        assert set(complete_checks(window, 31)) <= {r.material.id for r in stored.materials if r.ok}


async def test_esc_on_unsaved_supplement_marks_asks_first(tmp_path: Path) -> None:
    from clerk.screens.choice import ChoiceScreen
    from clerk.screens.materials import MaterialsScreen

    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    window.issue_notice(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, view.uuid, pilot)
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("space", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # keep checking
        await pilot.pause()
        assert isinstance(app.screen, MaterialsScreen)
